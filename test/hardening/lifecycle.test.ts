/**
 * Nothing is lost on the way down: the state is saved first on SIGTERM and SIGHUP (a slow client
 * never holds the save up), periodically with --save-every, a failed save keeps the previous file,
 * a crashed save's temporary file is cleaned up. And the proxy never dies on a request.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist/cli/cli.js');
let children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children = [];
});

function launch(args: string[], banner = /callsim listening on (http:\/\/\S+)/): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn('node', [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 15_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = banner.exec(out);
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

const exitOf = (c: ChildProcess) => new Promise<number | null>((r) => c.once('exit', (code) => r(code)));

async function addAgent(url: string, name: string): Promise<string> {
  const r = await fetch(`${url}/jagcall/v1/agents`, {
    method: 'POST',
    headers: { authorization: 'Bearer jc_test_demo', 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  return (await r.json()).id;
}

const savedNames = (file: string) => (JSON.parse(readFileSync(file, 'utf8')).world.stores.jc_org_demo.agents as Array<{ name: string }>).map((a) => a.name);

describe('saving the state', () => {
  it('SIGHUP saves before it exits', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'callsim-')), 'state.json');
    const { child, url } = await launch(['--port', '0', '--vendors', 'jagcall', '--clock', 'virtual', '--state-file', file]);
    await addAgent(url, 'Hung up on');
    const exited = exitOf(child);
    child.kill('SIGHUP');
    expect(await exited).toBe(0);
    expect(savedNames(file)).toContain('Hung up on');
  });

  it('SIGTERM saves first, and a client trickling a request does not hold the exit up for minutes', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'callsim-')), 'state.json');
    const { child, url } = await launch(['--port', '0', '--vendors', 'jagcall', '--clock', 'virtual', '--state-file', file]);
    await addAgent(url, 'Before the slow client');
    const u = new URL(url);
    const slow = net.connect(Number(u.port), u.hostname);
    slow.on('error', () => undefined);
    await new Promise((r) => slow.once('connect', r));
    slow.write('POST /jagcall/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const drip = setInterval(() => slow.write(' '), 200);
    const t0 = performance.now();
    const exited = exitOf(child);
    child.kill('SIGTERM');
    try {
      expect(await exited).toBe(0);
    } finally {
      clearInterval(drip);
      slow.destroy();
    }
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(savedNames(file)).toContain('Before the slow client');
  });

  it('--save-every saves while running; a stale temporary file is removed at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsim-'));
    const file = join(dir, 'state.json');
    writeFileSync(`${file}.99999.tmp`, '{"half": ');
    const { url, out } = await launch(['--port', '0', '--vendors', 'jagcall', '--clock', 'virtual', '--state-file', file, '--save-every', '1']);
    expect(existsSync(`${file}.99999.tmp`)).toBe(false);
    // The log line goes to stderr and the banner to stdout: either may arrive first.
    await expect.poll(() => out(), { timeout: 5000 }).toContain('removed temporary files');
    await addAgent(url, 'Saved on the way');
    await expect.poll(() => existsSync(file) && savedNames(file).includes('Saved on the way'), { timeout: 5000 }).toBe(true);
  });

  it('a save that fails says so, with the path, and keeps the previous file whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsim-'));
    const file = join(dir, 'state.json');
    const { child, url, out } = await launch(['--port', '0', '--vendors', 'jagcall', '--clock', 'virtual', '--state-file', file, '--save-every', '1']);
    await addAgent(url, 'First');
    await expect.poll(() => existsSync(file) && savedNames(file).includes('First'), { timeout: 5000 }).toBe(true);
    // A directory where the next temporary file should go makes every later save fail.
    mkdirSync(`${file}.${child.pid}.tmp`);
    await addAgent(url, 'Second');
    await expect.poll(() => out(), { timeout: 5000 }).toMatch(/cannot save the state to .*state\.json/);
    expect(savedNames(file)).toContain('First');
    expect(savedNames(file)).not.toContain('Second');
    expect(() => JSON.parse(readFileSync(file, 'utf8'))).not.toThrow();
  });

  it('a doctored state file stops the start with the reason and a non-zero exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsim-'));
    const file = join(dir, 'state.json');
    const first = await launch(['--port', '0', '--vendors', 'jagcall', '--clock', 'virtual', '--state-file', file]);
    const exited = exitOf(first.child);
    first.child.kill('SIGTERM');
    await exited;
    const snap = JSON.parse(readFileSync(file, 'utf8'));
    delete snap.world.stores.jc_org_demo.calls[0].createdAt;
    writeFileSync(file, JSON.stringify(snap));
    const again = spawn('node', [CLI, '--port', '0', '--vendors', 'jagcall', '--state-file', file], { cwd: ROOT });
    children.push(again);
    let err = '';
    again.stderr.on('data', (d) => (err += d));
    expect(await exitOf(again)).toBe(1);
    expect(err).toMatch(/createdAt is required/);
  });
});

describe('callsim proxy', () => {
  it('never dies on a request, never forwards a truncated body, and passes Expect: 100-continue', async () => {
    const upstream = await launch(['--port', '0', '--vendors', 'jagcall', '--clock', 'virtual']);
    const proxy = await launch(['proxy', 'jagcall', `${upstream.url}/jagcall`, '--port', '0'], /callsim proxy for JagCall: (http:\/\/\S+)/);
    const u = new URL(proxy.url);
    const rawRequest = (text: string) =>
      new Promise<string>((resolve) => {
        const s = net.connect(Number(u.port), u.hostname, () => s.write(text));
        let got = '';
        s.on('data', (d) => (got += d));
        s.on('close', () => resolve(got));
        s.on('error', () => resolve(got));
      });
    const broken = await rawRequest('GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(broken).toMatch(/^HTTP\/1\.1 4\d\d/);
    // Still alive.
    const alive = await fetch(`${proxy.url}/v1/agents`, { headers: { authorization: 'Bearer jc_test_demo' } });
    expect(alive.status).toBe(200);
    // Too large to read whole: refused, not forwarded cut short.
    const huge = await fetch(`${proxy.url}/v1/agents`, {
      method: 'POST',
      headers: { authorization: 'Bearer jc_test_demo', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', pad: 'y'.repeat(17 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    const agents = await (await fetch(`${upstream.url}/jagcall/v1/agents`, { headers: { authorization: 'Bearer jc_test_demo' } })).json();
    expect(agents.pagination.total).toBe(3);
    // Expect: 100-continue is answered by the proxy and the body is forwarded.
    const continued = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${proxy.url}/v1/agents`, {
        method: 'POST',
        headers: { authorization: 'Bearer jc_test_demo', 'content-type': 'application/json', expect: '100-continue' },
      });
      req.on('continue', () => req.end(JSON.stringify({ name: 'Continued' })));
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    expect(continued).toBe(201);
  });
});
