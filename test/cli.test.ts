import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { parse as parseYaml } from 'yaml';

/** Black-box: the real `npm start` / CLI, the way a user runs it. */
const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/cli/cli.js');
let children: ChildProcess[] = [];
/**
 * Each launch is its own process group (`npm start` is npm → sh → node): killing the group leaves
 * no server running after the test, where killing npm alone would orphan node.
 */
afterEach(async () => {
  await Promise.all(children.map(stopGroup));
  children = [];
});

function stopGroup(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null || !c.pid) return Promise.resolve();
  const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
  try {
    process.kill(-c.pid, 'SIGKILL');
  } catch {
    // Not a group leader (spawned without `detached`): the process alone.
    c.kill('SIGKILL');
  }
  return exited;
}

function launch(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 15 s: ${out}`)), 15_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /callsim listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], out: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

describe('npm start', () => {
  it('serves every vendor, health and the banner with base URLs and demo keys', async () => {
    const { child, url, out } = await launch('npm', ['start', '--silent'], { PORT: '0' });
    const health = await fetch(`${url}/__sim/health`);
    expect(health.status).toBe(200);
    expect((await health.json()).status).toBe('ok');
    for (const [path, key] of [
      ['/jagcall/v1/agents', 'jc_test_demo'],
      ['/callingbox/v1/agents', 'sk_test_demo'],
      ['/calleague/api/core/voice/agent/list', 'clg_test_demo'],
    ]) {
      const r = await fetch(url + path, { headers: { authorization: `Bearer ${key}` } });
      expect(r.status, path).toBe(200);
    }
    for (const key of ['clg_test_demo', 'sk_test_demo', 'jc_test_demo']) expect(out()).toContain(key);
    // Stopping what was launched stops the server itself, not only npm.
    await stopGroup(child);
    await expect(fetch(`${url}/__sim/health`)).rejects.toThrow();
  });
});

describe('CLI', () => {
  it('--help lists every option with its environment variable and examples', () => {
    const r = spawnSync('node', [CLI, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const s of [
      '--port',
      'PORT',
      '--host',
      'CALLSIM_HOST',
      '--clock',
      'CALLSIM_CLOCK',
      '--speed',
      'CALLSIM_SPEED',
      '--seed',
      'CALLSIM_SEED',
      '--latency',
      'CALLSIM_LATENCY_MS',
      '--strict',
      'CALLSIM_STRICT',
      '--admin-token',
      'CALLSIM_ADMIN_TOKEN',
      '--media-auth-token',
      'CALLSIM_MEDIA_AUTH_TOKEN',
      '--config',
      'CALLSIM_CONFIG',
      '--state-file',
      '--log-level',
      '--retain-calls',
      'CALLSIM_RETAIN_CALLS',
      '--transcript-delay-ms',
      'CALLSIM_TRANSCRIPT_DELAY_MS',
      '--recording-delay-ms',
      'CALLSIM_RECORDING_DELAY_MS',
      '--callers',
      'CALLSIM_CALLERS',
      'Examples:',
      'proxy',
    ]) {
      expect(r.stdout).toContain(s);
    }
  });

  it('exits non-zero with a clear message for an unknown flag, a bad value, an unreadable config and a busy port', async () => {
    const unknown = spawnSync('node', [CLI, '--bogus'], { encoding: 'utf8' });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
    const bad = spawnSync('node', [CLI, '--clock', 'sideways'], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('sideways');
    const cfg = spawnSync('node', [CLI, '--config', '/nonexistent/callsim.yaml', '--port', '0'], { encoding: 'utf8' });
    expect(cfg.status).toBe(1);
    expect(cfg.stderr).toContain('cannot read config file');
    const { url } = await launch('node', [CLI, '--port', '0', '--vendors', 'jagcall']);
    const port = new URL(url).port;
    const busy = spawnSync('node', [CLI, '--port', port, '--vendors', 'jagcall'], { encoding: 'utf8' });
    expect(busy.status).toBe(1);
    expect(busy.stderr).toContain('port already in use');
  });

  it('reads options from the environment and a config file (faults, scenarios, webhooks)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsim-'));
    const config = join(dir, 'callsim.yaml');
    writeFileSync(
      config,
      'seed: 5\nfaults:\n  - { vendor: jagcall, path: /v1/billing/balance, status: 502 }\nscenarios:\n  - { toPrefix: "+1999", outcome: busy }\n',
    );
    const { url } = await launch('node', [CLI, '--vendors', 'jagcall'], { PORT: '0', CALLSIM_CLOCK: 'virtual', CALLSIM_CONFIG: config });
    const health = await (await fetch(`${url}/__sim/health`)).json();
    expect(health).toEqual(expect.objectContaining({ clock: 'virtual', seed: 5 }));
    const r = await fetch(`${url}/jagcall/v1/billing/balance`, { headers: { authorization: 'Bearer jc_test_demo' } });
    expect(r.status).toBe(502);
  });

  it("README's config example works verbatim: every key takes effect", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = /A config file:\s*```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, 'README has a config example').toBeTruthy();
    const dir = mkdtempSync(join(tmpdir(), 'callsim-'));
    const config = join(dir, 'callsim.yaml');
    writeFileSync(config, example!);
    const file = parseYaml(example!);
    const { url } = await launch('node', [CLI, '--config', config, '--port', '0']);
    const health = await (await fetch(`${url}/__sim/health`)).json();
    expect(health).toMatchObject({ clock: file.clock, seed: file.seed });
    const cfg = await (await fetch(`${url}/__sim/config`)).json();
    expect(cfg).toMatchObject({ clock: file.clock, seed: file.seed, rateLimits: file.rateLimits, scenarios: file.scenarios });
    expect(cfg.faults).toEqual(file.faults.map((f: object) => ({ probability: 1, ...f })));
    // The dial-out signing token is a secret: it takes effect (the dial-out test checks a signature) but is never shown.
    const { authToken, ...conditions } = file.media;
    expect(cfg.media).toMatchObject(conditions);
    if (authToken) expect(JSON.stringify(cfg)).not.toContain(authToken);
    const subs = (await (await fetch(`${url}/__sim/webhooks/subscriptions`)).json()).data;
    for (const w of file.webhooks) expect(subs).toContainEqual(expect.objectContaining({ vendor: w.vendor, url: w.url, events: w.events, source: 'config' }));
  });

  it('applies defaults < config file < environment < flags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsim-'));
    const config = join(dir, 'callsim.json');
    writeFileSync(config, JSON.stringify({ seed: 1, clock: 'virtual', journalSize: 50, media: { latencyMs: 10 } }));
    const seedOf = async (url: string) => (await (await fetch(`${url}/__sim/health`)).json()).seed;
    const fileOnly = await launch('node', [CLI, '--config', config, '--port', '0', '--vendors', 'jagcall']);
    expect(await seedOf(fileOnly.url)).toBe(1);
    const cfg = await (await fetch(`${fileOnly.url}/__sim/config`)).json();
    expect(cfg).toMatchObject({ clock: 'virtual', journalSize: 50, media: { latencyMs: 10, agentDelayMs: 300 } });
    const env = await launch('node', [CLI, '--config', config, '--port', '0', '--vendors', 'jagcall'], { CALLSIM_SEED: '2', CALLSIM_LATENCY_MS: '20' });
    expect(await seedOf(env.url)).toBe(2);
    expect((await (await fetch(`${env.url}/__sim/config`)).json()).media.latencyMs).toBe(20);
    const flag = await launch('node', [CLI, '--config', config, '--port', '0', '--vendors', 'jagcall', '--seed', '3'], { CALLSIM_SEED: '2' });
    expect(await seedOf(flag.url)).toBe(3);
  });

  it('refuses a config file with a wrong type or an unknown key, naming the key, with a non-zero exit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsim-'));
    for (const [text, key] of [
      ['webhookTimeoutMs: "abc"\n', 'webhookTimeoutMs'],
      ['seed: 42\nclok: virtual\n', 'clok'],
      ['faults:\n  - { vendor: jagcall, status: 502, probabilty: 0.5 }\n', 'faults.0.probabilty'],
      ['media: { latencyMs: -5 }\n', 'media.latencyMs'],
    ]) {
      const config = join(dir, 'bad.yaml');
      writeFileSync(config, text);
      const r = spawnSync('node', [CLI, '--config', config, '--port', '0'], { encoding: 'utf8' });
      expect(r.status, text).toBe(1);
      expect(r.stderr, text).toContain(`config file ${config}`);
      expect(r.stderr, text).toContain(key);
    }
    const env = spawnSync('node', [CLI, '--port', '0'], { encoding: 'utf8', env: { ...process.env, CALLSIM_SPEED: 'fast' } });
    expect(env.status).toBe(1);
    expect(env.stderr).toContain('speed');
  });

  it("signs media dial-outs with the config file's media.authToken (never shown by GET /__sim/config) and logs the media streams", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsim-'));
    const config = join(dir, 'callsim.yaml');
    writeFileSync(config, 'media: { authToken: file-token, playoutMs: 80 }\nscenarios:\n  - { toPrefix: "+1555", outcome: answered, ringSec: 0 }\n');
    const agents = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => agents.once('listening', r));
    const handshake = new Promise<IncomingMessage>((resolve) =>
      agents.once('connection', (ws, req) => {
        resolve(req);
        ws.close();
      }),
    );
    try {
      const { url, out } = await launch('node', [CLI, '--vendors', 'jagcall', '--config', config, '--log-level', 'debug'], { PORT: '0' });
      const mediaUrl = `ws://127.0.0.1:${(agents.address() as AddressInfo).port}/stream`;
      const created = await fetch(`${url}/jagcall/v1/calls`, {
        method: 'POST',
        headers: { authorization: 'Bearer jc_test_demo', 'content-type': 'application/json' },
        body: JSON.stringify({ agent_id: 'agt_xxx', to: '+15555550100', metadata: { media_url: mediaUrl } }),
      });
      expect(created.status).toBe(201);
      const req = await handshake;
      expect(twilio.validateRequest('file-token', req.headers['x-twilio-signature'] as string, mediaUrl, {})).toBe(true);
      const shown = await (await fetch(`${url}/__sim/config`)).json();
      expect(shown.media).toEqual({ latencyMs: 0, jitterMs: 0, lossPercent: 0, agentDelayMs: 300, playoutMs: 80 });
      expect(JSON.stringify(shown)).not.toContain('file-token');
      await expect.poll(() => out(), { timeout: 5000 }).toMatch(/"msg":"media dial-out connected"/);
    } finally {
      agents.close();
    }
  });

  it('saves state on SIGTERM atomically and loads it at the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsim-'));
    const file = join(dir, 'state.json');
    const first = await launch('node', [CLI, '--port', '0', '--vendors', 'jagcall', '--state-file', file, '--clock', 'virtual']);
    const created = await (
      await fetch(`${first.url}/jagcall/v1/agents`, {
        method: 'POST',
        headers: { authorization: 'Bearer jc_test_demo', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Survivor' }),
      })
    ).json();
    const exited = new Promise<number | null>((r) => first.child.on('exit', r));
    first.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe('callsim-state');
    const second = await launch('node', [CLI, '--port', '0', '--vendors', 'jagcall', '--state-file', file, '--clock', 'virtual']);
    const got = await fetch(`${second.url}/jagcall/v1/agents/${created.id}`, { headers: { authorization: 'Bearer jc_test_demo' } });
    expect(got.status).toBe(200);
    expect((await got.json()).name).toBe('Survivor');
  });

  it('guards the admin API with --admin-token', async () => {
    const { url } = await launch('node', [CLI, '--port', '0', '--vendors', 'jagcall', '--admin-token', 's3cret']);
    expect((await fetch(`${url}/__sim/health`)).status).toBe(401);
    expect((await fetch(`${url}/__sim/health`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
  });
});

describe('simulated callers and callsim load', () => {
  it('loads a callers folder at start, and refuses to start on a bad file, naming the file and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsim-cli-callers-'));
    writeFileSync(join(dir, 'hello.yaml'), 'language: en\nlines:\n  - { text: Hello?, after: 0 }\n');
    const { url } = await launch('node', [CLI, '--port', '0', '--vendors', 'jagcall'], { CALLSIM_CALLERS: dir });
    expect((await (await fetch(`${url}/__sim/callers`)).json()).data.map((c: { name: string }) => c.name)).toEqual(['hello']);
    writeFileSync(join(dir, 'broken.yaml'), 'language: en\nlines:\n  - { text: Hi, keys: "1x" }\n');
    const r = spawnSync('node', [CLI, '--port', '0', '--callers', dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`callsim: invalid caller file ${join(dir, 'broken.yaml')}: lines.0.keys: has an invalid format\n`);
  });

  it('`callsim load` runs callers against an agent, prints a summary table and exits 0 only when every call completed', async () => {
    const { url } = await launch('node', [CLI, '--port', '0', '--vendors', 'jagcall']);
    await fetch(`${url}/__sim/callers/hi`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'en', lines: [{ text: 'Hello?', after: 0, hangup: true }] }),
    });
    const agent = new WebSocketServer({ port: 0 });
    agent.on('connection', (ws) => ws.on('message', (d) => JSON.parse(d.toString()).event === 'stop' && ws.close()));
    await new Promise((r) => agent.once('listening', r));
    const mediaUrl = `ws://127.0.0.1:${(agent.address() as AddressInfo).port}/`;
    try {
      const run = (args: string[]) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn('node', [CLI, 'load', '--server', url, ...args], { cwd: ROOT });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d) => (stdout += d));
          child.stderr.on('data', (d) => (stderr += d));
          child.on('exit', (code) => resolve({ code, stdout, stderr }));
        });
      const ok = await run(['-n', '2', '-r', '20', '--media-url', mediaUrl, '--caller', 'hi']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/^run +load_1 done \([\d.]+ s\), 2 calls to ws:\/\/127\.0\.0\.1:\d+\/, caller hi$/m);
      expect(ok.stdout).toMatch(/^calls +started 2, completed 2, failed 0$/m);
      expect(ok.stdout).toMatch(/^verdicts +pass 2, fail 0$/m);
      expect(ok.stderr).toMatch(/load_1 done: 2\/2 placed/);
      const failed = await run(['-n', '1', '-r', '20', '--media-url', 'ws://127.0.0.1:9/', '--json']);
      expect(failed.code).toBe(1);
      expect(JSON.parse(failed.stdout).failures).toEqual({ 'dial: connect ECONNREFUSED 127.0.0.1:9': 1 });
      const refused = await run(['-n', '1', '--media-url', mediaUrl, '--caller', 'nobody']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe('callsim load: POST /__sim/load answered 400: No caller named nobody; known callers are listed at GET /__sim/callers\n');
    } finally {
      agent.close();
    }
  });
});

