/**
 * `npm run bench`: every benchmark of the project, one table, ratios against baselines measured in
 * the same run (these machines are noisy). `npm run bench -- --json` also writes bench-results.json.
 * `--only=coverage` runs the coverage-counting comparison alone.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchCoverageCount, benchCoverageHandle } from './coverage.js';
import { benchCoverageHttp, benchHttp, type HttpFigure } from './http.js';
import { benchLists } from './lists.js';
import { benchCallMemory, benchClock, benchVirtualCalls } from './sim.js';
import { benchStartup } from './startup.js';
import { benchWebhooks } from './webhooks.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const want = (name: string) => !only || only.includes(name);
const results: Record<string, unknown> = { node: process.version, date: new Date().toISOString() };
const rows: Array<[string, string, string]> = [];

/** The bar each comparison must clear (issue 16): callsim against bare node:http sending the same bytes. */
const TARGETS: Record<string, number> = { 'callsim GET /jagcall/v1/agents': 0.6, 'callsim POST /jagcall/v1/agents': 0.75 };

function httpRows(figs: HttpFigure[]): void {
  const by = (prefix: string) => figs.find((f) => f.name.startsWith(prefix))!;
  const bare = by('bare node:http, GET');
  const prism = by('Prism mock GET');
  const bareCreate = by('bare node:http, POST');
  const prismCreate = by('Prism mock POST');
  for (const f of figs) {
    const base = f.name.includes('POST') ? bareCreate : bare;
    const vsPrism = f.name.includes('POST') ? prismCreate : prism;
    let ratio = '';
    if (f.name.startsWith('callsim')) {
      ratio = `${(f.reqPerSec / base.reqPerSec).toFixed(2)}x bare, ${(f.reqPerSec / vsPrism.reqPerSec).toFixed(2)}x Prism`;
      // Rounds ran in turns with the baseline's, so each round's ratio is a like-for-like figure too.
      if (f.rounds && base.rounds && f.rounds.length === base.rounds.length && f.rounds.length > 1)
        ratio += `; per round ${f.rounds.map((r, i) => (r / base.rounds![i]).toFixed(2)).join(' / ')}`;
      if (TARGETS[f.name]) ratio += `; target >= ${TARGETS[f.name]}x`;
    }
    const spread = f.rounds && f.rounds.length > 1 ? ` (rounds ${f.rounds.join(' / ')})` : '';
    rows.push([f.name, `${f.reqPerSec} req/s, p99 ${f.p99Ms} ms${f.non2xx ? `, ${f.non2xx} non-2xx` : ''}${spread}`, ratio]);
  }
  const journaled = by('callsim GET /jagcall/v1/agents');
  const plain = by('callsim GET list, no journal');
  rows.push(['journal + rate limiting cost (GET list)', `${(100 * (1 - journaled.reqPerSec / plain.reqPerSec)).toFixed(1)} %`, 'target ≤ 10 %']);
}

