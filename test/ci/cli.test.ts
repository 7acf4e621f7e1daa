/**
 * The CI options from the command line: --report written on SIGTERM, --fail-on deciding the exit
 * code, --spec loaded only when given, `callsim report --from URL`, and a clear error with a
 * non-zero exit for every bad value.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeAtomically } from '../../src/report/write.js';
import { CLI, ROOT, run, type Started, startCli } from './helpers.js';

const PETSTORE = join(ROOT, 'test/mounts/petstore.yaml');
let started: Started[] = [];
afterEach(async () => {
  await Promise.all(started.map((s) => s.stop()));
  started = [];
});
const start = async (args: string[], env?: Record<string, string>) => {
  const s = await startCli(args, env);
  started.push(s);
  return s;
};
const jag = (url: string, method: string, path: string, body?: unknown) =>
  fetch(`${url}/jagcall${path}`, {
    method,
    headers: { authorization: 'Bearer jc_test_demo', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

describe('--report and --fail-on', () => {
  it('writes every report on SIGTERM, complete, and exits 1 when the client broke the contract', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsim-cli-report-'));
    const s = await start(['--clock', 'virtual', '--report', join(dir, 'r.json'), '--fail-on', 'violations'], { CALLSIM_REPORT: join(dir, 'ignored.md') });
    expect(s.output()).toContain(`report      ${join(dir, 'r.json')} at shutdown (--fail-on violations)`);
    for (let i = 0; i < 50; i++) expect((await jag(s.url, 'GET', '/v1/agents')).status).toBe(200);
    expect((await jag(s.url, 'POST', '/v1/calls', { agent_id: 'agt_xxx' })).status).toBe(422);
    expect(await s.stop()).toBe(1);
    expect(s.output()).toContain('the contract was broken (--fail-on violations): 1 request violation in 1 request');
    // The flag wins over the environment (one file, not two); no temporary file is left behind.
    expect(readdirSync(dir)).toEqual(['r.json']);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    const jagcall = report.coverage.vendors.find((v: any) => v.name === 'jagcall');
    expect(jagcall.operations.find((o: any) => o.operationId === 'listAgents').calls).toBe(50);
    expect(report).toMatchObject({ passed: false, failOn: 'violations' });
  });

  it('reads CALLSIM_REPORT (a comma-separated list) and CALLSIM_FAIL_ON; a clean run exits 0', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsim-cli-env-'));
    const s = await start([], { CALLSIM_REPORT: `${join(dir, 'a.xml')},${join(dir, 'b.md')}`, CALLSIM_FAIL_ON: 'warnings' });
    expect((await jag(s.url, 'GET', '/v1/agents')).status).toBe(200);
    expect(await s.stop()).toBe(0);
    expect(readFileSync(join(dir, 'a.xml'), 'utf8')).toContain('<testsuite name="jagcall"');
    expect(readFileSync(join(dir, 'b.md'), 'utf8')).toContain('✅ passed');
  });

  it('refuses bad values with a clear error and a non-zero exit', async () => {
    const cases: Array<[string[], string]> = [
      [['--fail-on', 'sometimes'], 'failOn: must be one of: violations, warnings, never (got "sometimes")'],
      [['--report', 'report.txt'], 'report.0: must end in .json, .xml (JUnit) or .md (got "report.txt")'],
      [['--spec', 'petstore'], "option '--spec <name=file>' argument 'petstore' is invalid. expected name=FILE"],
      [['--spec', `jagcall=${PETSTORE}`], 'the name jagcall is taken by the built-in vendor JagCall (/jagcall)'],
      [['--spec', 'pets=/nonexistent/pets.yaml'], '--spec /nonexistent/pets.yaml: cannot read it'],
      [['--spec', 'Pets=x.yaml'], 'specs.0.name: must be lower-case letters'],
    ];
    for (const [args, message] of cases) {
      const r = await run(process.execPath, [CLI, '--port', '0', ...args]);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
  });

  it('writes atomically: a failed write leaves the previous file and no temporary one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsim-atomic-'));
    const target = join(dir, 'report.json');
    writeAtomically(target, '{"old": true}\n');
    // A directory where the temporary file must go makes the write fail half-way.
    mkdirSync(`${target}.${process.pid}.tmp`);
    expect(() => writeAtomically(target, '{"new": true}\n')).toThrow();
    expect(readFileSync(target, 'utf8')).toBe('{"old": true}\n');
  });
});

describe('--spec', () => {
  it('loads Prism only when a document is mounted (start-up stays as fast without)', { timeout: 30_000 }, async () => {
    const plain = await start(['--log-level', 'silent'], { NODE_DEBUG: 'module' });
    await plain.stop();
    expect(plain.output()).not.toContain('@stoplight/prism-http');
    const mounted = await start(['--log-level', 'silent', '--spec', `pets=${PETSTORE}`, '--spec', `fake:dynamic=${PETSTORE}`], { NODE_DEBUG: 'module' });
    expect(mounted.output()).toContain('@stoplight/prism-http');
    expect(mounted.output()).toMatch(/ {2}pets {8}http:\/\/127\.0\.0\.1:\d+\/pets +OpenAPI document \(Prism\)/);
    const r = await fetch(`${mounted.url}/pets/pets`, { headers: { 'x-api-key': 'k' } });
    expect(r.status).toBe(200);
    expect((await r.json())[0].name).toBe('Rex');
  });

  it('reads CALLSIM_SPECS and a config file `specs` list', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsim-cli-specs-'));
    const config = join(dir, 'callsim.json');
    writeFileSync(config, JSON.stringify({ specs: [{ name: 'fromfile', file: PETSTORE, mode: 'dynamic' }] }));
    const s = await start(['--config', config], { CALLSIM_SPECS: `fromenv=${PETSTORE}` });
    // The environment's list replaces the file's, as for every option.
    expect((await fetch(`${s.url}/fromenv/health`)).status).toBe(200);
    const fromFile = await start(['--config', config]);
    expect((await fetch(`${fromFile.url}/fromfile/health`)).status).toBe(200);
  });
});

describe('callsim report --from URL', () => {
  it("prints the running server's report as JSON, JUnit or Markdown; --fail-on sets the exit code", { timeout: 30_000 }, async () => {
    const s = await start(['--clock', 'virtual']);
    await jag(s.url, 'POST', '/v1/calls', { agent_id: 'agt_xxx' });
    const report = (args: string[]) => run(process.execPath, [CLI, 'report', '--from', s.url, ...args]);

    const json = await report([]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ format: 'callsim-report', failOn: 'never', passed: true, reasons: ['1 request violation in 1 request'] });
    const junit = await report(['--format', 'junit']);
    expect(junit.stdout).toMatch(/^<\?xml/);
    expect(junit.stdout).toContain('type="contract-violation"');
    const gated = await report(['--format', 'md', '--fail-on', 'violations']);
    expect(gated.code).toBe(1);
    expect(gated.stdout).toContain('## callsim contract report: ❌ failed');

    const dir = mkdtempSync(join(tmpdir(), 'callsim-cli-from-'));
    const out = await report(['--out', join(dir, 'junit.xml')]);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('');
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuites');

    for (const [args, message] of [
      [['--format', 'html'], "argument 'html' is invalid. Allowed choices are json, junit, md"],
      [['--out', join(dir, 'r.txt')], 'the name must end in .json, .xml (JUnit) or .md, or give --format'],
      [['--fail-on', 'maybe'], "argument 'maybe' is invalid"],
    ] as Array<[string[], string]>) {
      const r = await report(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(message);
    }
    const down = await run(process.execPath, [CLI, 'report', '--from', 'http://127.0.0.1:9']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('callsim: cannot reach http://127.0.0.1:9/__sim/report');
    const missing = await run(process.execPath, [CLI, 'report']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("required option '--from <url>' not specified");
  });
});
