#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, type OptionsInput, optionProblems, resolveOptions } from './config.js';
import { parseYaml } from './fixtures/data.js';
import { manageLifecycle } from './lifecycle.js';
import { addLoadCommand } from './load/cli.js';
import { createLogger } from './logger.js';
import { runProxy } from './proxy.js';
import { reportCommand } from './report/command.js';
import { finishRun } from './report/exit.js';
import { startServer } from './server.js';
import { verifyCommand } from './verify/command.js';

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new Error(`config file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`config file ${path}: the top level must be a mapping of options`);
  const problems = optionProblems(data);
  if (problems.length) throw new ConfigError(problems, `config file ${path}`);
  return data as Record<string, unknown>;
}

/**
 * Flags and environment variables only turn text into the type the key has; whether the value is
 * allowed is the `Options` schema's call (specs/admin.yaml), as for the config file.
 */
const number = (v: string): number | string => (v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v);
const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
/** Repeatable flags add up; their environment variable is a comma-separated list. */
const more =
  <T>(parse: (v: string) => T) =>
  (v: string, previous: T[] | undefined): T[] => [...(previous ?? []), ...list(v).map(parse)];
/** `--spec name=FILE`, or `name:dynamic=FILE` for schema-generated answers. */
const specMount = (v: string) => {
  const m = /^([^=:]+)(?::(static|dynamic))?=(.+)$/.exec(v);
  if (!m) throw new InvalidArgumentError('expected name=FILE or name:dynamic=FILE, e.g. petstore=./petstore.yaml');
  return { name: m[1], file: m[3], ...(m[2] && { mode: m[2] }) };
};
const bool = (v: string | boolean): boolean | string =>
  typeof v === 'boolean' ? v : /^(1|true|yes|on)$/i.test(v) ? true : /^(0|false|no|off|)$/i.test(v) ? false : v;

const EXAMPLES = `
Examples:
  $ callsim                                   serve all vendors on http://127.0.0.1:4010
  $ callsim --clock virtual --seed 42         deterministic; time moves with POST /__sim/clock/advance
  $ callsim --speed 10                        calls run 10x faster (media streams need speed 1)
  $ callsim --latency 150                     150 ms one-way latency on media streams
  $ callsim --config callsim.yaml --strict    faults, rate limits, scenarios from a file; fail on typos
  $ CALLSIM_CLOCK=virtual PORT=0 callsim      any free port (printed in the banner)
  $ callsim proxy jagcall https://jagcall.com validate real traffic against the JagCall spec
  $ callsim --report out/callsim.xml --fail-on violations   JUnit at shutdown; exit 1 if the client broke a spec
  $ callsim --spec petstore=./petstore.yaml   serve any OpenAPI document under /petstore (Prism)
  $ callsim report --from http://127.0.0.1:4010 --format md   the report of a running server
  $ callsim verify jagcall https://sandbox.example --key KEY   has the live API drifted from callsim's spec?
  $ callsim --callers ./callers               simulated callers from a folder of YAML files
  $ callsim load -n 200 -r 20 --media-url ws://127.0.0.1:8765 --caller reschedule
                                              200 callers against your agent; a summary at the end

Every option also reads an environment variable (in brackets); a config file sets the same keys.
Precedence: defaults < config file < environment < flags. Docs: README.md`;

/** Flag → option key; each reads its environment variable too. */
function startCommand(cmd: Command): Command {
  return cmd
    .addOption(new Option('-p, --port <port>', 'listen port, 0 = any free port (default 4010)').env('PORT').argParser(number))
    .addOption(new Option('--host <host>', 'listen address (default 127.0.0.1)').env('CALLSIM_HOST'))
    .addOption(new Option('--clock <mode>', 'real (default): time flows; virtual: only POST /__sim/clock/advance moves it').env('CALLSIM_CLOCK'))
    .addOption(new Option('--speed <n>', 'real clock runs n times faster (default 1)').env('CALLSIM_SPEED').argParser(number))
    .addOption(new Option('--seed <n>', 'seed: same seed + same requests = same ids, durations, conversations').env('CALLSIM_SEED').argParser(number))
    .addOption(new Option('--latency <ms>', 'one-way media latency in ms (media.latencyMs)').env('CALLSIM_LATENCY_MS').argParser(number))
    .addOption(
      new Option('--strict', 'tolerance warnings become validation errors; every response is checked against its spec').env('CALLSIM_STRICT').argParser(bool),
    )
    .addOption(new Option('--admin-token <token>', 'require Authorization: Bearer <token> on /__sim (and allow non-loopback)').env('CALLSIM_ADMIN_TOKEN'))
    .addOption(
      new Option('--media-auth-token <token>', 'sign media-stream dial-outs with X-Twilio-Signature, as Twilio does with this auth token').env(
        'CALLSIM_MEDIA_AUTH_TOKEN',
      ),
    )
    .addOption(
      new Option('--allowed-hosts <list>', 'host names the admin API accepts besides localhost and IPs, comma-separated')
        .env('CALLSIM_ALLOWED_HOSTS')
        .argParser(list),
    )
    .addOption(new Option('--config <file>', 'YAML/JSON with any option plus faults, rateLimits, scenarios, webhooks, media').env('CALLSIM_CONFIG'))
    .addOption(new Option('--state-file <file>', 'load state at start, save it on shutdown and SIGTERM/SIGHUP (atomic)').env('CALLSIM_STATE_FILE'))
    .addOption(new Option('--save-every <seconds>', 'with --state-file, also save every n seconds').env('CALLSIM_SAVE_EVERY').argParser(number))
    .addOption(new Option('--log-level <level>', 'fatal, error, warn, info (default), debug (one line per request), trace, silent').env('CALLSIM_LOG_LEVEL'))
    .addOption(new Option('--vendors <list>', 'serve only these vendors, comma-separated').env('CALLSIM_VENDORS').argParser(list))
    .addOption(
      new Option('--transcript-delay-ms <ms>', "a call's transcript is ready this long after it ends (default 1500; 0 = at once)")
        .env('CALLSIM_TRANSCRIPT_DELAY_MS')
        .argParser(number),
    )
    .addOption(
      new Option('--recording-delay-ms <ms>', "a call's recording is ready this long after it ends (default 2500; 0 = at once)")
        .env('CALLSIM_RECORDING_DELAY_MS')
        .argParser(number),
    )
    .addOption(
      new Option('--retain-calls <n>', 'keep at most n finished calls per account; the oldest leave the store (404)')
        .env('CALLSIM_RETAIN_CALLS')
        .argParser(number),
    )
    .addOption(
      new Option('--report <file>', 'write the contract report here at shutdown/SIGTERM: .json, .xml (JUnit) or .md; repeatable')
        .env('CALLSIM_REPORT')
        .argParser(more(String)),
    )
    .addOption(
      new Option('--fail-on <when>', 'exit 1 at shutdown when the client broke the contract: violations, warnings or never (default)').env('CALLSIM_FAIL_ON'),
    )
    .addOption(
      new Option('--spec <name=file>', 'serve an OpenAPI 3.0/3.1 document under /<name> through Prism (name:dynamic=file: generated bodies); repeatable')
        .env('CALLSIM_SPECS')
        .argParser(more(specMount)),
    )
    .addOption(new Option('--no-coverage', 'do not count coverage (GET /__sim/coverage stays empty)').env('CALLSIM_NO_COVERAGE'))
    .addOption(new Option('--callers <dir>', 'a folder of simulated callers (YAML/JSON), checked at start').env('CALLSIM_CALLERS'))
    .addOption(new Option('--cluster <redis-url>', 'serve one world from several processes through Redis (docs/scaling.md)').env('CALLSIM_CLUSTER'));
}

/** The options a run gets: the config file, then the environment and flags over it. */
function gatherOptions(cmd: Command): ReturnType<typeof resolveOptions> {
  const flags = cmd.opts<Record<string, unknown> & { config?: string }>();
  const file = flags.config ? readConfigFile(flags.config) : {};
  const given: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flags)) {
    const source = cmd.getOptionValueSource(key);
    if (key !== 'config' && value !== undefined && (source === 'env' || source === 'cli')) given[key === 'spec' ? 'specs' : key] = value;
  }
  return resolveOptions({ ...file, ...given } as OptionsInput, 'options');
}

async function start(cmd: Command): Promise<void> {
  const opts = gatherOptions(cmd);
  const log = createLogger(opts.logLevel);
  const running = await startServer(opts);
  const { sim } = running;
  sim.logger = log;
  manageLifecycle(running, opts, log, () => finishRun(sim, log));
  sim.outcomeListeners.push((surface, req, outcome, ms) => {
    const bad = outcome.violations.length || outcome.responseViolations.length || outcome.response.status >= 500;
    if (!bad && !log.isLevelEnabled('debug')) return;
    log[bad ? 'info' : 'debug'](
      {
        vendor: surface.name,
        method: req.method,
        path: req.path,
        op: outcome.op?.operationId,
        status: outcome.response.status,
        ms: Math.round(ms * 10) / 10,
        violations: outcome.violations.length ? outcome.violations : undefined,
        violationCount: outcome.violationCount > outcome.violations.length ? outcome.violationCount : undefined,
        responseViolations: outcome.responseViolations.length ? outcome.responseViolations : undefined,
      },
      bad ? 'contract violation' : 'request',
    );
  });
  const o = sim.options;
  const lines = [
    `callsim listening on ${running.url}  (clock ${o.clock}${o.clock === 'real' && o.speed !== 1 ? ` x${o.speed}` : ''}, seed ${sim.seed})`,
    ...sim.vendors.map((v) => `  ${v.adapter.title.padEnd(11)} ${(running.url + v.prefix + v.adapter.basePath).padEnd(44)} key ${v.adapter.demoKey}`),
    ...sim.mounts.map((m) => `  ${m.name.padEnd(11)} ${(running.url + m.prefix).padEnd(44)} OpenAPI document (Prism)`),
    `  dashboard   ${running.url}/`,
    `  admin API   ${running.url}/__sim  (health: ${running.url}/__sim/health)`,
    ...(o.report ? [`  report      ${[o.report].flat().join(', ')} at shutdown (--fail-on ${o.failOn})`] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

const program = new Command()
  .name('callsim')
  .description('Local mock and contract-testing server for Calleague, CallGeni.us, CallingBox and JagCall')
  .version('0.1.0')
  .showHelpAfterError()
  // Options after a subcommand's name are that subcommand's (`callsim proxy … --port 4011`).
  .enablePositionalOptions()
  .addHelpText('after', EXAMPLES);
startCommand(program).action((_flags, cmd: Command) => start(cmd));
startCommand(program.command('start').description('start the simulator (the default command)')).action((_flags, cmd: Command) => start(cmd));
program
  .command('proxy')
  .description("validating proxy: forward to the real vendor, report both sides' contract violations")
  .argument('<vendor>', 'calleague, callgenius, callingbox or jagcall')
  .argument('<upstream>', 'the real API base, e.g. https://jagcall.com')
  .addOption(new Option('-p, --port <port>', 'listen port (default 4010)').env('PORT').argParser(number))
  .addOption(new Option('--host <host>', 'listen address (default 127.0.0.1)').env('CALLSIM_HOST'))
  .action((vendor: string, upstream: string, flags: { port?: number; host?: string }) => {
    const problems = optionProblems({ port: flags.port, host: flags.host });
    if (problems.length) throw new ConfigError(problems);
    return runProxy(vendor, upstream, { port: flags.port ?? 4010, host: flags.host ?? '127.0.0.1' });
  });

reportCommand(program);
verifyCommand(program);
addLoadCommand(program);

program.parseAsync(process.argv).catch((err: NodeJS.ErrnoException) => {
  const msg = err.code === 'EADDRINUSE' ? `port already in use: ${err.message.replace(/^listen /, '')} (choose another with --port or PORT)` : err.message;
  process.stderr.write(`callsim: ${msg}\n`);
  process.exit(1);
});