async function main(): Promise<void> {
  if (want('http')) {
    const figs = await benchHttp(Number(process.env.BENCH_SECONDS ?? 3), Number(process.env.BENCH_ROUNDS ?? 3));
    results.http = figs;
    httpRows(figs);
  }
  if (want('http') || want('coverage')) {
    const seconds = Number(process.env.BENCH_SECONDS ?? 3);
    const c = await benchCoverageHttp(seconds);
    const inProcess = benchCoverageCount();
    const pipeline = await benchCoverageHandle();
    results.coverage = { ...c, inProcess, pipeline };
    rows.push([
      'vendor pipeline in-process, coverage on / off',
      `${pipeline.onUs} / ${pipeline.offUs} µs per request`,
      `coverage costs ${pipeline.costPercent} % (median of 40 paired rounds); target ≤ 5 %`,
    ]);
    for (const f of [c.on, c.off]) rows.push([f.name, `${f.reqPerSec} req/s, p99 ${f.p99Ms} ms`, `mean of ${c.pairs.length} slices`]);
    rows.push([
      'coverage counting cost over HTTP (GET list, same run)',
      `${c.costPercent} %`,
      `median of paired slices (${c.pairs.join(', ')} %); target ≤ 5 %`,
    ]);
    rows.push([
      'coverage counting per request, in-process',
      `${inProcess.nsPerRequest} ns`,
      `${((100 * inProcess.nsPerRequest) / (1e9 / c.off.reqPerSec)).toFixed(2)} % of a request at ${c.off.reqPerSec} req/s`,
    ]);
  }
  if (want('startup')) {
    const s = await benchStartup();
    results.startup = s;
    rows.push([
      'start to first answer (all specs, fixtures)',
      `${s.firstAnswerMs} ms (median of ${s.starts.join(' / ')})`,
      `target < 500 ms; a bare node:http server: ${s.bareMs} ms in the same run`,
    ]);
    rows.push(['idle RSS', `${s.idleRssMb} MB`, 'target < 120 MB']);
  }
  if (want('sim')) {
    const v = await benchVirtualCalls();
    results.virtualCalls = v;
    rows.push(['1,000 five-minute calls, virtual clock', `${v.wallMs} ms wall (${v.completed} completed)`, 'target < 2000 ms']);
    const m = benchCallMemory(50_000);
    results.callMemory = m;
    rows.push([
      'RSS per completed call (50,000 calls, fresh process)',
      `${m.bytesPerCall} B (${m.rssMb} MB vs idle ${m.baselineRssMb} MB; heap ${m.heapBytesPerCall} B)`,
      'target ≤ 1536 B',
    ]);
    const c = benchClock(100_000);
    results.clock = c;
    rows.push([
      'virtual clock over 100,000 live calls (every due step)',
      `${c.eventsPerSec.toLocaleString('en')} events/s (${c.events.toLocaleString('en')} in ${c.advanceMs} ms)`,
      `${(c.eventsPerSec / c.baseline.eventsPerSec).toFixed(2)}x the rate at 1,000 calls; target ≥ 100,000/s`,
    ]);
    rows.push(['RSS per call once those 100,000 have completed', `${c.bytesPerCall} B (heap ${c.heapBytesPerCall} B)`, 'target ≤ 1536 B']);
  }
  if (want('lists')) {
    const l = await benchLists();
    results.lists = l;
    const [small, , big] = l;
    const sizes = l.map((f) => f.calls.toLocaleString('en')).join(' / ');
    for (const [label, key] of [
      ['first page', 'firstMs'],
      ['filtered by status', 'statusMs'],
      ['last page', 'lastMs'],
    ] as const) {
      rows.push([
        `GET /jagcall/v1/calls ${label}, ${sizes} calls`,
        `${l.map((f) => f[key]).join(' / ')} ms (median)`,
        `${(big[key] / small[key]).toFixed(2)}x at the largest vs the smallest; target ≤ 2x`,
      ]);
    }
    rows.push([
      'first status filter at the largest store (builds its view)',
      `${big.statusColdMs} ms`,
      `a scan and sort of that store: ${big.scanSortMs} ms (${l.map((f) => f.scanSortMs).join(' / ')})`,
    ]);
  }
  if (want('webhooks')) {
    const w = await benchWebhooks();
    results.webhooks = w;
    rows.push(['webhooks fanned out to a local receiver', `${w.eventsPerSec} events/s, ${w.received}/${w.events} received, ${w.failed} failed`, 'none lost']);
  }
  if (want('media')) {
    const mediaModule = fileURLToPath(new URL('./media.js', import.meta.url));
    if (existsSync(mediaModule)) {
      const { benchMedia } = (await import('./media.js' as string)) as { benchMedia: () => Promise<Record<string, unknown>> };
      const m = await benchMedia();
      results.media = m;
      for (const [k, v] of Object.entries(m)) rows.push([`media ${k}`, typeof v === 'object' ? JSON.stringify(v) : String(v), '']);
    }
  }
  if (want('media') || want('load')) {
    const loadModule = fileURLToPath(new URL('./media-load.js', import.meta.url));
    if (existsSync(loadModule)) {
      const { benchLoad } = (await import('./media-load.js' as string)) as { benchLoad: () => Promise<Record<string, unknown>> };
      const l = await benchLoad();
      results.load = l;
      for (const [k, v] of Object.entries(l)) rows.push([`media ${k}`, typeof v === 'object' ? JSON.stringify(v) : String(v), '']);
    }
  }
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  process.stdout.write(`callsim benchmarks (${process.version}, ${new Date().toISOString()})\n`);
  for (const [a, b, c] of rows) process.stdout.write(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}\n`);
  if (json) {
    writeFileSync('bench-results.json', JSON.stringify(results, null, 2));
    process.stdout.write('wrote bench-results.json\n');
  }
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
