import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

/** Memory with 10,000 completed calls, measured in a fresh process so nothing else is counted. */
export async function benchCallMemory(n = 10_000): Promise<{ calls: number; rssMb: number; baselineRssMb: number; heapDeltaMb: number }> {
  const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(new URL('./memory.js', import.meta.url)), String(n)], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`memory bench failed: ${child.stderr}`);
  return JSON.parse(child.stdout);
}