describe('callsim proxy', () => {
  it("forwards to the upstream unchanged and reports both sides' contract violations", async () => {
    const upstream = await launch('node', [CLI, '--port', '0', '--vendors', 'jagcall', '--clock', 'virtual']);
    const child = spawn('node', [CLI, 'proxy', 'jagcall', `${upstream.url}/jagcall`, '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.push(child);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /callsim proxy for JagCall: (http:\/\/[^\s]+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`proxy exited ${code}: ${out}`)));
    });
    const auth = { authorization: 'Bearer jc_test_demo' };
    const good = await fetch(`${url}/v1/agents`, { headers: auth });
    expect(good.status).toBe(200);
    expect((await good.json()).data[0].id).toBe('agt_xxx');
    expect(good.headers.get('x-callsim-request-violations')).toBe('0');
    expect(good.headers.get('x-callsim-response-violations')).toBe('0');
    const bad = await fetch(`${url}/v1/calls`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ agent_id: 'agt_xxx', to: 'nope', extra: 1 }),
    });
    expect(bad.status).toBe(422);
    expect(Number(bad.headers.get('x-callsim-request-violations'))).toBe(2);
    const report = await (await fetch(`${url}/__proxy/violations`)).json();
    expect(report.data).toHaveLength(1);
    expect(report.data[0].violations.map((v: { field: string }) => v.field).sort()).toEqual(['extra', 'to']);
  });
});
