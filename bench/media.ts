/**
 * Media streams under load: N concurrent listen streams (both tracks, 100 messages a second each)
 * against a callsim in its own process, so the clients never share its event loop. Figures: the frame
 * interval jitter the clients see (|interval − 20 ms|), the server's pacer lateness, its CPU and
 * RSS, and the mark round trip of one agent stream against its configured latency.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const LEVELS = [100, 500, 1000];
const WARMUP_MS = 1000;
const MEASURE_MS = Number(process.env.BENCH_MEDIA_SECONDS ?? 3) * 1000;
const MARK_LATENCY_MS = 100;
const SERVER_FLAG = 'CALLSIM_BENCH_MEDIA_SERVER';

export type Reply = Record<string, any>;

/** The server side, in the child process: a real-clock callsim plus a few commands over IPC. */
async function serve(): Promise<void> {
  const { startServer } = await import('../src/server.js');
  const { loadCommand } = await import('./media-load-server.js');
  const { createCall } = await import('../src/sim/calls.js');
  const running = await startServer({ port: 0, clock: 'real', speed: 1, seed: 7, vendors: ['jagcall'], logLevel: 'silent' });
  const { sim } = running;
  sim.world.timings.queueMs = [0, 0];
  sim.world.rules = [{ toPrefix: '+1555', outcome: 'answered', ringSec: 0, durationSec: 600 }];
  let cpu = process.cpuUsage();
  let at = performance.now();
  let ticks = { ticks: 0, lateTicks: 0 };
  const pacerStats = async (): Promise<Reply> => (await fetch(`${running.url}/__sim/media/sessions`).then((r) => r.json())) as Reply;
  const ask = async (m: Reply): Promise<Reply> => {
    if (m.cmd === 'calls') {
      const ids = Array.from({ length: m.n }, () => createCall(sim.world, { accountId: 'jc_org_demo', agentId: 'agt_xxx', to: '+15555550100' }).id);
      while (ids.some((id) => sim.world.findCall(id)!.status !== 'in-progress')) await new Promise((r) => setTimeout(r, 20));
      return { ids };
    }
    if (m.cmd === 'mark') {
      ticks = (await pacerStats()).pacer;
      cpu = process.cpuUsage();
      at = performance.now();
      return {};
    }
    if (m.cmd === 'stats') {
      const used = process.cpuUsage(cpu);
      const wall = performance.now() - at;
      const s = await pacerStats();
      return {
        cpuPercent: Math.round(((used.user + used.system) / 1000 / wall) * 1000) / 10,
        rssMb: Math.round(process.memoryUsage().rss / 1e6),
        ticks: s.pacer.ticks - ticks.ticks,
        lateTicks: s.pacer.lateTicks - ticks.lateTicks,
        lateP50Ms: s.pacer.lateP50Ms,
        lateP99Ms: s.pacer.lateP99Ms,
        dropped: s.data.reduce((n: number, x: Reply) => n + x.framesDropped, 0),
      };
    }
    if (m.cmd === 'reset') {
      sim.reset();
      return {};
    }
    if (m.cmd?.startsWith('load')) return loadCommand(sim, running.url, m);
    await running.close();
    process.exit(0);
  };
  process.on('message', (m: Reply) => void ask(m).then((r) => process.send!({ id: m.id, ...r })));
  process.send!({ ready: running.url });
}

if (process.env[SERVER_FLAG] === '1' && process.send) void serve();

export function server(): Promise<{ child: ChildProcess; url: string; ask: (cmd: string, extra?: Reply) => Promise<Reply> }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [SERVER_FLAG]: '1' },
    execArgv: process.execArgv.filter((a) => a !== '--expose-gc'),
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (r: Reply) => void>();
  let next = 1;
  return new Promise((resolve) => {
    child.on('message', (m: Reply) => {
      if (m.ready) {
        resolve({
          child,
          url: m.ready,
          ask: (cmd, extra = {}) =>
            new Promise((r) => {
              const id = next++;
              pending.set(id, r);
              child.send({ id, cmd, ...extra });
            }),
        });
      } else pending.get(m.id)?.(m);
    });
  });
}

