#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { checkConfigPatch } from './admin/config.js';
import { type CallsimOptions, DEFAULT_OPTIONS } from './config.js';
import { createLogger } from './logger.js';
import { runProxy } from './proxy.js';
import { startServer } from './server.js';
import { loadStateFile, saveStateFile } from './state/index.js';

const int = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
  return n;
};
const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 10_000) throw new InvalidArgumentError('must be a number above 0 (at most 10000)');
  return n;
};

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    const data = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('the top level must be a mapping of options');
    return data;
  } catch (err) {
    throw new Error(`config file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
}

const EXAMPLES = `
Examples:
  $ callsim                                   serve all vendors on http://127.0.0.1:4010
  $ callsim --clock virtual --seed 42         deterministic; time moves with POST /__sim/clock/advance
  $ callsim --speed 10                        calls run 10x faster (media streams need speed 1)
  $ callsim --latency 150                     150 ms one-way latency on media streams
  $ callsim --config callsim.yaml --strict    faults, rate limits, scenarios from a file; self-check answers
  $ CALLSIM_CLOCK=virtual PORT=0 callsim      any free port (printed in the banner)
  $ callsim proxy jagcall https://jagcall.com validate real traffic against the JagCall spec

Every option also reads an environment variable (in brackets). Docs: README.md`;

function startCommand(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('-p, --port <port>', 'listen port (0 = any free port)')
        .env('PORT')
        .argParser(int('port', 0, 65535))
        .default(4010),
    )
    .addOption(new Option('--host <host>', 'listen address').env('CALLSIM_HOST').default('127.0.0.1'))
    .addOption(
      new Option('--clock <mode>', 'real: time flows; virtual: only POST /__sim/clock/advance moves it')
        .env('CALLSIM_CLOCK')
        .choices(['real', 'virtual'])
        .default('real'),
    )
    .addOption(new Option('--speed <n>', 'real clock runs n times faster').env('CALLSIM_SPEED').argParser(positive).default(1))
    .addOption(
      new Option('--seed <n>', 'seed: same seed + same requests = same ids, durations, conversations')
        .env('CALLSIM_SEED')
        .argParser(int('seed', 0, 2 ** 31 - 1)),
    )
    .addOption(new Option('--latency <ms>', 'one-way media latency in ms').env('CALLSIM_LATENCY_MS').argParser(int('latency', 0, 10_000)))
    .addOption(new Option('--strict', 'check every response against its spec at run time').env('CALLSIM_STRICT'))
    .addOption(new Option('--admin-token <token>', 'require Authorization: Bearer <token> on /__sim (and allow non-loopback)').env('CALLSIM_ADMIN_TOKEN'))
    .addOption(
      new Option('--media-auth-token <token>', 'sign media-stream dial-outs with X-Twilio-Signature, as Twilio does with this auth token').env(
        'CALLSIM_MEDIA_AUTH_TOKEN',
      ),
    )
    .addOption(new Option('--config <file>', 'YAML/JSON with any option plus faults, rateLimits, scenarios, webhooks, media').env('CALLSIM_CONFIG'))
    .addOption(new Option('--state-file <file>', 'load state at start, save it on shutdown (atomic)').env('CALLSIM_STATE_FILE'))
    .addOption(
      new Option('--log-level <level>', 'fatal, error, warn, info, debug (one line per request), trace')
        .env('CALLSIM_LOG_LEVEL')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    )
    .addOption(new Option('--vendors <list>', 'serve only these vendors, comma-separated').env('CALLSIM_VENDORS'));
}

async function start(flags: Record<string, any>): Promise<void> {
  const log = createLogger(flags.logLevel);
  const file = flags.config ? readConfigFile(flags.config) : {};
  // media.authToken is a secret, not a condition: it is kept apart so GET /__sim/config never shows it.
  const media = file.media as Record<string, unknown> | undefined;
  const fileMediaToken = media && typeof media === 'object' && !Array.isArray(media) ? media.authToken : undefined;
  if (fileMediaToken !== undefined && (typeof fileMediaToken !== 'string' || !fileMediaToken)) throw new Error('config file: media.authToken must be a string');
  if (fileMediaToken !== undefined) file.media = Object.fromEntries(Object.entries(media!).filter(([k]) => k !== 'authToken'));
  const opts: Partial<CallsimOptions> = { ...(file as Partial<CallsimOptions>) };
  // Flags and env vars win over the file.
  Object.assign(opts, {
    port: flags.port,
    host: flags.host,
    clock: flags.clock,
    speed: flags.speed,
    logLevel: flags.logLevel,
    ...(flags.seed !== undefined && { seed: flags.seed }),
    ...(flags.strict !== undefined && { strict: flags.strict === true || flags.strict === 'true' || flags.strict === '1' }),
    ...(flags.adminToken && { adminToken: flags.adminToken }),
    ...(flags.stateFile && { stateFile: flags.stateFile }),
    ...((flags.mediaAuthToken || fileMediaToken) && { mediaAuthToken: flags.mediaAuthToken || fileMediaToken }),
    ...(flags.vendors && {
      vendors: String(flags.vendors)
        .split(',')
        .map((s) => s.trim()),
    }),
  });
  if (flags.latency !== undefined) opts.media = { ...DEFAULT_OPTIONS.media, ...opts.media, latencyMs: flags.latency };
  const running = await startServer(opts);
  const { sim } = running;
  sim.logger = log;
  const filePatch = checkConfigPatch(sim, Object.fromEntries(Object.entries(file).filter(([k]) => ['media', 'faults', 'rateLimits', 'scenarios'].includes(k))));
  if (typeof filePatch === 'string') throw new Error(`config file: ${filePatch}`);
  if (opts.stateFile) {
    const problem = loadStateFile(sim, opts.stateFile);
    if (problem) throw new Error(`state file: ${problem}`);
  }
  sim.outcomeListeners.push((runtime, req, outcome, ms) => {
    const bad = outcome.violations.length || outcome.responseViolations.length || outcome.response.status >= 500;
    if (!bad && !log.isLevelEnabled('debug')) return;
    log[bad ? 'info' : 'debug'](
      {
        vendor: runtime.adapter.name,
        method: req.method,
        path: req.path,
        op: outcome.op?.operationId,
        status: outcome.response.status,
        ms: Math.round(ms * 10) / 10,
        violations: outcome.violations.length ? outcome.violations : undefined,
        responseViolations: outcome.responseViolations.length ? outcome.responseViolations : undefined,
      },
      bad ? 'contract violation' : 'request',
    );
  });
  const lines = [
    `callsim listening on ${running.url}  (clock ${sim.options.clock}${sim.options.clock === 'real' && sim.options.speed !== 1 ? ` x${sim.options.speed}` : ''}, seed ${sim.seed})`,
    ...sim.runtimes.map(
      (r) =>
        `  ${r.adapter.title.padEnd(11)} ${(running.url + r.adapter.prefix + (r.adapter.name === 'jagcall' ? '/v1/' : r.adapter.name === 'callgenius' ? '/api' : '')).padEnd(44)} key ${r.adapter.demoKey}`,
    ),
    `  dashboard   ${running.url}/`,
    `  admin API   ${running.url}/__sim  (health: ${running.url}/__sim/health)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await running.close();
    if (opts.stateFile) {
      saveStateFile(sim, opts.stateFile);
      log.info({ file: opts.stateFile }, 'state saved');
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

const program = new Command()
  .name('callsim')
  .description('Local mock and contract-testing server for Calleague, CallGeni.us, CallingBox and JagCall')
  .version('0.1.0')
  .showHelpAfterError()
  .addHelpText('after', EXAMPLES);
startCommand(program).action((flags) => start(flags));
startCommand(program.command('start').description('start the simulator (the default command)')).action((flags) => start(flags));
program
  .command('proxy')
  .description("validating proxy: forward to the real vendor, report both sides' contract violations")
  .argument('<vendor>', 'calleague, callgenius, callingbox or jagcall')
  .argument('<upstream>', 'the real API base, e.g. https://jagcall.com')
  .addOption(
    new Option('-p, --port <port>', 'listen port')
      .env('PORT')
      .argParser(int('port', 0, 65535))
      .default(4010),
  )
  .addOption(new Option('--host <host>', 'listen address').env('CALLSIM_HOST').default('127.0.0.1'))
  .action((vendor, upstream, flags) => runProxy(vendor, upstream, flags));

program.parseAsync(process.argv).catch((err: NodeJS.ErrnoException) => {
  const msg = err.code === 'EADDRINUSE' ? `port already in use: ${err.message.replace(/^listen /, '')} (choose another with --port or PORT)` : err.message;
  process.stderr.write(`callsim: ${msg}\n`);
  process.exit(1);
});
