import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callingboxError } from '../../../src/vendors/callingbox/errors.js';
import { startTestSim, type TestSim } from '../../helpers/sim.js';

/** A CallingBox call from dispatch to recording on the virtual clock, scenarios, isolation, errors. */
let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());
const cb = (method: string, path: string, body?: unknown) => sim.api('callingbox', method, path, { body });
const other = (method: string, path: string, body?: unknown) => sim.api('callingbox', method, path, { body, key: 'sk_test_other' });

const OUTBOUND = 'agent_3f9a1c2b7d4e';

async function dial(to: string) {
  const r = await cb('POST', '/v1/calls', { agent_id: OUTBOUND, to });
  expect(r.status).toBe(201);
  return r.body.id as string;
}
const get = async (id: string) => (await cb('GET', `/v1/calls/${id}`)).body;

describe('CallingBox call lifecycle', () => {
  it('moves queued → ringing → in_progress → completed, then gets its transcript and recording', async () => {
    const id = await dial('+14155559876');
    expect((await get(id)).status).toBe('queued');
    await sim.advance(1_600);
    expect((await get(id)).status).toBe('ringing');
    await sim.advance(8_000);
    const live = await get(id);
    expect(live.status).toBe('in_progress');
    expect(live.started_at).not.toBeNull();
    expect(live.duration_seconds).toBeNull();
    await sim.advance(120_000);
    const done = await get(id);
    expect(done).toEqual(expect.objectContaining({ status: 'completed', failure_reason: null }));
    expect(done.duration_seconds).toBeGreaterThan(10);
    expect(Date.parse(done.ended_at) - Date.parse(done.started_at)).toBeGreaterThanOrEqual((done.duration_seconds - 1) * 1000);
    expect(done.transcript.length).toBeGreaterThan(3);
    expect(done.transcript[0]).toEqual({ role: expect.stringMatching(/^(agent|user)$/), text: expect.any(String), offset_seconds: 0 });
    const wav = await fetch(done.recording_url);
    expect(wav.status).toBe(200);
    const bytes = Buffer.from(await wav.arrayBuffer());
    expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
    // stereo 16-bit 8 kHz: 32 bytes a millisecond; the recording is exactly the talk time
    expect(Math.round((bytes.length - 44) / 32_000)).toBe(done.duration_seconds);
    const listed = await cb('GET', '/v1/calls?status=completed&limit=1');
    expect(listed.body.data[0].id).toBe(id);
  });

  it.each([
    ['+15005550001', 'no_answer', 'no_answer'],
    ['+15005550002', 'busy', 'busy'],
    ['+15005550003', 'failed', 'unreachable'],
    ['+15005550004', 'completed', 'voicemail'],
  ])('scenario %s ends %s with failure_reason %s', async (to, status, reason) => {
    const id = await dial(to);
    await sim.advance(120_000);
    const call = await get(id);
    expect(call).toEqual(expect.objectContaining({ status, failure_reason: reason }));
    if (status !== 'completed') expect(call).toEqual(expect.objectContaining({ duration_seconds: 0, started_at: null, recording_url: null, transcript: [] }));
    else expect(call.recording_url).toMatch(/^http/);
  });

  it('busy (+15005550002) and failed (+15005550003) end busy / failed with a failure_reason', async () => {
    const busy = await dial('+15005550002');
    const failed = await dial('+15005550003');
    await sim.advance(60_000);
    expect(await get(busy)).toEqual(expect.objectContaining({ status: 'busy', failure_reason: 'busy' }));
    expect(await get(failed)).toEqual(expect.objectContaining({ status: 'failed', failure_reason: 'unreachable' }));
    const list = await cb('GET', '/v1/calls?status=busy');
    expect(list.body.data.map((c: any) => c.id)).toContain(busy);
  });

  it("an inbound call to an attached number is answered by that number's inbound agent", async () => {
    const r = await sim.admin('POST', '/inbound-call', { vendor: 'callingbox', to: '+18005550199', from: '+14155557777' });
    expect(r.status).toBe(201);
    await sim.advance(120_000);
    const call = await get(r.body.call.id);
    expect(call).toEqual(
      expect.objectContaining({
        direction: 'inbound',
        agent_id: 'agent_8b2e6f0a91c4',
        from: '+14155557777',
        to: '+18005550199',
        status: 'completed',
      }),
    );
    expect(call.transcript.length).toBeGreaterThan(0);
    expect((await cb('GET', '/v1/calls?direction=inbound')).body.data.map((c: any) => c.id)).toContain(call.id);
  });

  it('a number attached only to an outbound agent rings out unanswered, the reason on the call', async () => {
    const r = await sim.admin('POST', '/inbound-call', { vendor: 'callingbox', to: '+15551234567', from: '+14155557777' });
    expect(r.status).toBe(201);
    const reason = `no inbound agent answers +15551234567: it is attached only to outbound agent ${OUTBOUND}`;
    expect(r.body).toEqual(expect.objectContaining({ status: 'queued', reason, call: expect.objectContaining({ agent_id: OUTBOUND, direction: 'inbound' }) }));
    await sim.advance(120_000);
    const call = await get(r.body.call.id);
    expect(call).toEqual(
      expect.objectContaining({ direction: 'inbound', status: 'no_answer', failure_reason: 'no_answer', duration_seconds: 0, transcript: [] }),
    );
    const detail = await sim.admin('GET', `/calls/${r.body.call.id}`);
    expect(detail.body.timeline.at(-1)).toEqual(expect.objectContaining({ status: 'no-answer', reason }));
    // Attach the number to an inbound agent and the next call is answered.
    await cb('POST', '/v1/agents/agent_8b2e6f0a91c4/numbers', { number_id: 'num_1c4b7e2a9f03' });
    const answered = await sim.admin('POST', '/inbound-call', { vendor: 'callingbox', to: '+15551234567', from: '+14155557777' });
    expect(answered.body.reason).toBeUndefined();
    await sim.advance(120_000);
    expect(await get(answered.body.call.id)).toEqual(expect.objectContaining({ agent_id: 'agent_8b2e6f0a91c4', status: 'completed' }));
  });

  it('turning an agent inbound makes it answer its numbers, unless another inbound agent does', async () => {
    const turned = await cb('PATCH', `/v1/agents/${OUTBOUND}`, { direction: 'inbound' });
    expect(turned.status).toBe(200);
    // It now answers +15551234567 and +14155550188 (nobody did); the fixture inbound agent keeps its own.
    const r = await sim.admin('POST', '/inbound-call', { vendor: 'callingbox', to: '+14155550188', from: '+14155557777' });
    expect(r.body.call.agent_id).toBe(OUTBOUND);
    await cb('POST', '/v1/agents/agent_8b2e6f0a91c4/numbers', { number_id: 'num_6d2f8a0b5e17' }).then((x) => expect(x.status).toBe(400));
    await cb('PATCH', `/v1/agents/${OUTBOUND}`, { direction: 'outbound' });
    await cb('POST', '/v1/agents/agent_8b2e6f0a91c4/numbers', { number_id: 'num_6d2f8a0b5e17' }).then((x) => expect(x.status).toBe(200));
    const back = await cb('PATCH', `/v1/agents/${OUTBOUND}`, { direction: 'inbound' });
    expect(back.status).toBe(400);
    expect(back.body.error).toBe('direction: number num_6d2f8a0b5e17 is already answered by inbound agent agent_8b2e6f0a91c4; detach it there first');
  });
});

