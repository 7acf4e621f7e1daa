import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../../helpers/sim.js';

/**
 * The CallingBox overview page (seeds/003_…) lists its endpoints and its error shape; each one is
 * exercised here, verbatim but for base URL and key, against fresh fixtures, and every answer is
 * checked against the spec by the helper.
 */
let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());
const cb = (method: string, path: string, body?: unknown) => sim.api('callingbox', method, path, { body });
/** The virtual clock keeps running across resets, so times are checked against it. */
const nowMs = async (): Promise<number> => (await sim.admin('GET', '/clock')).body.nowMs;
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const OUTBOUND = 'agent_3f9a1c2b7d4e';
const INBOUND = 'agent_8b2e6f0a91c4';

describe('CallingBox documented endpoints', () => {
  it('GET /v1/numbers lists the phone numbers in the org', async () => {
    const r = await cb('GET', '/v1/numbers');
    expect(r.status).toBe(200);
    expect(r.body.data.map((n: any) => n.phone_number)).toEqual(['+15551234567', '+14155550188', '+18005550199']);
    expect(r.body.data[0]).toEqual({
      id: 'num_1c4b7e2a9f03',
      phone_number: '+15551234567',
      country: 'US',
      type: 'local',
      agent_ids: [OUTBOUND],
      created_at: '2025-11-03T09:05:00Z',
    });
  });

  it('GET /v1/numbers/available searches the inventory (US by default)', async () => {
    const all = await cb('GET', '/v1/numbers/available');
    expect(all.status).toBe(200);
    expect(all.body.data.length).toBe(50);
    expect(all.body.data.every((n: any) => n.country === 'US')).toBe(true);
    const r = await cb('GET', '/v1/numbers/available?area_code=415&limit=3');
    expect(r.body.data).toEqual([
      { phone_number: '+14155550100', country: 'US', type: 'local', area_code: '415', locality: 'San Francisco, CA', monthly_price: 2 },
      expect.objectContaining({ phone_number: '+14155550101' }),
      expect.objectContaining({ phone_number: '+14155550102' }),
    ]);
    const gb = await cb('GET', '/v1/numbers/available?country=GB&type=mobile');
    expect(gb.body.data.length).toBeGreaterThan(0);
    expect(gb.body.data.every((n: any) => n.country === 'GB' && n.type === 'mobile')).toBe(true);
  });

  it('POST /v1/numbers/purchase buys a number; a taken one answers 400', async () => {
    const r = await cb('POST', '/v1/numbers/purchase', { phone_number: '+14155550100' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual(
      expect.objectContaining({ phone_number: '+14155550100', country: 'US', type: 'local', agent_ids: [], created_at: iso(await nowMs()) }),
    );
    expect(r.body.id).toMatch(/^num_[0-9a-f]{12}$/);
    const again = await cb('POST', '/v1/numbers/purchase', { phone_number: '+14155550100' });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ error: 'phone number +14155550100 is already taken' });
    const unknown = await cb('POST', '/v1/numbers/purchase', { phone_number: '+14155559999' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ error: 'phone number +14155559999 is not available' });
    const avail = await cb('GET', '/v1/numbers/available?area_code=415&limit=100');
    expect(avail.body.data.map((n: any) => n.phone_number)).not.toContain('+14155550100');
  });

  it('GET /v1/agents lists inbound and outbound agents', async () => {
    const r = await cb('GET', '/v1/agents');
    expect(r.status).toBe(200);
    expect(r.body.data.map((a: any) => [a.id, a.direction])).toEqual([
      [OUTBOUND, 'outbound'],
      [INBOUND, 'inbound'],
    ]);
    expect(r.body.data[0]).toEqual(
      expect.objectContaining({
        name: 'Outbound Sales',
        status: 'active',
        number_ids: ['num_1c4b7e2a9f03', 'num_6d2f8a0b5e17'],
        primary_number_id: 'num_1c4b7e2a9f03',
      }),
    );
    const inbound = await cb('GET', '/v1/agents?direction=inbound');
    expect(inbound.body.data.map((a: any) => a.id)).toEqual([INBOUND]);
  });

  it('POST /v1/agents creates an outbound agent by default', async () => {
    const r = await cb('POST', '/v1/agents', { name: 'Renewals', prompt: 'Remind customers to renew.' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual(
      expect.objectContaining({
        name: 'Renewals',
        direction: 'outbound',
        prompt: 'Remind customers to renew.',
        status: 'active',
        number_ids: [],
        primary_number_id: null,
        created_at: iso(await nowMs()),
      }),
    );
    expect(r.body.id).toMatch(/^agent_[0-9a-f]{12}$/);
    const inbound = await cb('POST', '/v1/agents', { name: 'Night line', direction: 'inbound' });
    expect(inbound.body.direction).toBe('inbound');
  });

  it('GET /v1/agents/{id} gets one agent', async () => {
    const r = await cb('GET', `/v1/agents/${INBOUND}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(expect.objectContaining({ id: INBOUND, name: 'Front Desk', direction: 'inbound', number_ids: ['num_9e0c3d7b1a62'] }));
  });

  it('PATCH /v1/agents/{id} updates the given fields only', async () => {
    await sim.advance(60_000);
    const r = await cb('PATCH', `/v1/agents/${OUTBOUND}`, { name: 'Outbound Renewals', voice: null });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(
      expect.objectContaining({ name: 'Outbound Renewals', voice: null, language: 'en', direction: 'outbound', updated_at: iso(await nowMs()) }),
    );
    expect(r.body.prompt).toMatch(/^You are Max/);
  });

  it('DELETE /v1/agents/{id} archives the agent: readable, not listed, cannot dial', async () => {
    const r = await cb('DELETE', `/v1/agents/${OUTBOUND}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(expect.objectContaining({ id: OUTBOUND, status: 'archived', number_ids: [], primary_number_id: null }));
    expect((await cb('GET', `/v1/agents/${OUTBOUND}`)).body.status).toBe('archived');
    expect((await cb('GET', '/v1/agents')).body.data.map((a: any) => a.id)).toEqual([INBOUND]);
    expect((await cb('GET', '/v1/agents?include_archived=true')).body.data.map((a: any) => a.id)).toEqual([OUTBOUND, INBOUND]);
    const call = await cb('POST', '/v1/calls', { agent_id: OUTBOUND, to: '+14155559876', from: '+15551234567' });
    expect(call.status).toBe(400);
    expect(call.body).toEqual({ error: `agent_id: agent ${OUTBOUND} is archived and cannot dial` });
    expect((await cb('PATCH', `/v1/agents/${OUTBOUND}`, { name: 'x' })).status).toBe(400);
    expect((await cb('DELETE', `/v1/agents/${OUTBOUND}`)).status).toBe(400);
  });

  it('POST /v1/agents/{id}/numbers attaches a number; no other agent changes; a second inbound agent is refused', async () => {
    // An outbound agent's number attached to the inbound agent: both keep it, the inbound one answers it.
    const r = await cb('POST', `/v1/agents/${INBOUND}/numbers`, { number_id: 'num_6d2f8a0b5e17' });
    expect(r.status).toBe(200);
    expect(r.body.number_ids).toEqual(['num_9e0c3d7b1a62', 'num_6d2f8a0b5e17']);
    const outbound = (await cb('GET', `/v1/agents/${OUTBOUND}`)).body;
    expect([outbound.number_ids, outbound.primary_number_id]).toEqual([['num_1c4b7e2a9f03', 'num_6d2f8a0b5e17'], 'num_1c4b7e2a9f03']);
    const n = (await cb('GET', '/v1/numbers')).body.data.find((x: any) => x.id === 'num_6d2f8a0b5e17');
    expect(n.agent_ids).toEqual([OUTBOUND, INBOUND]);
    // Attaching the outbound agent's primary number to another outbound agent leaves its primary alone.
    const other = (await cb('POST', '/v1/agents', { name: 'Second caller' })).body;
    await cb('POST', `/v1/agents/${other.id}/numbers`, { number_id: 'num_1c4b7e2a9f03' });
    expect((await cb('GET', `/v1/agents/${OUTBOUND}`)).body.primary_number_id).toBe('num_1c4b7e2a9f03');
    // A number has one inbound agent: a second one is refused until the first lets it go.
    const night = (await cb('POST', '/v1/agents', { name: 'Night line', direction: 'inbound' })).body;
    const taken = await cb('POST', `/v1/agents/${night.id}/numbers`, { number_id: 'num_9e0c3d7b1a62' });
    expect(taken.status).toBe(400);
    expect(taken.body).toEqual({ error: `number num_9e0c3d7b1a62 is already answered by agent ${INBOUND}; detach it there first` });
    expect((await cb('GET', `/v1/agents/${INBOUND}`)).body.number_ids).toContain('num_9e0c3d7b1a62');
    const missing = await cb('POST', `/v1/agents/${INBOUND}/numbers`, { number_id: 'num_000000000000' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'number num_000000000000 not found' });
  });

  it('DELETE /v1/agents/{id}/numbers/{number_id} detaches a number; detaching the primary clears it', async () => {
    const r = await cb('DELETE', `/v1/agents/${OUTBOUND}/numbers/num_1c4b7e2a9f03`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(expect.objectContaining({ number_ids: ['num_6d2f8a0b5e17'], primary_number_id: null }));
    const noFrom = await cb('POST', '/v1/calls', { agent_id: OUTBOUND, to: '+14155559876' });
    expect(noFrom.status).toBe(400);
    expect(noFrom.body.error).toBe(`from: agent ${OUTBOUND} has no primary number; attach a number or pass from`);
    const again = await cb('DELETE', `/v1/agents/${OUTBOUND}/numbers/num_1c4b7e2a9f03`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: `number num_1c4b7e2a9f03 is not attached to agent ${OUTBOUND}` });
  });

  it('PUT /v1/agents/{id}/primary-number sets an attached number; an unattached one is 400', async () => {
    const r = await cb('PUT', `/v1/agents/${OUTBOUND}/primary-number`, { number_id: 'num_6d2f8a0b5e17' });
    expect(r.status).toBe(200);
    expect(r.body.primary_number_id).toBe('num_6d2f8a0b5e17');
    const call = await cb('POST', '/v1/calls', { agent_id: OUTBOUND, to: '+14155559876' });
    expect(call.body.from).toBe('+14155550188');
    const bad = await cb('PUT', `/v1/agents/${OUTBOUND}/primary-number`, { number_id: 'num_9e0c3d7b1a62' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: `number_id: number num_9e0c3d7b1a62 is not attached to agent ${OUTBOUND}` });
  });

  it('POST /v1/calls dispatches an outbound call: 201 Call created', async () => {
    const r = await cb('POST', '/v1/calls', { agent_id: OUTBOUND, to: '+14155559876', metadata: { lead_id: 'lead_42' } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual(
      expect.objectContaining({
        agent_id: OUTBOUND,
        direction: 'outbound',
        from: '+15551234567',
        to: '+14155559876',
        status: 'queued',
        failure_reason: null,
        duration_seconds: null,
        metadata: { lead_id: 'lead_42' },
        recording_url: null,
        transcript: [],
        created_at: iso(await nowMs()),
        started_at: null,
        ended_at: null,
      }),
    );
    expect(r.body.id).toMatch(/^call_[0-9a-f]{12}$/);
    const fromOther = await cb('POST', '/v1/calls', { agent_id: OUTBOUND, to: '+14155559876', from: '+12125550177' });
    expect(fromOther.status).toBe(400);
    expect(fromOther.body).toEqual({ error: 'from: +12125550177 is not one of your numbers' });
    const inbound = await cb('POST', '/v1/calls', { agent_id: INBOUND, to: '+14155559876' });
    expect(inbound.status).toBe(400);
  });

  it('GET /v1/calls lists all calls (inbound and outbound), newest first, with filters', async () => {
    const r = await cb('GET', '/v1/calls');
    expect(r.status).toBe(200);
    expect(r.body.data.map((c: any) => [c.id, c.direction, c.status])).toEqual([
      ['call_c30b7f19d4e8', 'outbound', 'busy'],
      ['call_a81d4e6f2c95', 'inbound', 'completed'],
      ['call_5f2a9c1e7b30', 'outbound', 'completed'],
    ]);
    expect((await cb('GET', '/v1/calls?direction=inbound')).body.data.map((c: any) => c.id)).toEqual(['call_a81d4e6f2c95']);
    expect((await cb('GET', `/v1/calls?agent_id=${OUTBOUND}&status=completed`)).body.data.map((c: any) => c.id)).toEqual(['call_5f2a9c1e7b30']);
    expect((await cb('GET', '/v1/calls?limit=1')).body.data).toHaveLength(1);
  });

  it('GET /v1/calls/{id} gets one call with transcript and a signed recording', async () => {
    const r = await cb('GET', '/v1/calls/call_5f2a9c1e7b30');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(
      expect.objectContaining({
        id: 'call_5f2a9c1e7b30',
        status: 'completed',
        failure_reason: null,
        duration_seconds: 27,
        metadata: { lead_id: 'lead_123' },
        started_at: '2025-11-10T14:30:00Z',
        ended_at: '2025-11-10T14:30:27Z',
      }),
    );
    expect(new Set(r.body.transcript.map((t: any) => t.role))).toEqual(new Set(['agent', 'user']));
    const url = new URL(r.body.recording_url);
    expect(Number(url.searchParams.get('expires')) * 1000).toBe(Math.floor(((await nowMs()) + 3_600_000) / 1000) * 1000);
    const wav = await fetch(r.body.recording_url);
    expect(wav.status).toBe(200);
    const bytes = Buffer.from(await wav.arrayBuffer());
    expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
    expect(bytes.length - 44).toBe(27 * 8000 * 2 * 2);
    const busy = await cb('GET', '/v1/calls/call_c30b7f19d4e8');
    expect(busy.body).toEqual(expect.objectContaining({ status: 'busy', failure_reason: 'busy', duration_seconds: 0, recording_url: null, transcript: [] }));
  });
});

describe('CallingBox documented errors', () => {
  it('404: {"error": "call abc123 not found"}', async () => {
    const r = await cb('GET', '/v1/calls/abc123');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: 'call abc123 not found' });
  });

  it('401: bad or missing API key', async () => {
    const bad = await sim.api('callingbox', 'GET', '/v1/calls', { key: 'sk_live_nope' });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ error: 'invalid API key' });
    const missing = await sim.api('callingbox', 'GET', '/v1/calls', { key: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatch(/^missing API key/);
  });

  it('400: missing fields, wrong format', async () => {
    const missing = await cb('POST', '/v1/calls', { agent_id: OUTBOUND });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'to: is required' });
    const format = await cb('POST', '/v1/calls', { agent_id: OUTBOUND, to: '555-1234' });
    expect(format.status).toBe(400);
    expect(format.body).toEqual({ error: 'to: must be an E.164 phone number (+15551234567)' });
  });
});
