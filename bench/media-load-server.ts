/**
 * The server side of bench/media-load.ts, run in the child process bench/media.ts forks: starts,
 * measures and stops a load run in-process. Apart from media-load.ts so the two sides do not import
 * each other.
 */
import { performance } from 'node:perf_hooks';
import type { Callsim } from '../src/app.js';

type Reply = Record<string, any>;

export const RAMP_PER_SEC = 500;
export const LATENCY_MS = 100;
/** Says hello, waits for the agent's greeting to end, then listens in silence. */
const CALLER = {
  language: 'en',
  lines: [
    { text: 'Hello?', after: 0 },
    { after: 'agent', silentMs: 600_000 },
  ],
};

/** Server side (the child process): start, measure and stop a run in-process. */
export async function loadCommand(sim: Callsim, url: string, m: Reply): Promise<Reply> {
  const { loadHubFor } = await import('../src/load/hub.js');
  const { JITTER_BINS, jitterQuantile, mergeJitter } = await import('../src/load/messages.js');
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${url}/__sim${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    return (await r.json()) as Reply;
  };
  const hub = loadHubFor(sim);
  if (m.cmd === 'load-start') {
    await api('PUT', '/callers/bench', CALLER);
    const run = await api('POST', '/load', {
      count: m.n,
      ratePerSec: RAMP_PER_SEC,
      mediaUrl: m.url,
      caller: 'bench',
      conditions: { latencyMs: LATENCY_MS, nudgeMs: 120_000 },
    });
    (globalThis as Reply).benchCpu = process.cpuUsage();
    (globalThis as Reply).benchAt = performance.now();
    await hub.workerStats();
    return { runId: run.id };
  }
  if (m.cmd === 'load-window') {
    const g = globalThis as Reply;
    const used = process.cpuUsage(g.benchCpu);
    const wall = performance.now() - g.benchAt;
    const stats = await hub.workerStats();
    g.benchCpu = process.cpuUsage();
    g.benchAt = performance.now();
    const jitter = new Uint32Array(JITTER_BINS);
    const markLate = new Uint32Array(JITTER_BINS);
    for (const s of stats) {
      mergeJitter(jitter, s.jitter);
      mergeJitter(markLate, s.markLate);
    }
    const frames = stats.reduce((n, s) => n + s.framesSent, 0);
    return {
      workers: stats.length,
      cpuPercent: Math.round(((used.user + used.system) / 1000 / wall) * 1000) / 10,
      // CPU per frame is what a busy, shared machine distorts least: it says where the cores run out.
      cpuUsPerFrame: frames ? Math.round(((used.user + used.system) / frames) * 10) / 10 : null,
      framesSent: stats.reduce((n, s) => n + s.framesSent, 0),
      framesDropped: stats.reduce((n, s) => n + s.framesDropped, 0),
      jitterP50Ms: jitterQuantile(jitter, 0.5),
      jitterP99Ms: jitterQuantile(jitter, 0.99),
      jitterMaxMs: Math.max(...stats.map((s) => s.jitterMaxMs)),
      markLateP50Ms: jitterQuantile(markLate, 0.5),
      markLateP99Ms: jitterQuantile(markLate, 0.99),
      pacerLateP99Ms: Math.max(...stats.map((s) => s.pacerLateP99Ms)),
    };
  }
  // load-stop (the run's own `id` would clash with the reply's, hence `final`)
  await api('DELETE', `/load/${m.runId}`);
  for (let i = 0; i < 150; i++) {
    const run = await api('GET', `/load/${m.runId}`);
    if (run.status === 'done') return { final: run };
    await new Promise((r) => setTimeout(r, 100));
  }
  return { final: await api('GET', `/load/${m.runId}`) };
}
