/**
 * Child process of the sim benchmarks, so each figure starts from a fresh heap:
 *   memory <n>   RSS of an idle server's world, then with n completed calls (transcripts read back)
 *   clock <n>    n live calls advanced to completion: due steps run per second, then RSS per call
 */
import { Callsim } from '../src/app.js';
import { callTranscript, createCall } from '../src/sim/calls.js';

const [mode, count] = process.argv.slice(2);
const n = Number(count ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
const settle = () => {
  gc?.();
  gc?.();
};
const sim = new Callsim({ clock: 'virtual', seed: 2 });
settle();
const baseline = process.memoryUsage();
const make = (size = n) => {
  const calls = [];
  for (let i = 0; i < size; i++) calls.push(createCall(sim.world, { accountId: 'jc_org_demo', agentId: 'agt_xxx', to: '+14155559876' }));
  return calls;
};
const memory = (calls = n) => {
  settle();
  const mem = process.memoryUsage();
  return {
    rssMb: Math.round(mem.rss / 1e6),
    baselineRssMb: Math.round(baseline.rss / 1e6),
    heapDeltaMb: Math.round((mem.heapUsed - baseline.heapUsed) / 1e6),
    bytesPerCall: Math.round((mem.rss - baseline.rss) / calls),
    heapBytesPerCall: Math.round((mem.heapUsed - baseline.heapUsed) / calls),
  };
};

if (mode === 'memory') {
  const calls = make();
  await sim.world.scheduler.advance(10 * 60_000);
  // Every transcript is readable (derived from the script on read, not stored per call).
  const lines = calls.reduce((sum, c) => sum + callTranscript(sim.world, c).length, 0);
  process.stdout.write(JSON.stringify({ calls: n, completed: calls.filter((c) => c.status === 'completed').length, transcriptLines: lines, ...memory() }));
} else if (mode === 'clock') {
  // The same steps at 1,000 live calls, after a warm-up, are the baseline: the cost of a step should
  // not depend on how many calls are live.
  const round = async (size: number) => {
    const t = performance.now();
    const calls = make(size);
    const createMs = performance.now() - t;
    const pending = sim.world.scheduler.size();
    const t1 = performance.now();
    const { ran } = await sim.world.scheduler.advance(10 * 60_000);
    const advanceMs = performance.now() - t1;
    return {
      calls: size,
      createMs: Math.round(createMs),
      pending,
      events: ran,
      advanceMs: Math.round(advanceMs),
      eventsPerSec: Math.round(ran / (advanceMs / 1000)),
      completed: calls.filter((c) => c.status === 'completed').length,
    };
  };
  await round(2000);
  // Five rounds of 1,000 (each only milliseconds long): the median one is the baseline.
  const rounds = [];
  for (let i = 0; i < 5; i++) rounds.push(await round(1000));
  rounds.sort((a, b) => a.eventsPerSec - b.eventsPerSec);
  const figure = await round(n);
  process.stdout.write(JSON.stringify({ ...figure, baseline: rounds[2], ...memory(n + 7000) }));
} else throw new Error(`unknown mode ${mode}`);
sim.world.scheduler.stop();
