/**
 * Load runs under load: callsim (its own process, via bench/media.ts's server) places N calls with
 * `POST /__sim/load` and its worker threads dial an agent served here, in the bench process. Each
 * stream gets the agent's 1 s greeting (through the playout buffer), then a mark every second.
 * Figures: the frame-send jitter at the server (per stream, |time between two frames written − 20
 * ms|, measured by the workers at the socket write), the same at the agent's end, the mark round
 * trip minus 2 × the latency, the server's CPU and the workers' pacer lateness. Levels go up to
 * 1,000 streams, and past it until one is not on time (send jitter p99 ≥ 10 ms, or a mark p99
 * more than 10 ms late); the figure is the highest level with every level below it on time.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { type LeanConn, leanAgent } from './lean-agent.js';
import { percentile, server } from './media.js';
import { LATENCY_MS, RAMP_PER_SEC } from './media-load-server.js';

const LEVELS = (process.env.BENCH_LOAD_LEVELS ?? '250,500,750,1000,1500').split(',').map(Number);
/** Every level up to this one runs whatever happens, so the figures at 1,000 are always there. */
const ALWAYS_UP_TO = 1000;
const SETTLE_MS = 1500;
const MEASURE_MS = Number(process.env.BENCH_MEDIA_SECONDS ?? 3) * 1000;
const ON_TIME_MS = 10;

interface Conn {
  c: LeanConn;
  sid: string;
  last: number;
  greetedAt: number;
  marks: Map<string, number>;
}

/** The agent every call dials: a greeting, then a mark a second per stream, timing what comes back. */
async function agent(greeting: string) {
  const conns = new Set<Conn>();
  const by = new Map<LeanConn, Conn>();
  const out = { measuring: false, intervals: [] as number[], markErrors: [] as number[], started: 0 };
  const server = await leanAgent({
    media(lc, now) {
      const c = by.get(lc);
      if (!c) return;
      if (out.measuring && c.last) out.intervals.push(Math.abs(now - c.last - 20));
      c.last = now;
    },
    message(lc, msg, now) {
      if (msg.event === 'start') {
        out.started++;
        const c: Conn = { c: lc, sid: msg.streamSid, last: 0, greetedAt: now, marks: new Map() };
        by.set(lc, c);
        conns.add(c);
        lc.send({ event: 'media', streamSid: c.sid, media: { payload: greeting } });
        return;
      }
      const c = by.get(lc);
      if (!c) return;
      if (msg.event === 'mark') {
        const sent = c.marks.get(msg.mark.name);
        c.marks.delete(msg.mark.name);
        if (sent !== undefined && out.measuring) out.markErrors.push(now - sent - 2 * LATENCY_MS);
      } else if (msg.event === 'stop') {
        conns.delete(c);
        lc.close();
      }
    },
  });
  // A mark a second per stream, spread over 20 slices 50 ms apart so they do not all leave at once.
  let slice = 0;
  let n = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    let i = 0;
    for (const c of conns) {
      if (i++ % 20 !== slice || now - c.greetedAt < 1500) continue;
      const name = `m${n++}`;
      c.marks.set(name, performance.now());
      c.c.send({ event: 'mark', streamSid: c.sid, mark: { name } });
    }
    slice = (slice + 1) % 20;
  }, 50);
  return {
    url: `ws://127.0.0.1:${server.port}/media`,
    out,
    close: () => {
      clearInterval(timer);
      server.close();
    },
  };
}

export async function benchLoad(): Promise<Record<string, unknown>> {
  const { clipMulaw } = await import('../src/media/codec.js');
  const greeting = clipMulaw('en-booking/02-agent.wav').subarray(0, 8000).toString('base64');
  const { child, ask } = await server();
  const out: Record<string, unknown> = {};
  let lastOnTime: number | null = null;
  try {
    for (const n of LEVELS) {
      const a = await agent(greeting);
      const { runId } = await ask('load-start', { n, url: a.url });
      const rampDeadline = performance.now() + (n / RAMP_PER_SEC) * 1000 + 10_000;
      while (a.out.started < n && performance.now() < rampDeadline) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      await ask('load-window');
      const cpuAt = process.cpuUsage();
      const wallAt = performance.now();
      a.out.measuring = true;
      await new Promise((r) => setTimeout(r, MEASURE_MS));
      a.out.measuring = false;
      const agentCpu = process.cpuUsage(cpuAt);
      const agentWall = performance.now() - wallAt;
      const w = await ask('load-window');
      const { final: run } = await ask('load-stop', { runId });
      a.close();
      await ask('reset');
      a.out.intervals.sort((x, y) => x - y);
      a.out.markErrors.sort((x, y) => x - y);
      const markP99 = percentile(a.out.markErrors, 0.99);
      const onTime = w.jitterP99Ms !== null && w.jitterP99Ms < ON_TIME_MS && markP99 <= ON_TIME_MS;
      out[`load run, ${n} concurrent streams`] = {
        streams: a.out.started,
        onTime,
        sendJitterAtServerMs: { p50: w.jitterP50Ms, p99: w.jitterP99Ms, max: w.jitterMaxMs },
        markRoundTripMinus2xLatencyMs: {
          marks: a.out.markErrors.length,
          p50: percentile(a.out.markErrors, 0.5),
          p99: markP99,
          // The part callsim's own timers add (applying the mark, sending the echo); the rest is the sockets and the agent.
          atServerP50: w.markLateP50Ms,
          atServerP99: w.markLateP99Ms,
        },
        receiveJitterAtAgentMs: { p50: percentile(a.out.intervals, 0.5), p99: percentile(a.out.intervals, 0.99) },
        agentCpuPercent: Math.round(((agentCpu.user + agentCpu.system) / 1000 / agentWall) * 1000) / 10,
        server: {
          workers: w.workers,
          cpuPercent: w.cpuPercent,
          cpuUsPerFrame: w.cpuUsPerFrame,
          pacerLateP99Ms: w.pacerLateP99Ms,
          framesSent: w.framesSent,
          framesDropped: w.framesDropped,
        },
        // These machines are shared: the load says how much of the two cores the benchmark really had.
        machine: { cpus: availableParallelism(), loadAvg1m: Math.round(loadavg()[0] * 10) / 10 },
        run: { failed: run.calls?.failed, failures: run.failures },
      };
      if (onTime && (lastOnTime ?? 0) === (LEVELS[LEVELS.indexOf(n) - 1] ?? 0)) lastOnTime = n;
      await new Promise((r) => setTimeout(r, 500));
      if (!onTime && n >= ALWAYS_UP_TO) break;
    }
  } finally {
    child.send({ id: 0, cmd: 'exit' });
    await new Promise((r) => child.once('exit', r));
  }
  out['load run: the most concurrent streams on time'] = lastOnTime ?? `fewer than ${LEVELS[0]}`;
  return out;
}
