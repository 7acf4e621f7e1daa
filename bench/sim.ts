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

function child(mode: string, n: number): any {
  const out = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(new URL('./memory.js', import.meta.url)), mode, String(n)], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`${mode} bench failed: ${out.stderr}`);
  return JSON.parse(out.stdout);
}

export interface MemoryFigure {
  calls: number;
  rssMb: number;
  baselineRssMb: number;
  heapDeltaMb: number;
  bytesPerCall: number;
  heapBytesPerCall: number;
}

/** RSS with n completed calls minus an idle server's world, per call; in a fresh process. */
export function benchCallMemory(n = 50_000): MemoryFigure {
  return child('memory', n);
}

interface ClockRound {
  calls: number;
  events: number;
  eventsPerSec: number;
  advanceMs: number;
  createMs: number;
  completed: number;
}

export interface ClockFigure extends MemoryFigure, ClockRound {
  /** The same at 1,000 live calls, in the same process after a warm-up. */
  baseline: ClockRound;
}

/** n live calls advanced to completion on the virtual clock (every due step, in order), in a fresh process. */
export function benchClock(n: number): ClockFigure {
  return child('clock', n);
}
