import { type Command, Option } from 'commander';

type Run = {
  id: string;
  status: 'running' | 'done';
  count: number;
  target: string;
  caller: string | null;
  startedAt: string;
  endedAt: string | null;
  stopped: boolean;
  calls: { started: number; completed: number; failed: number; active: number };
  turnLatencyMs: { turns: number; p50: number | null; p95: number | null; p99: number | null };
  failures: Record<string, number>;
  verdicts: { pass: number; fail: number };
  media: { workers: number; framesSent: number; frameSendJitterMs: { p50: number | null; p99: number | null } };
};

interface LoadFlags {
  server: string;
  token?: string;
  count: number;
  rate: number;
  mediaUrl?: string;
  vendor?: string;
  agent?: string;
  account?: string;
  caller?: string;
  to?: string;
  latency?: number;
  maxCallSec?: number;
  record?: boolean;
  json?: boolean;
}

const POLL_MS = 500;
/** Without a terminal (CI logs) the ticker prints a line this often instead of redrawing one. */
const LOG_EVERY_MS = 5000;

const ms = (v: number | null) => (v === null ? '—' : `${Math.round(v)} ms`);

class HttpError extends Error {}

async function call(flags: LoadFlags, method: string, path: string, body?: unknown): Promise<Run> {
  const headers: Record<string, string> = {};
  if (flags.token) headers.authorization = `Bearer ${flags.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${flags.server.replace(/\/+$/, '')}/__sim${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new HttpError(`cannot reach callsim at ${flags.server}: ${(err as Error).cause ?? (err as Error).message}`);
  }
  const data = (await res.json().catch(() => null)) as { error?: { message: string; details?: Array<{ message: string }> } } | null;
  if (!res.ok) {
    const details = data?.error?.details?.map((d) => d.message).join('; ');
    throw new HttpError(`${method} /__sim${path} answered ${res.status}: ${data?.error?.message ?? 'no error body'}${details ? ` (${details})` : ''}`);
  }
  return data as unknown as Run;
}

/**
 * One line that says how far the run is: redrawn in place on a terminal, printed every few seconds
 * otherwise. Written here rather than taken from a progress-bar package: it is one line of text,
 * and a CI log wants plain lines, not a bar's control codes.
 */
function ticker(out: NodeJS.WriteStream) {
  let lastLog = 0;
  return {
    show(r: Run): void {
      const line = `${r.id} ${r.status}: ${r.calls.started}/${r.count} placed, ${r.calls.active} talking, ${r.calls.completed} completed, ${r.calls.failed} failed; latency p50 ${ms(r.turnLatencyMs.p50)} p95 ${ms(r.turnLatencyMs.p95)}`;
      if (out.isTTY) out.write(`\r\x1b[2K${line.slice(0, (out.columns ?? 120) - 1)}`);
      else if (performance.now() - lastLog >= LOG_EVERY_MS || r.status === 'done') {
        lastLog = performance.now();
        out.write(`${line}\n`);
      }
    },
    done(): void {
      if (out.isTTY) out.write('\n');
    },
  };
}

/** The end of a run, as a table. */
function summary(r: Run): string {
  const took = r.endedAt ? `${((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1)} s` : 'still running';
  const rows: Array<[string, string]> = [
    ['run', `${r.id} ${r.stopped ? 'stopped' : r.status} (${took}), ${r.count} calls to ${r.target}${r.caller ? `, caller ${r.caller}` : ''}`],
    ['calls', `started ${r.calls.started}, completed ${r.calls.completed}, failed ${r.calls.failed}`],
    ['verdicts', `pass ${r.verdicts.pass}, fail ${r.verdicts.fail}`],
    ['turn latency', `p50 ${ms(r.turnLatencyMs.p50)}, p95 ${ms(r.turnLatencyMs.p95)}, p99 ${ms(r.turnLatencyMs.p99)} (${r.turnLatencyMs.turns} turns)`],
    ['frame jitter', `p50 ${ms(r.media.frameSendJitterMs.p50)}, p99 ${ms(r.media.frameSendJitterMs.p99)} (${r.media.workers} worker threads)`],
  ];
  for (const [reason, n] of Object.entries(r.failures).sort((a, b) => b[1] - a[1])) rows.push(['failed', `${n} × ${reason}`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n')}\n`;
}

async function runLoad(flags: LoadFlags): Promise<number> {
  if (!flags.mediaUrl && !(flags.vendor && flags.agent)) throw new HttpError('give --media-url, or --vendor and --agent (an agent with a media URL)');
  const body = {
    count: flags.count,
    ratePerSec: flags.rate,
    ...(flags.mediaUrl && { mediaUrl: flags.mediaUrl }),
    ...(flags.vendor && { vendor: flags.vendor }),
    ...(flags.agent && { agent: flags.agent }),
    ...(flags.account && { account: flags.account }),
    ...(flags.caller && { caller: flags.caller }),
    ...(flags.to && { to: flags.to }),
    ...(flags.latency !== undefined && { conditions: { latencyMs: flags.latency } }),
    ...(flags.maxCallSec !== undefined && { maxCallSec: flags.maxCallSec }),
    ...(flags.record && { record: true }),
  };
  let run = await call(flags, 'POST', '/load', body);
  const tick = ticker(process.stderr);
  let stopping = false;
  const onSigint = () => {
    if (stopping) process.exit(130);
    stopping = true;
    void call(flags, 'DELETE', `/load/${run.id}`).catch(() => {});
  };
  process.on('SIGINT', onSigint);
  try {
    while (run.status === 'running') {
      tick.show(run);
      await new Promise((r) => setTimeout(r, POLL_MS));
      run = await call(flags, 'GET', `/load/${run.id}`);
    }
    tick.show(run);
  } finally {
    tick.done();
    process.off('SIGINT', onSigint);
  }
  process.stdout.write(flags.json ? `${JSON.stringify(run, null, 2)}\n` : summary(run));
  return run.calls.failed > 0 || run.stopped ? 1 : 0;
}

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${v}`);
  return n;
};

/** `callsim load`: a load run on a running callsim, with a progress line and a summary table. */
export function addLoadCommand(program: Command): void {
  program
    .command('load')
    .description('run many simulated callers against an agent on a running callsim (POST /__sim/load), then print a summary')
    .addOption(new Option('--server <url>', 'the running callsim').env('CALLSIM_URL').default('http://127.0.0.1:4010'))
    .addOption(new Option('--token <token>', 'its admin token').env('CALLSIM_ADMIN_TOKEN'))
    .addOption(new Option('-n, --count <n>', 'calls to place').argParser(int).makeOptionMandatory())
    .addOption(new Option('-r, --rate <n>', 'calls placed a second').argParser(int).default(10))
    .addOption(new Option('--media-url <url>', "the agent's WebSocket (Twilio Media Streams) every call dials"))
    .addOption(new Option('--vendor <name>', 'place the calls on this vendor (with --agent: dial its media URL)'))
    .addOption(new Option('--agent <id>', "the vendor's agent"))
    .addOption(new Option('--account <id>', 'account id or API key (default the demo account)'))
    .addOption(new Option('--caller <name>', 'a simulated caller (GET /__sim/callers); default each call’s scripted callee'))
    .addOption(new Option('--to <e164>', 'the number the calls go to'))
    .addOption(new Option('--latency <ms>', 'one-way latency on every stream').argParser(int))
    .addOption(new Option('--max-call-sec <n>', 'hang up (and count as failed) a call still talking after this long').argParser(int))
    .addOption(new Option('--record', "keep every call's audio for its recording"))
    .addOption(new Option('--json', 'print the final run as JSON instead of the table'))
    .addHelpText('after', '\nExit status: 0 when every call completed, 1 when any failed (or the run was stopped), 2 when the run could not start.')
    .action(async (flags: LoadFlags) => {
      try {
        process.exitCode = await runLoad(flags);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        process.stderr.write(`callsim load: ${err.message}\n`);
        process.exitCode = 2;
      }
    });
}
