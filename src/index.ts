import type { CallsimOptions } from './config.js';
import { startServer } from './server.js';
import { VENDORS } from './vendors/registry.js';

export { Callsim } from './app.js';
export type { CallsimOptions } from './config.js';
export { verifySignature } from './webhooks/signing.js';

export interface VendorInfo {
  name: string;
  baseUrl: string;
  demoKey: string;
  otherKey: string;
}

export interface Simulator {
  url: string;
  vendors: Record<string, VendorInfo>;
  /** Back to the fixtures (same seed: same ids). */
  reset(): Promise<void>;
  /** A fresh isolated account (its own key), so parallel test files never see each other's data. */
  account(vendor: string, fixtures?: 'demo' | 'empty'): Promise<{ vendor: string; accountId: string; key: string; baseUrl: string; [extra: string]: unknown }>;
  /** Virtual clock: run everything due in the next `ms`. */
  advance(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts callsim in-process for a test suite.
 * @example
 * const sim = await startSimulator({ port: 0, seed: 1, clock: 'virtual' });
 * await fetch(`${sim.vendors.jagcall.baseUrl}/v1/agents`, { headers: { Authorization: `Bearer ${sim.vendors.jagcall.demoKey}` } });
 * await sim.stop();
 */
export async function startSimulator(opts: Partial<CallsimOptions> = {}): Promise<Simulator> {
  const running = await startServer({ port: 0, ...opts });
  const vendors: Record<string, VendorInfo> = {};
  for (const r of running.sim.runtimes) {
    const a = r.adapter;
    vendors[a.name] = { name: a.name, baseUrl: running.url + a.prefix, demoKey: a.demoKey, otherKey: a.otherKey };
  }
  return {
    url: running.url,
    vendors,
    reset: async () => {
      running.sim.reset();
    },
    account: async (vendor, fixtures = 'demo') => {
      const runtime = running.sim.runtime(vendor);
      if (!runtime) throw new Error(`unknown vendor ${vendor}`);
      const minted = runtime.adapter.mintAccount(running.sim.world, fixtures);
      return { vendor, accountId: minted.accountId, key: minted.key, baseUrl: running.url + runtime.adapter.prefix, ...minted.extra };
    },
    advance: async (ms) => {
      await running.sim.world.scheduler.advance(ms);
    },
    stop: () => running.close(),
  };
}

export const vendorNames = (): string[] => VENDORS.map((v) => v.name);
