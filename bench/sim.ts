import { Callsim } from '../src/app.js';
import { createCall } from '../src/sim/calls.js';

/** 1,000 five-minute calls advanced to completion on the virtual clock. */
export async function benchVirtualCalls(n = 1000): Promise<{ calls: number; wallMs: number; completed: number }> {
  const sim = new Callsim({ clock: 'virtual', seed: 1, vendors: ['jagcall'], scenarios: [{ toPrefix: '+1415', outcome: 'answered', durationSec: 300 }] });
  const t = performance.now();
  const calls = [];
  for (let i = 0; i < n; i++) calls.push(createCall(sim.world, { accountId: 'jc_org_demo', agentId: 'agt_xxx', to: '+14155559876' }));
  await sim.world.scheduler.advance(10 * 60_000);
  const wallMs = performance.now() - t;
  sim.world.scheduler.stop();
  return { calls: n, wallMs: Math.round(wallMs), completed: calls.filter((c) => c.status === 'completed').length };
}

/** Memory with 10,000 completed calls (transcripts are derived from the script, not stored). */
export async function benchCallMemory(n = 10_000): Promise<{ calls: number; rssMb: number; heapDeltaMb: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const sim = new Callsim({ clock: 'virtual', seed: 2, vendors: ['jagcall'] });
  for (let i = 0; i < n; i++) createCall(sim.world, { accountId: 'jc_org_demo', agentId: 'agt_xxx', to: '+14155559876' });
  await sim.world.scheduler.advance(10 * 60_000);
  gc?.();
  const mem = process.memoryUsage();
  sim.world.scheduler.stop();
  return { calls: n, rssMb: Math.round(mem.rss / 1e6), heapDeltaMb: Math.round((mem.heapUsed - before) / 1e6) };
}
