import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startTarget } from './targets.js';

export interface HttpFigure {
  name: string;
  reqPerSec: number;
  p99Ms: number;
  non2xx: number;
  /** req/s of each round, when the figure is a median of several. */
  rounds?: number[];
}

interface Req {
  method: string;
  path: string;
  key: string;
  body?: unknown;
}

async function load(url: string, r: Req, seconds: number, connections = 32): Promise<Omit<HttpFigure, 'name'>> {
  const result = await autocannon({
    url: url + r.path,
    method: r.method as 'GET',
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${r.key}`, ...(r.body ? { 'content-type': 'application/json' } : {}) },
    body: r.body ? JSON.stringify(r.body) : undefined,
  });
  return { reqPerSec: Math.round(result.requests.average), p99Ms: result.latency.p99, non2xx: result.non2xx };
}

/** The exact bytes callsim answers, so the bare server sends the same payload. */
async function captureBytes(url: string, r: Req): Promise<string> {
  const res = await fetch(url + r.path, {
    method: r.method,
    headers: { authorization: `Bearer ${r.key}`, ...(r.body ? { 'content-type': 'application/json' } : {}) },
    body: r.body ? JSON.stringify(r.body) : undefined,
  });
  const file = join(tmpdir(), `callsim-bench-${process.pid}-${Math.abs(hash(r.path + r.method))}.json`);
  writeFileSync(
    file,
    JSON.stringify({ status: res.status, headers: { 'content-type': res.headers.get('content-type') ?? 'application/json' }, body: await res.text() }),
  );
  return file;
}

const hash = (s: string) => [...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7);

const LIST: Req = { method: 'GET', path: '/jagcall/v1/agents', key: 'jc_test_demo' };
const CREATE: Req = { method: 'POST', path: '/jagcall/v1/agents', key: 'jc_test_demo', body: { name: 'Bench Agent', voice_id: 'rachel' } };
const BY_ID: Req[] = [
  { method: 'GET', path: '/calleague/api/core/voice/call/cl_8f2a', key: 'clg_test_demo' },
  { method: 'GET', path: '/callgenius/api/agents/42', key: 'cg_test_demo' },
  { method: 'GET', path: '/callingbox/v1/calls/call_5f2a9c1e7b30', key: 'sk_test_demo' },
  { method: 'GET', path: '/jagcall/v1/agents/agt_xxx', key: 'jc_test_demo' },
];
const POSTS: Req[] = [
  { method: 'POST', path: '/calleague/api/core/webhook', key: 'clg_test_demo', body: { url: 'http://127.0.0.1:9/none', events: ['call.ended'] } },
  { method: 'POST', path: '/callgenius/api/agents', key: 'cg_test_demo', body: { name: 'Bench', voice: 'aria', language: 'en-AU' } },
  { method: 'POST', path: '/callingbox/v1/agents', key: 'sk_test_demo', body: { name: 'Bench' } },
  CREATE,
];

interface Entry {
  name: string;
  kind: string;
  extra?: string;
  req: Req;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The targets of one comparison loaded in turns (a, b, a, b, …), each in its own process, and each
 * figure the median of its rounds: a neighbour that wakes up mid-run slows both sides alike instead
 * of skewing the ratio.
 */
async function interleaved(entries: Entry[], seconds: number, rounds: number): Promise<HttpFigure[]> {
  const targets = [];
  try {
    for (const e of entries) targets.push(await startTarget(e.kind, e.extra));
    for (let i = 0; i < entries.length; i++) await load(targets[i].url, entries[i].req, 1); // warm-up
    const runs: Array<Array<Omit<HttpFigure, 'name'>>> = entries.map(() => []);
    for (let r = 0; r < rounds; r++) for (let i = 0; i < entries.length; i++) runs[i].push(await load(targets[i].url, entries[i].req, seconds));
    return entries.map((e, i) => {
      const mid = median(runs[i].map((x) => x.reqPerSec));
      const at = runs[i].find((x) => x.reqPerSec === mid)!;
      const spread = runs[i].map((x) => x.reqPerSec);
      return { name: e.name, ...at, rounds: spread };
    });
  } finally {
    for (const t of targets) await t.stop();
  }
}

/**
 * What counting coverage costs the vendor hot path, on a machine others share: the same server
 * with and without it, both running side by side, loaded in turn in short slices whose order
 * alternates (on-off, off-on, …), so a burst from a neighbour hits both alike. Each figure is the
 * mean of its slices; `costPercent` is the median of the paired slices' costs.
 */
export async function benchCoverageHttp(seconds: number, pairs = 8): Promise<{ on: HttpFigure; off: HttpFigure; costPercent: number; pairs: number[] }> {
  const mean = { on: 0, off: 0 };
  const p99 = { on: 0, off: 0 };
  const costs: number[] = [];
  // Two sessions, each starting the servers in the other order: the first one started is not
  // always the one that gets the busier core.
  for (const first of ['on', 'off'] as const) {
    const targets =
      first === 'on'
        ? { on: await startTarget('callsim'), off: await startTarget('callsim', 'nocoverage') }
        : { off: await startTarget('callsim', 'nocoverage'), on: await startTarget('callsim') };
    try {
      for (const t of Object.values(targets)) await load(t.url, LIST, 2);
      for (let i = 0; i < pairs / 2; i++) {
        const got = { on: 0, off: 0 };
        for (const variant of i % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
          const f = await load(targets[variant].url, LIST, Math.max(1, Math.round(seconds / 2)));
          got[variant] = f.reqPerSec;
          mean[variant] += f.reqPerSec / pairs;
          p99[variant] = Math.max(p99[variant], f.p99Ms);
        }
        costs.push(100 * (1 - got.on / got.off));
      }
    } finally {
      await Promise.all(Object.values(targets).map((t) => t.stop()));
    }
  }
  const sorted = [...costs].sort((a, b) => a - b);
  const median = (sorted[(pairs - 1) >> 1] + sorted[pairs >> 1]) / 2;
  return {
    on: { name: 'callsim GET list, coverage counting on', reqPerSec: Math.round(mean.on), p99Ms: p99.on, non2xx: 0 },
    off: { name: 'callsim GET list, coverage counting off', reqPerSec: Math.round(mean.off), p99Ms: p99.off, non2xx: 0 },
    costPercent: Math.round(10 * median) / 10,
    pairs: costs.map((c) => Math.round(10 * c) / 10),
  };
}

/** Side by side in one run: bare node:http with identical bytes, callsim, Prism's mocker. */
export async function benchHttp(seconds = 3, rounds = 3): Promise<HttpFigure[]> {
  const probe = await startTarget('callsim');
  const listFile = await captureBytes(probe.url, LIST);
  const createFile = await captureBytes(probe.url, CREATE);
  await probe.stop();
  const out: HttpFigure[] = [];
  out.push(
    ...(await interleaved(
      [
        { name: 'bare node:http, GET list bytes', kind: 'bare', extra: listFile, req: { ...LIST, path: '/' } },
        { name: 'callsim GET /jagcall/v1/agents', kind: 'callsim', req: LIST },
        { name: 'callsim GET list, no journal/limits', kind: 'callsim', extra: 'plain', req: LIST },
      ],
      seconds,
      rounds,
    )),
  );
  out.push(
    ...(await interleaved(
      [
        { name: 'bare node:http, POST create (reads the body, same bytes)', kind: 'bare', extra: createFile, req: { ...CREATE, path: '/' } },
        { name: 'callsim POST /jagcall/v1/agents', kind: 'callsim', req: CREATE },
      ],
      seconds,
      rounds,
    )),
  );
  const once = async (e: Entry) => out.push(...(await interleaved([e], seconds, 1)));
  await once({ name: 'Prism mock GET /v1/agents', kind: 'prism', extra: 'jagcall', req: { ...LIST, path: '/v1/agents' } });
  await once({ name: 'Prism mock POST /v1/agents', kind: 'prism', extra: 'jagcall', req: { ...CREATE, path: '/v1/agents' } });
  for (const r of BY_ID) await once({ name: `callsim GET by id ${r.path}`, kind: 'callsim', req: r });
  for (const r of POSTS.slice(0, 3)) await once({ name: `callsim POST ${r.path}`, kind: 'callsim', req: r });
  return out;
}
