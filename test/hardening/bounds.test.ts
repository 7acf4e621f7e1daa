/**
 * Bounded cost for everything a client can send: what one request leaves behind (journal, logs,
 * stream), what a connection can make the server hold, how long a slow client is waited for, how
 * deep a value may be, how long a recording takes to start, how many logins a user keeps.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOURNAL_MAX_BYTES } from '../../src/journal.js';
import { startReceiver } from '../helpers/receiver.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim({ vendors: ['jagcall', 'callgenius'], journalSize: 1_000_000, rateLimits: { callgenius: false } });
});
afterAll(() => sim.stop());

describe('what one request leaves behind', () => {
  it('a body with 90,000 unknown keys costs a capped list plus a count, in the answer and the journal', async () => {
    const body: Record<string, unknown> = { name: 'x' };
    for (let i = 0; i < 90_000; i++) body[`k${i}`] = 1;
    const raw = JSON.stringify(body);
    expect(raw.length).toBeLessThan(1024 * 1024);
    for (let i = 0; i < 5; i++) {
      const r = await sim.api('jagcall', 'POST', '/v1/agents', { raw, headers: { 'content-type': 'application/json' }, skipContract: true });
      expect(r.status).toBeLessThan(500);
      expect(r.text.length).toBeLessThan(20_000);
    }
    const rows = (await sim.admin('GET', '/journal?operation=createAgent')).body.data;
    expect(rows.length).toBe(5);
    for (const row of rows) {
      // Unknown fields are warnings (the vendor's pages are silent on them): listed up to 20, all counted.
      expect(row.warnings.length).toBeLessThanOrEqual(20);
      expect(row.warningCount).toBeGreaterThanOrEqual(90_000);
      expect(row.violations.length).toBeLessThanOrEqual(20);
    }
    // Under --strict the same body is refused, and the errors are capped the same way.
    const strict = await sim.admin('PUT', '/config', { strict: true });
    expect(strict.status).toBe(200);
    const r = await sim.api('jagcall', 'POST', '/v1/agents', { raw, headers: { 'content-type': 'application/json' }, skipContract: true });
    expect(r.status).toBe(422);
    expect(r.text.length).toBeLessThan(20_000);
    const last = (await sim.admin('GET', '/journal?operation=createAgent&limit=1')).body.data[0];
    expect(last.violations.length).toBeLessThanOrEqual(20);
    expect(last.violationCount).toBeGreaterThanOrEqual(90_000);
    await sim.admin('PUT', '/config', { strict: false });
  });

  it('the journal stays within its byte budget however many large rows arrive', async () => {
    const longPath = `/v1/agents/${'x'.repeat(15_000)}`;
    for (let i = 0; i < 400; i++) await sim.api('jagcall', 'GET', longPath, { skipContract: true });
    const stats = sim.running.sim.journal.stats();
    expect(stats.bytes).toBeLessThanOrEqual(JOURNAL_MAX_BYTES);
    const rows = (await sim.admin('GET', '/journal')).body.data;
    expect(rows.every((r: { path: string }) => r.path.length <= 2048)).toBe(true);
  });
});

describe('what a connection can make the server hold', () => {
  it('a client that pipelines thousands of requests and never reads is bounded, and others are served meanwhile', async () => {
    const u = new URL(sim.url);
    const socket = net.connect(Number(u.port), u.hostname);
    await new Promise((r) => socket.once('connect', r));
    socket.pause();
    const request = `GET /__sim/state HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    const rssBefore = process.memoryUsage().rss;
    socket.write(request.repeat(5000));
    const t0 = performance.now();
    const health = await fetch(`${sim.url}/__sim/health`);
    expect(health.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(5000);
    // Past the waiting limit the connection is closed, not buffered.
    await closed;
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(400 * 1024 * 1024);
  });
});

/** Opens a raw connection, writes `first`, then `drip` every 300 ms: how long until the server closes it. */
async function trickle(limits: { requestTimeoutMs: number; headersTimeoutMs: number }, first: string, drip: string): Promise<number> {
  const slow = await startTestSim({ vendors: ['jagcall'], limits });
  try {
    const u = new URL(slow.url);
    const socket = net.connect(Number(u.port), u.hostname);
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('connect', r));
    const t0 = performance.now();
    const closed = new Promise<number>((r) => socket.once('close', () => r(performance.now() - t0)));
    socket.write(first);
    const timer = setInterval(() => socket.write(drip), 300);
    const after = await closed;
    clearInterval(timer);
    return after;
  } finally {
    await slow.stop();
  }
}

describe('slow clients', () => {
  it('a body trickled a byte at a time is cut off at the request timeout', async () => {
    const first = 'POST /jagcall/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{';
    expect(await trickle({ requestTimeoutMs: 1000, headersTimeoutMs: 1000 }, first, ' ')).toBeLessThan(4000);
  });

  it('headers trickled past the headers timeout are cut off too', async () => {
    expect(await trickle({ headersTimeoutMs: 1000, requestTimeoutMs: 2000 }, 'GET /__sim/health HTTP/1.1\r\n', 'X-A: b\r\n')).toBeLessThan(4000);
  });
});