describe('CallingBox isolation', () => {
  it('the other org sees none of the demo org and gets 404 on its ids', async () => {
    for (const path of ['/v1/calls/call_5f2a9c1e7b30', `/v1/agents/${OUTBOUND}`]) {
      const r = await other('GET', path);
      expect(r.status).toBe(404);
      expect(r.body.error).toMatch(/ not found$/);
    }
    const calls = (await other('GET', '/v1/calls')).body.data.map((c: any) => c.id);
    expect(calls).toEqual(['call_e4c2a0b8f617']);
    expect((await other('GET', '/v1/agents')).body.data.map((a: any) => a.id)).toEqual(['agent_0a7c5e3b9d12']);
    expect((await other('GET', '/v1/numbers')).body.data.map((n: any) => n.id)).toEqual(['num_2b8e4f6a0c31']);
    expect((await other('POST', '/v1/calls', { agent_id: OUTBOUND, to: '+14155559876' })).status).toBe(404);
    expect((await other('POST', '/v1/agents/agent_0a7c5e3b9d12/numbers', { number_id: 'num_1c4b7e2a9f03' })).status).toBe(404);
    expect((await other('DELETE', `/v1/agents/${OUTBOUND}`)).status).toBe(404);
    expect((await cb('GET', '/v1/calls/call_e4c2a0b8f617')).status).toBe(404);
  });
});

