/**
 * Two callsim processes, one Redis (Debian's redis-server), one world: what is made through one is
 * read, streamed and fetched through the other; reset and config reach both.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../../bench/targets.js';

const ROOT = join(import.meta.dirname, '..', '..');
// The command line as installed (bundled), so the cluster's chunk of the bundle is what runs.
const CLI = join(ROOT, 'dist', 'cli', 'cli.js');
const hasRedis = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasRedis) {
  process.stderr.write('\n\n*** SKIPPING the cluster test: redis-server is not installed (apt-get install -y redis-server; .ci/run installs it) ***\n\n');
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Starts one process and resolves with its output once `ready` matches it (or rejects when it exits first). */
function start(cmd: string, args: string[], ready: RegExp): Promise<{ child: ChildProcess; out: () => string; match: RegExpExecArray }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, out: () => out, match: m });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`${cmd} exited ${code}: ${out}`), { out }));
    });
  });
}

const callsim = (redis: string, ...more: string[]) =>
  start(process.execPath, [CLI, '--port', '0', '--seed', '7', '--log-level', 'warn', '--cluster', redis, ...more], /callsim listening on (http:\/\/\S+)/);

const json = async (url: string, init: RequestInit & { key?: string; body?: string } = {}) => {
  const headers: Record<string, string> = {
    ...(init.body ? { 'content-type': 'application/json' } : {}),
    ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
  };
  const r = await fetch(url, { ...init, headers });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : undefined };
};

const waitFor = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe.skipIf(!hasRedis)('a cluster of two processes', () => {
  let redis = '';
  let a = '';
  let b = '';

  beforeAll(async () => {
    const port = await freePort();
    await start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], /Ready to accept connections/);
    redis = `redis://127.0.0.1:${port}`;
    a = (await callsim(redis)).match[1];
    b = (await callsim(redis)).match[1];
    // Calls to +1555… are answered at once and talk for 3 s (the config reaches both processes).
    const r = await json(`${b}/__sim/config`, {
      method: 'PUT',
      body: JSON.stringify({ scenarios: [{ toPrefix: '+1555', outcome: 'answered', ringSec: 0, durationSec: 3 }] }),
    });
    expect(r.status).toBe(200);
  }, 60_000);

  it('serves an account minted through one process through the other, with ids of its own', async () => {
    const minted = await json(`${a}/__sim/accounts`, { method: 'POST', body: JSON.stringify({ vendor: 'jagcall', fixtures: 'demo' }) });
    expect(minted.status).toBe(201);
    const key = minted.body.key;
    const agents = await json(`${b}/jagcall/v1/agents`, { key });
    expect(agents.status).toBe(200);
    expect(agents.body.data.map((x: { id: string }) => x.id)).toContain('agt_xxx');
    // Made through b, owned by a: read back through a; and b's own minted account never collides.
    const made = await json(`${b}/jagcall/v1/agents`, { method: 'POST', key, body: JSON.stringify({ name: 'Across', voice_id: 'rachel' }) });
    expect(made.status).toBe(201);
    expect((await json(`${a}/jagcall/v1/agents/${made.body.id}`, { key })).body.name).toBe('Across');
    const other = await json(`${b}/__sim/accounts`, { method: 'POST', body: JSON.stringify({ vendor: 'jagcall', fixtures: 'demo' }) });
    expect(other.body.key).not.toBe(key);
    expect(other.body.account).not.toBe(minted.body.account);
    // Deleting through the process that does not own the account deletes it on its owner.
    expect((await fetch(`${b}/__sim/accounts/${minted.body.account}`, { method: 'DELETE' })).status).toBe(204);
    expect((await json(`${a}/jagcall/v1/agents`, { key })).status).toBe(401);
  });

  it('keeps the demo accounts on one process: what one process does with the demo key, the other sees', async () => {
    const made = await json(`${a}/jagcall/v1/agents`, {
      method: 'POST',
      key: 'jc_test_demo',
      body: JSON.stringify({ name: 'Shared demo', voice_id: 'rachel' }),
    });
    expect(made.status).toBe(201);
    const listed = await json(`${b}/jagcall/v1/agents?per_page=100`, { key: 'jc_test_demo' });
    expect(listed.body.data.map((x: { name: string }) => x.name)).toContain('Shared demo');
  });

  it('streams media and serves the recording of a call through the process that does not own it', async () => {
    const minted = await json(`${a}/__sim/accounts`, { method: 'POST', body: JSON.stringify({ vendor: 'jagcall', fixtures: 'demo' }) });
    const key = minted.body.key;
    const call = await json(`${b}/jagcall/v1/calls`, { method: 'POST', key, body: JSON.stringify({ agent_id: 'agt_xxx', to: '+15555550123' }) });
    expect(call.status).toBe(201);
    const id = call.body.id;
    expect((await json(`${a}/jagcall/v1/calls/${id}`, { key })).body.id).toBe(id);
    await waitFor('the call to connect', async () => (await json(`${b}/jagcall/v1/calls/${id}`, { key })).body.status === 'in_progress');

    const ws = new WebSocket(`${b.replace('http', 'ws')}/__sim/media/jagcall/${id}?role=listen`);
    const events: string[] = [];
    let media = 0;
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      events.push(m.event);
      if (m.event === 'media') media++;
    });
    await waitFor('audio through the other process', async () => media >= 10, 10_000);
    expect(events.slice(0, 2)).toEqual(['connected', 'start']);
    ws.close();

    await waitFor('the recording', async () => (await json(`${a}/__sim/calls/${id}`)).body.recording_url !== null);
    const link = new URL((await json(`${a}/__sim/calls/${id}`)).body.recording_url);
    // The link names the owner; fetched through the other process it is forwarded there.
    const through = `${b}${link.pathname}${link.search}`;
    const wav = await fetch(through);
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toContain('audio/wav');
    const bytes = Buffer.from(await wav.arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('RIFF');
    expect(bytes.length).toBeGreaterThan(8000);
  }, 60_000);

  it('resets and reconfigures every process from any one of them', async () => {
    const minted = await json(`${a}/__sim/accounts`, { method: 'POST', body: JSON.stringify({ vendor: 'callingbox', fixtures: 'empty' }) });
    expect((await json(`${b}/callingbox/v1/agents`, { key: minted.body.key })).status).toBe(200);
    const reset = await json(`${b}/__sim/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect((await json(`${a}/callingbox/v1/agents`, { key: minted.body.key })).status).toBe(401);
    expect((await json(`${b}/callingbox/v1/agents`, { key: minted.body.key })).status).toBe(401);

    const put = await json(`${a}/__sim/config`, { method: 'PUT', body: JSON.stringify({ journalSize: 321 }) });
    expect(put.status).toBe(200);
    expect((await json(`${b}/__sim/config`)).body.journalSize).toBe(321);
  });

  it('refuses a virtual clock in a cluster with a clear start-up error', async () => {
    const err = await callsim(redis, '--clock', 'virtual').catch((e: Error & { out?: string }) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error & { out: string }).out).toMatch(/--cluster: a cluster runs on the real clock only/);
  });
});
