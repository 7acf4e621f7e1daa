/** Child process of benchCallMemory: a server's world with N completed calls and their transcripts. */
import { Callsim } from '../src/app.js';
import { callTranscript, createCall } from '../src/sim/calls.js';

const n = Number(process.argv[2] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
const sim = new Callsim({ clock: 'virtual', seed: 2 });
gc?.();
const baseline = process.memoryUsage();
const calls = [];
for (let i = 0; i < n; i++) calls.push(createCall(sim.world, { accountId: 'jc_org_demo', agentId: 'agt_xxx', to: '+14155559876' }));
await sim.world.scheduler.advance(10 * 60_000);
// Every transcript is readable (derived from the script on read, not stored per call).
const lines = calls.reduce((sum, c) => sum + callTranscript(sim.world, c).length, 0);
gc?.();
const mem = process.memoryUsage();
sim.world.scheduler.stop();
process.stdout.write(
  JSON.stringify({
    calls: n,
    transcriptLines: lines,
    rssMb: Math.round(mem.rss / 1e6),
    baselineRssMb: Math.round(baseline.rss / 1e6),
    heapDeltaMb: Math.round((mem.heapUsed - baseline.heapUsed) / 1e6),
  }),
);
