/**
 * Soak: the robustness suite's generators (test/robustness/gen.ts) for as long as asked, against
 * one server with every vendor: random valid and broken requests over every operation, with clock
 * ticks, the world reset now and then. Counts requests, 5xx answers and contract violations.
 *
 *   npm run build && node dist/bench/soak.js [seconds=60] [seed]
 */
import { pathToFileURL } from 'node:url';
import { startServer } from '../src/server.js';
import { type Exchange, emptyTally, type Harness, rng, type SendOptions, step, type Tally } from '../test/robustness/gen.js';

export interface SoakResult {
  seconds: number;
  seed: number;
  requests: number;
  /** Answers of 500 and above. */
  serverErrors: number;
  /** Answers that broke the contract in any way (5xx included): wrong status, body off-spec… */
  violations: number;
  /** Problems explained by reported, not yet fixed bugs (gen.ts KNOWN_BUGS). */
  knownBugs: number;
  /** Requests that got no HTTP answer at all (the server dropped or crashed). */
  transportErrors: number;
  byVendor: Record<string, Tally>;
  /** The first few failures, described. */
  failures: string[];
  heapMb: { start: number; end: number };
}

export async function soak(seconds: number, opts: { seed?: number; vendors?: string[]; resetEvery?: number } = {}): Promise<SoakResult> {
  const seed = opts.seed ?? Date.now() % 2 ** 31;
  const running = await startServer({
    port: 0,
    clock: 'virtual',
    seed,
    vendors: opts.vendors,
    startTime: Date.parse('2026-01-01T12:00:00.000Z'),
    rateLimits: { calleague: false, callgenius: false },
    webhookTimeoutMs: 200,
  });
  const sim = running.sim;
  const send = async (vendor: string, method: string, path: string, o: SendOptions = {}): Promise<Exchange> => {
    const runtime = sim.vendor(vendor)!;
    const headers: Record<string, string> = { ...o.headers };
    const key = o.key === undefined ? runtime.adapter.demoKey : o.key;
    if (key) headers.authorization ??= `Bearer ${key}`;
    const payload = typeof o.raw === 'string' || o.raw === undefined ? o.raw : new Uint8Array(o.raw);
    const res = await fetch(running.url + runtime.adapter.prefix + path, { method, headers, body: payload });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, body, text };
  };
  const h: Harness = {
    sim,
    send,
    advance: async (ms) => {
      await sim.world.scheduler.advance(ms);
    },
    reset: async () => sim.reset(),
  };
  const r = rng(seed);
  const byVendor: Record<string, Tally> = Object.fromEntries(sim.vendors.map((rt) => [rt.adapter.name, emptyTally()]));
  const resetEvery = opts.resetEvery ?? 2000;
  const heapStart = process.memoryUsage().heapUsed;
  let transportErrors = 0;
  const failures: string[] = [];
  const deadline = performance.now() + seconds * 1000;
  let n = 0;
  try {
    while (performance.now() < deadline) {
      const runtime = sim.vendors[n % sim.vendors.length];
      const tally = byVendor[runtime.adapter.name];
      try {
        await step(h, runtime, r.int(1, 2 ** 31 - 1), tally);
      } catch (err) {
        // A generator that cannot build a request is a bug here; a fetch that fails is the server's.
        transportErrors++;
        if (failures.length < 20) failures.push(`${runtime.adapter.name}: ${(err as Error)?.stack ?? err}`);
      }
      if (++n % resetEvery === 0) await h.reset();
    }
  } finally {
    await running.close();
  }
  const tallies = Object.values(byVendor);
  const sum = (f: (t: Tally) => number) => tallies.reduce((s, t) => s + f(t), 0);
  const result: SoakResult = {
    seconds,
    seed,
    requests: sum((t) => t.requests),
    serverErrors: sum((t) => t.serverErrors),
    violations: sum((t) => t.violations),
    knownBugs: sum((t) => t.knownBugs),
    transportErrors,
    byVendor,
    failures: [...failures, ...tallies.flatMap((t) => t.failures)].slice(0, 50),
    heapMb: { start: Math.round(heapStart / 1e6), end: Math.round(process.memoryUsage().heapUsed / 1e6) },
  };
  return result;
}

export function summary(r: SoakResult): string {
  const vendors = Object.entries(r.byVendor)
    .map(([v, t]) => `${v} ${t.requests}`)
    .join(', ');
  return (
    `soak ${r.seconds}s seed ${r.seed}: ${r.requests} requests (${vendors}), ${r.serverErrors} 5xx, ${r.violations} contract violations, ` +
    `${r.knownBugs} known-bug hits, ${r.transportErrors} transport errors, heap ${r.heapMb.start}→${r.heapMb.end} MB`
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seconds = Number(process.argv[2] ?? 60);
  const seed = process.argv[3] ? Number(process.argv[3]) : undefined;
  const r = await soak(seconds, { seed });
  console.log(summary(r));
  for (const f of r.failures.slice(0, 10)) console.log(f);
  process.exitCode = r.serverErrors || r.violations || r.transportErrors ? 1 : 0;
}
