import type http from 'node:http';
import type { Callsim } from './app.js';
import type { OptionsInput } from './config.js';
import { startServer } from './server.js';
import type { VendorAdapter } from './vendors/types.js';

export { Callsim } from './app.js';
export type { CallsimOptions, OptionsInput } from './config.js';
export type { VendorAdapter } from './vendors/types.js';
export { verifySignature } from './webhooks/signing.js';

export interface VendorInfo {
  name: string;
  baseUrl: string;
  demoKey: string;
  otherKey: string;
}

export interface Simulator {
  url: string;
  /** The in-process instance (world, journal, options), for white-box tests that need more than HTTP. */
  callsim: Callsim;
  /** The HTTP server it listens with. */
  server: http.Server;
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
 * Starts callsim in-process for a test suite. Options are the config file's (checked against the same
 * schema: a wrong type or unknown key throws, naming it); `port` defaults to 0, any free port.
 * @example
 * const sim = await startSimulator({ seed: 1, clock: 'virtual' });
 * await fetch(`${sim.vendors.jagcall.baseUrl}/v1/agents`, { headers: { Authorization: `Bearer ${sim.vendors.jagcall.demoKey}` } });
 * await sim.stop();
 */
export async function startSimulator(opts: OptionsInput = {}, extra: { adapters?: VendorAdapter[] } = {}): Promise<Simulator> {
  const running = await startServer({ port: 0, ...opts }, extra);
  const { sim } = running;
  const vendors: Record<string, VendorInfo> = {};
  for (const v of sim.vendors) vendors[v.name] = { name: v.name, baseUrl: running.url + v.prefix, demoKey: v.adapter.demoKey, otherKey: v.adapter.otherKey };
  return {
    url: running.url,
    callsim: sim,
    server: running.server,
    vendors,
    reset: async () => sim.reset(),
    account: async (vendor, fixtures = 'demo') => {
      const v = sim.vendor(vendor);
      if (!v) throw new Error(`unknown vendor ${vendor}; this server runs ${sim.vendors.map((x) => x.name).join(', ')}`);
      const minted = v.adapter.fixtures().mint(sim.world, fixtures);
      return { vendor, accountId: minted.accountId, key: minted.key, baseUrl: running.url + v.prefix, ...minted.extra };
    },
    advance: async (ms) => {
      await sim.world.scheduler.advance(ms);
    },
    stop: () => running.close(),
  };
}