export function percentile(sorted: number[], p: number): number {
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 100) / 100 : NaN;
}

/** A listen client that only timestamps its outbound-track frames: parsing JSON would be the bottleneck. */
function listen(url: string, intervals: number[], measuring: () => boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let last = 0;
    ws.on('message', (data: Buffer) => {
      if (data.indexOf('"outbound"') === -1) return;
      const now = performance.now();
      if (last && measuring()) intervals.push(Math.abs(now - last - 20));
      last = now;
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** One agent stream that sends a mark every 200 ms: round trip against twice the latency. */
function marks(url: string, errors: number[], measuring: () => boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const sent = new Map<string, number>();
    let sid = '';
    let n = 0;
    let timer: NodeJS.Timeout | undefined;
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString());
      if (m.event === 'start') {
        sid = m.streamSid;
        timer = setInterval(() => {
          const name = `m${n++}`;
          sent.set(name, performance.now());
          ws.send(JSON.stringify({ event: 'mark', streamSid: sid, mark: { name } }));
        }, 200);
      } else if (m.event === 'mark' && measuring()) errors.push(performance.now() - sent.get(m.mark.name)! - 2 * MARK_LATENCY_MS);
    });
    ws.on('close', () => clearInterval(timer));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export async function benchMedia(): Promise<Record<string, unknown>> {
  const { child, url, ask } = await server();
  const base = `${url.replace('http', 'ws')}/__sim/media/jagcall/`;
  // These machines are shared: the load says how much of a core the server really had.
  const out: Record<string, unknown> = { machine: { cpus: availableParallelism(), loadAvg1m: Math.round(loadavg()[0] * 10) / 10 } };
  try {
    for (const n of LEVELS) {
      const { ids } = await ask('calls', { n: n + 1 });
      const intervals: number[] = [];
      const markErrors: number[] = [];
      let measuring = false;
      const sockets: WebSocket[] = [];
      for (let i = 0; i < n; i += 50) {
        sockets.push(
          ...(await Promise.all(ids.slice(i, Math.min(n, i + 50)).map((id: string) => listen(`${base + id}?tracks=both`, intervals, () => measuring)))),
        );
      }
      sockets.push(await marks(`${base}${ids[n]}?role=agent&latencyMs=${MARK_LATENCY_MS}&nudgeMs=120000`, markErrors, () => measuring));
      await new Promise((r) => setTimeout(r, WARMUP_MS));
      await ask('mark');
      measuring = true;
      await new Promise((r) => setTimeout(r, MEASURE_MS));
      measuring = false;
      const stats = await ask('stats');
      for (const ws of sockets) ws.terminate();
      await ask('reset');
      intervals.sort((a, b) => a - b);
      markErrors.sort((a, b) => a - b);
      out[`${n} listen streams`] = {
        frames: intervals.length,
        jitterP50Ms: percentile(intervals, 0.5),
        jitterP99Ms: percentile(intervals, 0.99),
        serverCpuPercent: stats.cpuPercent,
        serverRssMb: stats.rssMb,
        pacer: { ticks: stats.ticks, expected: MEASURE_MS / 20, lateOver2Ms: stats.lateTicks, lateP50Ms: stats.lateP50Ms, lateP99Ms: stats.lateP99Ms },
        framesDropped: stats.dropped,
      };
      out[`${n} streams: mark round trip − 2×${MARK_LATENCY_MS} ms`] = {
        marks: markErrors.length,
        p50Ms: percentile(markErrors, 0.5),
        p99Ms: percentile(markErrors, 0.99),
        maxMs: percentile(markErrors, 1),
      };
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    child.send({ id: 0, cmd: 'exit' });
    await new Promise((r) => child.once('exit', r));
  }
  return out;
}
