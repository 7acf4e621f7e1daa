import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hubFor } from '../../src/dashboard/hub.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { openEvents, type SseClient } from './sse.js';

/** The event stream behind the dashboard: snapshot, then pushed changes, never polled. */
let sim: TestSim;
let receiver: http.Server;
let receiverUrl: string;
let clients: SseClient[] = [];
const open = async () => {
  const c = await openEvents(sim.url);
  clients.push(c);
  return c;
};
/** JagCall is the reference vendor: the tests run with it alone or with every vendor. */
const VENDOR = 'jagcall';
const vendor = () => VENDOR;

beforeAll(async () => {
  sim = await startTestSim();
  receiver = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end('ok')));
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await sim.stop();
  await new Promise((r) => receiver.close(r));
});
beforeEach(async () => {
  expect(sim.running.sim.vendor(VENDOR), `these tests drive ${VENDOR}`).toBeDefined();
  await sim.reset();
});
afterEach(() => {
  for (const c of clients) c.close();
  clients = [];
});

describe('GET /__sim/events', () => {
  it('starts with a snapshot in the admin API shapes', async () => {
    const es = await open();
    const snap = (await es.next((e) => e.event === 'snapshot')).data;
    const calls = (await sim.admin('GET', '/calls')).body.data;
    expect(snap.calls).toEqual(calls);
    expect(snap.vendors.map((v: any) => v.name)).toEqual(sim.running.sim.vendors.map((r) => r.adapter.name));
    expect(snap.clock).toEqual((await sim.admin('GET', '/clock')).body);
    expect(snap.deliveries).toEqual([]);
    expect(Array.isArray(snap.journal)).toBe(true);
  });

  it('pushes a call as it moves, and the clock when it is advanced', async () => {
    const es = await open();
    await es.next((e) => e.event === 'snapshot');
    const created = (await sim.admin('POST', '/calls', { vendor: vendor(), to: '+14155550123' })).body;
    const mine = (status: string) => (e: { event: string; data: any }) => e.event === 'call' && e.data.id === created.id && e.data.status === status;
    // Created through the admin API: no world event yet, still on the page at once.
    await es.next(mine('queued'));
    await sim.advance(2_000);
    await es.next(mine('ringing'));
    await sim.advance(10_000);
    await es.next(mine('in-progress'));
    const now = (await sim.admin('GET', '/clock')).body;
    const clock = await es.next((e) => e.event === 'clock' && e.data.nowMs === now.nowMs);
    expect(clock.data).toEqual(now);
    await sim.advance(60_000);
    await es.next(mine('completed'));
    const ready = await es.next((e) => e.event === 'call' && e.data.id === created.id && e.data.recording_ready && e.data.transcript_ready);
    expect(ready.data).toEqual((await sim.admin('GET', '/calls')).body.data.find((c: any) => c.id === created.id));
  });

  it('pushes webhook deliveries through pending, delivered and retrying, and redeliveries', async () => {
    await sim.admin('POST', '/webhooks/subscriptions', { vendor: vendor(), url: receiverUrl });
    await sim.admin('POST', '/webhooks/subscriptions', { vendor: vendor(), url: 'http://127.0.0.1:9/refused' });
    const es = await open();
    await es.next((e) => e.event === 'snapshot');
    await sim.admin('POST', '/calls', { vendor: vendor(), to: '+14155550123' });
    await sim.advance(10_000);
    const ok = await es.next((e) => e.event === 'delivery' && e.data.url === receiverUrl && e.data.state === 'succeeded');
    expect(ok.data.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 200, error: null })]);
    expect(ok.data).not.toHaveProperty('payload');
    const retrying = await es.next((e) => e.event === 'delivery' && e.data.url.endsWith('/refused') && e.data.state === 'retrying');
    expect(retrying.data.next_attempt_at).toEqual(expect.any(String));
    expect(retrying.data.attempts[0].error).toBe('connection refused');
    const r = await sim.admin('POST', `/webhooks/deliveries/${ok.data.id}/redeliver`);
    expect(r.status).toBe(202);
    const again = await es.after((e) => e.event === 'delivery' && e.data.redelivery_of === ok.data.id && e.data.state === 'succeeded');
    expect(again.data.id).toBe(r.body.id);
  });

  it('pushes each vendor request with its contract verdict', async () => {
    const es = await open();
    await es.next((e) => e.event === 'snapshot');
    const runtime = sim.running.sim.vendor(VENDOR)!;
    await fetch(`${sim.url}${runtime.adapter.prefix}/v1/calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${runtime.adapter.demoKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: 42 }),
    });
    const row = await es.next((e) => e.event === 'journal' && e.data.method === 'POST');
    expect(row.data).toEqual(expect.objectContaining({ vendor: runtime.adapter.name, path: '/v1/calls', status: expect.any(Number) }));
    expect(row.data.violations.length).toBeGreaterThan(0);
    const last = (await sim.admin('GET', '/journal')).body.data.at(-1);
    const { id: _id, ...same } = last;
    expect(row.data).toEqual(same);
  });

  it('sends a fresh snapshot after a reset and after a state restore', async () => {
    const es = await open();
    await es.next((e) => e.event === 'snapshot');
    const created = (await sim.admin('POST', '/calls', { vendor: vendor(), to: '+14155550123' })).body;
    await es.next((e) => e.event === 'call' && e.data.id === created.id);
    const saved = (await sim.admin('GET', '/state')).body;
    await sim.reset();
    const afterReset = await es.after((e) => e.event === 'snapshot');
    expect(afterReset.data.calls.map((c: any) => c.id)).not.toContain(created.id);
    expect((await sim.admin('PUT', '/state', saved)).status).toBe(200);
    const afterRestore = await es.after((e) => e.event === 'snapshot');
    expect(afterRestore.data.calls.map((c: any) => c.id)).toContain(created.id);
    // The restored world has a new call index: calls made now still reach the page at once.
    const later = (await sim.admin('POST', '/calls', { vendor: vendor(), to: '+14155550124' })).body;
    await es.after((e) => e.event === 'call' && e.data.id === later.id);
  });

  it('a page opened after a restore made with no page open still sees new calls', async () => {
    const saved = (await sim.admin('GET', '/state')).body;
    expect((await sim.admin('PUT', '/state', saved)).status).toBe(200);
    const es = await open();
    await es.next((e) => e.event === 'snapshot');
    const created = (await sim.admin('POST', '/calls', { vendor: vendor(), to: '+14155550125' })).body;
    await es.next((e) => e.event === 'call' && e.data.id === created.id);
  });

  it('forgets a page that disconnects', async () => {
    const hub = hubFor(sim.running.sim);
    const es = await open();
    await es.next((e) => e.event === 'snapshot');
    expect(hub.size).toBe(1);
    es.close();
    await expect.poll(() => hub.size, { timeout: 2000 }).toBe(0);
  });
});

describe('the views the page reads', () => {
  it('GET /__sim/dashboard/calls/:id shows the turns said so far, then the final transcript', async () => {
    const created = (await sim.admin('POST', '/calls', { vendor: vendor(), to: '+14155550123' })).body;
    await sim.advance(15_000);
    const live = (await sim.admin('GET', `/dashboard/calls/${created.id}`)).body;
    expect(live.status).toBe('in-progress');
    expect(live.transcript).toEqual([]);
    expect(live.live_transcript.length).toBeGreaterThan(0);
    expect(live.next_turn_at).toEqual(expect.any(String));
    expect(live.recording_path).toBeNull();
    expect(live.media_path).toBe(`/__sim/media/${vendor()}/${created.id}`);
    await sim.advance(60_000);
    const done = (await sim.admin('GET', `/dashboard/calls/${created.id}`)).body;
    expect(done.transcript.length).toBeGreaterThanOrEqual(live.live_transcript.length);
    expect(done.live_transcript).toEqual([]);
    expect(done.recording_path).toMatch(/^\/__sim\/recordings\/.+\.wav\?expires=\d+&sig=[0-9a-f]{64}$/);
    expect((await fetch(sim.url + done.recording_path)).headers.get('content-type')).toBe('audio/wav');
    expect((await sim.admin('GET', '/dashboard/calls/nope')).status).toBe(404);
  });

  it('GET /__sim/dashboard/meta lists accounts with agents and numbers, and the config', async () => {
    const meta = (await sim.admin('GET', '/dashboard/meta')).body;
    const demo = meta.accounts.find((a: any) => a.vendor === vendor() && a.agents.length && a.numbers.length);
    expect(demo.agents[0]).toEqual({ id: expect.any(String), name: expect.any(String) });
    expect(demo.numbers[0]).toEqual({ e164: expect.stringMatching(/^\+\d+$/), agent_id: expect.anything() });
    expect(meta.config.media).toEqual(sim.running.sim.options.media);
  });
});

describe('shutdown and the admin gate', () => {
  it('an open stream does not keep the server from closing', async () => {
    const other = await startTestSim();
    const es = await openEvents(other.url);
    await es.next((e) => e.event === 'snapshot');
    const started = Date.now();
    await other.stop();
    await es.closed;
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('the stream is behind the admin token like the rest of /__sim', async () => {
    const gated = await startTestSim({ adminToken: 'sekrit' });
    try {
      expect((await fetch(`${gated.url}/__sim/events`)).status).toBe(401);
      const res = await fetch(`${gated.url}/__sim/events`, { headers: { authorization: 'Bearer sekrit' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      await res.body?.cancel();
    } finally {
      await gated.stop();
    }
  });
});
