import { startServer } from './server.js';
import type { CallsimOptions } from './config.js';
import { VENDORS } from './vendors/registry.js';

export type { CallsimOptions } from './config.js';
export { Callsim } from './app.js';

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
      running.sim.world.reset();
    },
    advance: async (ms) => {
      await running.sim.world.scheduler.advance(ms);
    },
    stop: () => running.close(),
  };
}

export const vendorNames = (): string[] => VENDORS.map((v) => v.name);