describe('CallingBox errors', () => {
  it('401 for a missing or wrong key, in the {error} shape', async () => {
    const missing = await sim.api('callingbox', 'GET', '/v1/agents', { key: null });
    expect(missing.status).toBe(401);
    expect(Object.keys(missing.body)).toEqual(['error']);
    const wrong = await sim.api('callingbox', 'GET', '/v1/agents', { key: 'jc_test_demo' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'invalid API key' });
  });

  it('400 for malformed JSON', async () => {
    const r = await sim.api('callingbox', 'POST', '/v1/calls', { raw: '{"agent_id": ', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^invalid JSON body: /);
  });

  it('400 for wrong types, naming the field and the rule', async () => {
    const body = await cb('POST', '/v1/calls', { agent_id: 5, to: '+14155559876', extra: true });
    expect(body.status).toBe(400);
    expect(body.body.error).toContain('agent_id: must be string');
    expect(body.body.error).not.toContain('extra');
    expect(body.headers.get('x-callsim-warnings')).toBe('1; extra is not a documented field; it was ignored');
    const query = await cb('GET', '/v1/calls?limit=abc');
    expect(query.status).toBe(400);
    expect(query.body.error).toMatch(/^limit: /);
    const dir = await cb('POST', '/v1/agents', { name: 'x', direction: 'sideways' });
    expect(dir.body).toEqual({ error: 'direction: must be one of: inbound, outbound' });
    const empty = await cb('PATCH', `/v1/agents/${OUTBOUND}`, {});
    expect(empty.body).toEqual({ error: 'body: must set at least one field' });
  });

  it('400 for a non-JSON body (the table\'s "wrong format"; CallingBox lists no 415), 413 for a huge one', async () => {
    const r = await sim.api('callingbox', 'POST', '/v1/agents', { raw: 'name=x', headers: { 'content-type': 'text/plain' } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'Content-Type "text/plain" is not supported here; send application/json' });
    const big = await cb('POST', '/v1/agents', { name: 'x', prompt: 'a'.repeat(1_100_000) });
    expect(big.status).toBe(413);
    expect(typeof big.body.error).toBe('string');
  });

  it('404 for an unknown path, in the {error} shape', async () => {
    const r = await sim.api('callingbox', 'GET', '/v1/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: 'no route for GET /v1/nothing-here' });
  });

  it('502 telephony provider error through fault injection', async () => {
    const cfg = await sim.admin('PUT', '/config', { faults: [{ vendor: 'callingbox', method: 'POST', path: '/v1/calls', status: 502 }] });
    expect(cfg.status).toBe(200);
    try {
      const r = await cb('POST', '/v1/calls', { agent_id: OUTBOUND, to: '+14155559876' });
      expect(r.status).toBe(502);
      expect(r.body).toEqual({ error: 'Telephony provider error' });
    } finally {
      await sim.admin('PUT', '/config', { faults: [] });
    }
  });

  it('error() maps every kind, and a forced status wins', () => {
    const req = { method: 'GET', path: '/v1/calls', query: {}, headers: {} };
    expect(callingboxError({ kind: 'upstream', message: '' }, req)).toEqual({ status: 502, headers: undefined, body: { error: 'telephony provider error' } });
    expect(callingboxError({ kind: 'fault', status: 503, message: '' }, req).status).toBe(503);
    expect(callingboxError({ kind: 'fault', status: 503, message: '' }, req).body).toEqual({ error: 'service unavailable' });
    expect(callingboxError({ kind: 'not_found', message: 'call x not found', status: 418 }, req).status).toBe(418);
    expect(callingboxError({ kind: 'conflict', message: 'agent a is already archived' }, req)).toEqual({
      status: 400,
      headers: undefined,
      body: { error: 'agent a is already archived' },
    });
    const limited = callingboxError({ kind: 'rate_limited', message: 'Too Many Requests', retryAfterSec: 3 }, req);
    expect(limited).toEqual({ status: 429, headers: { 'retry-after': '3' }, body: { error: 'Too Many Requests' } });
    expect(callingboxError({ kind: 'internal', message: 'TypeError: boom' }, req).body).toEqual({ error: 'internal error' });
  });
});