describe('deep values', () => {
  it("deeply nested JSON is refused with the vendor's 400 before anything recursive reads it", async () => {
    const deep = `{"agent_id":"agt_xxx","to":"+14155559876","metadata":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    const r = await sim.api('jagcall', 'POST', '/v1/calls', { raw: deep, headers: { 'content-type': 'application/json' }, skipContract: true });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/nested deeper than 64/);
    const arrays = await sim.api('jagcall', 'POST', '/v1/calls', {
      raw: '['.repeat(100_000) + ']'.repeat(100_000),
      headers: { 'content-type': 'application/json' },
      skipContract: true,
    });
    expect(arrays.status).toBe(400);
  });
});

describe('recordings', () => {
  it('a day-long call streams at once, in ranges, without holding the event loop', async () => {
    const created = await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155559876' } });
    await sim.admin('PUT', '/config', { scenarios: [{ toPrefix: '+1999', outcome: 'answered', durationSec: 86_400 }] });
    const long = await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+19995550100' } });
    await sim.advance(86_400_000 + 600_000);
    const link = (await sim.api('jagcall', 'GET', `/v1/calls/${long.body.id}/recording`)).body.recording_url;
    const total = 44 + 86_400 * 8000 * 4;
    // A range from the middle: just those bytes, at once.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const t0 = performance.now();
    const part = await fetch(link, { headers: { range: 'bytes=1000000-1099999' } });
    const bytes = Buffer.from(await part.arrayBuffer());
    clearInterval(ticker);
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000000-1099999/${total}`);
    expect(bytes.length).toBe(100_000);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(ticks).toBeGreaterThan(0);
    // The whole file announces its full size and starts with a header that says so; reading 1 MB of it is enough.
    const whole = await fetch(link);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe(String(total));
    const reader = whole.body!.getReader();
    const first = await reader.read();
    const head = Buffer.from(first.value!);
    expect(head.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(head.readUInt32LE(40)).toBe(total - 44);
    await reader.cancel();
    // The tail, by suffix; a range past the end is 416.
    const tail = await fetch(link, { headers: { range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).length).toBe(10);
    const outside = await fetch(link, { headers: { range: `bytes=${total}-` } });
    expect(outside.status).toBe(416);
    // A normal call's recording is byte-for-byte the same whole or assembled from ranges.
    await sim.advance(600_000);
    const short = (await sim.api('jagcall', 'GET', `/v1/calls/${created.body.id}/recording`)).body.recording_url;
    const full = Buffer.from(await (await fetch(short)).arrayBuffer());
    const a = Buffer.from(await (await fetch(short, { headers: { range: 'bytes=0-99999' } })).arrayBuffer());
    const b = Buffer.from(await (await fetch(short, { headers: { range: 'bytes=100000-' } })).arrayBuffer());
    expect(Buffer.concat([a, b]).equals(full)).toBe(true);
  });
});

describe('logins', () => {
  it('CallGeni.us login tokens expire and are bounded per user; logging in again does not reset the rate limit', async () => {
    const login = async () =>
      (await sim.api('callgenius', 'POST', '/api/auth/login', { body: { email: 'demo@example.com', password: 'demo-password' }, key: null })).body
        .token as string;
    const tokens: string[] = [];
    for (let i = 0; i < 105; i++) tokens.push(await login());
    const works = async (t: string) => (await sim.api('callgenius', 'GET', '/api/agents', { key: t, skipContract: true })).status;
    expect(await works(tokens[0])).toBe(401);
    expect(await works(tokens[104])).toBe(200);
    const sessions = [...sim.running.sim.world.sessions.values()].filter((s) => s.expiresAt !== undefined);
    expect(sessions.length).toBeLessThanOrEqual(100);
    await sim.advance(24 * 3_600_000 + 1000);
    expect(await works(tokens[104])).toBe(401);

    await sim.admin('PUT', '/config', { rateLimits: { callgenius: { requests: 5, perSec: 60 } } });
    const t1 = await login();
    for (let i = 0; i < 5; i++) expect(await works(t1)).toBe(200);
    const t2 = await login();
    expect(await works(t2)).toBe(429);
    await sim.admin('PUT', '/config', { rateLimits: { callgenius: false } });
  });
});

describe('a receiver that hangs', () => {
  it('holds a clock advance up one attempt window at most, and the answer says what is still in flight', async () => {
    const hanging = await startReceiver(() => 'hang');
    const s = await startTestSim({ vendors: ['jagcall'], webhookTimeoutMs: 1000 });
    try {
      await s.admin('POST', '/webhooks/subscriptions', { vendor: 'jagcall', url: hanging.url });
      for (let i = 0; i < 40; i++) await s.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155559876' } });
      const t0 = performance.now();
      const r = await s.admin('POST', '/clock/advance', { ms: 600_000 });
      const took = performance.now() - t0;
      expect(r.status).toBe(200);
      expect(took).toBeLessThan(4000);
      expect(r.body.inFlight).toBeGreaterThan(0);
    } finally {
      await hanging.close();
      await s.stop();
    }
  });
});
