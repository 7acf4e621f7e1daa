/**
 * List latency as the store grows: GET /jagcall/v1/calls (first page, filtered by status, last
 * page) against a server holding 1,000 / 10,000 / 100,000 calls, each server in its own process.
 *   node dist/bench/lists.js serve <port> <n>   (the child: a server with n calls, mostly completed)
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/server.js';
import { createCall } from '../src/sim/calls.js';
import { freePort } from './targets.js';

const SELF = fileURLToPath(import.meta.url);
const KEY = 'jc_test_demo';
const PAGE = 20;
/** Answered, no answer, busy: so a status filter keeps most but not all. */
const NUMBERS = [
  '+14155559876',
  '+14155559876',
  '+14155559876',
  '+14155559876',
  '+14155559876',
  '+14155559876',
  '+14155559876',
  '+15005550001',
  '+15005550002',
];

export interface ListFigure {
  calls: number;
  /** Median ms over sequential requests, after a warm-up. */
  firstMs: number;
  statusMs: number;
  lastMs: number;
  /** The very first status-filtered request: it builds that filter's view. */
  statusColdMs: number;
  /** What a list cost before: every call of the account filtered and sorted, in process. */
  scanSortMs: number;
}

async function serve(port: number, n: number): Promise<void> {
  const running = await startServer({ port, host: '127.0.0.1', clock: 'virtual', seed: 3, logLevel: 'silent', startTime: Date.parse('2026-01-01T00:00:00Z') });
  const world = running.sim.world;
  for (let i = 0; i < n; i++) {
    createCall(world, { accountId: 'jc_org_demo', agentId: 'agt_xxx', to: NUMBERS[i % NUMBERS.length] });
    // A hundred calls a second, so the store spans real time.
    if (i % 100 === 99) await world.scheduler.advance(1000);
  }
  await world.scheduler.advance(3_600_000);
  const scans: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    [...world.store('jc_org_demo').calls.values()].filter((c) => c.status === 'completed').sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    scans.push(performance.now() - t);
  }
  process.stdout.write(`ready ${JSON.stringify({ scanSortMs: median(scans) })}\n`);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)] * 100) / 100;
};

function get(agent: http.Agent, port: number, path: string): Promise<{ ms: number; body: string }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    http
      .get({ host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${KEY}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => (res.statusCode === 200 ? resolve({ ms: performance.now() - t, body }) : reject(new Error(`${path}: ${res.statusCode} ${body}`))));
      })
      .on('error', reject);
  });
}

async function measure(agent: http.Agent, port: number, path: string, rounds = 200): Promise<number> {
  for (let i = 0; i < 30; i++) await get(agent, port, path);
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) ms.push((await get(agent, port, path)).ms);
  return median(ms);
}

async function benchSize(n: number): Promise<ListFigure> {
  const port = await freePort();
  const child = spawn(process.execPath, [SELF, 'serve', String(port), String(n)], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const ready = await new Promise<{ scanSortMs: number }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /ready (.*)\n/.exec(out);
        if (m) resolve(JSON.parse(m[1]));
      });
      child.stderr!.on('data', (d) => (out += d));
      child.on('exit', (code) => reject(new Error(`list server exited ${code}: ${out}`)));
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const statusPath = `/jagcall/v1/calls?status=completed&per_page=${PAGE}`;
    const statusColdMs = Math.round((await get(agent, port, statusPath)).ms * 100) / 100;
    const first = JSON.parse((await get(agent, port, `/jagcall/v1/calls?per_page=${PAGE}`)).body);
    const last = Math.max(1, Math.ceil(first.pagination.total / PAGE));
    const figure: ListFigure = {
      calls: first.pagination.total,
      firstMs: await measure(agent, port, `/jagcall/v1/calls?per_page=${PAGE}`),
      statusMs: await measure(agent, port, statusPath),
      lastMs: await measure(agent, port, `/jagcall/v1/calls?page=${last}&per_page=${PAGE}`),
      statusColdMs,
      scanSortMs: ready.scanSortMs,
    };
    agent.destroy();
    return figure;
  } finally {
    child.removeAllListeners('exit');
    child.kill('SIGKILL');
  }
}

export async function benchLists(sizes = [1000, 10_000, 100_000]): Promise<ListFigure[]> {
  const out: ListFigure[] = [];
  for (const n of sizes) out.push(await benchSize(n));
  return out;
}

if (process.argv[2] === 'serve') {
  serve(Number(process.argv[3]), Number(process.argv[4])).catch((err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  });
}
