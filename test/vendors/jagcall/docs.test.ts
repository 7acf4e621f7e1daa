import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../../helpers/sim.js';

/**
 * Every example request of the JagCall reference page (seeds/004_…), verbatim but for base URL and
 * key, against fresh fixtures; each answer is checked against the documented one and the spec.
 */
let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());
const j = (method: string, path: string, body?: unknown) => sim.api('jagcall', method, path, { body });

describe('JagCall doc examples', () => {
  it('GET /v1/agents lists the organization agents with pagination', async () => {
    const r = await j('GET', '/v1/agents');
    expect(r.status).toBe(200);
    expect(r.body.data[0]).toEqual(
      expect.objectContaining({
        id: 'agt_xxx',
        name: 'Sales Agent',
        status: 'active',
        phone_number: '+14155551234',
        voice_id: 'rachel',
        created_at: '2025-11-01T08:30:00Z',
      }),
    );
    expect(r.body.pagination).toEqual({ page: 1, per_page: 20, total: 3 });
  });

  it('POST /v1/agents creates an agent', async () => {
    const r = await j('POST', '/v1/agents', { name: 'Support Agent', system_prompt: 'You are a helpful support agent...', voice_id: 'rachel' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual(expect.objectContaining({ name: 'Support Agent', status: 'active', created_at: '2026-01-01T12:00:00Z' }));
    expect(r.body.id).toMatch(/^agt_/);
  });

  it('PUT /v1/agents/agt_xxx renames it', async () => {
    const r = await j('PUT', '/v1/agents/agt_xxx', { name: 'Updated Agent Name' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(expect.objectContaining({ id: 'agt_xxx', name: 'Updated Agent Name', status: 'active', updated_at: '2026-01-01T12:00:00Z' }));
  });

  it('DELETE /v1/agents/agt_xxx deletes it', async () => {
    const r = await j('DELETE', '/v1/agents/agt_xxx');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ deleted: true, id: 'agt_xxx' });
    expect((await j('GET', '/v1/agents/agt_xxx')).status).toBe(404);
  });

  it('GET /v1/calls?agent_id=agt_xxx&status=completed filters calls', async () => {
    const r = await j('GET', '/v1/calls?agent_id=agt_xxx&status=completed');
    expect(r.status).toBe(200);
    expect(r.body.data[0]).toEqual(
      expect.objectContaining({
        id: 'call_xxx',
        agent_id: 'agt_xxx',
        to: '+14155559876',
        from: '+14155551234',
        status: 'completed',
        duration_seconds: 142,
        started_at: '2025-11-01T14:30:00Z',
      }),
    );
    expect(r.body.data.every((c: any) => c.agent_id === 'agt_xxx' && c.status === 'completed')).toBe(true);
  });

  it('POST /v1/calls starts a queued call', async () => {
    const r = await j('POST', '/v1/calls', { agent_id: 'agt_xxx', to: '+14155559876' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual(expect.objectContaining({ status: 'queued', agent_id: 'agt_xxx', to: '+14155559876', created_at: '2026-01-01T12:00:00Z' }));
    expect(r.body.id).toMatch(/^call_/);
  });

  it('GET /v1/calls/call_xxx/transcript returns agent and user turns', async () => {
    const r = await j('GET', '/v1/calls/call_xxx/transcript');
    expect(r.status).toBe(200);
    expect(r.body.call_id).toBe('call_xxx');
    expect(r.body.transcript.length).toBeGreaterThan(3);
    expect(new Set(r.body.transcript.map((t: any) => t.role))).toEqual(new Set(['agent', 'user']));
  });

  it('GET /v1/calls/call_xxx/recording returns a signed URL that serves a WAV', async () => {
    const r = await j('GET', '/v1/calls/call_xxx/recording');
    expect(r.status).toBe(200);
    expect(r.body.call_id).toBe('call_xxx');
    expect(Date.parse(r.body.expires_at)).toBe(Date.parse('2026-01-01T13:00:00Z'));
    const wav = await fetch(r.body.recording_url);
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    const bytes = Buffer.from(await wav.arrayBuffer());
    expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
    // 142 s, stereo, 16-bit, 8 kHz
    expect(bytes.length - 44).toBe(142 * 8000 * 2 * 2);
  });

  it('GET /v1/phone-numbers lists numbers', async () => {
    const r = await j('GET', '/v1/phone-numbers');
    expect(r.status).toBe(200);
    expect(r.body.data[0]).toEqual(
      expect.objectContaining({ id: 'pn_xxx', number: '+14155551234', agent_id: 'agt_xxx', capabilities: ['voice', 'sms'], country: 'US' }),
    );
  });

  it('POST /v1/phone-numbers/search finds available numbers in the area code', async () => {
    const r = await j('POST', '/v1/phone-numbers/search', { country: 'US', area_code: '415' });
    expect(r.status).toBe(200);
    expect(r.body.data[0]).toEqual({ number: '+14155550100', capabilities: ['voice', 'sms'], monthly_cost: 2.0 });
    expect(r.body.data.every((n: any) => n.number.startsWith('+1415'))).toBe(true);
  });

  it('POST /v1/phone-numbers buys the number and assigns it', async () => {
    const r = await j('POST', '/v1/phone-numbers', { number: '+14155550100', agent_id: 'agt_xxx' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual(expect.objectContaining({ number: '+14155550100', agent_id: 'agt_xxx', status: 'active' }));
    const again = await j('POST', '/v1/phone-numbers', { number: '+14155550100', agent_id: 'agt_xxx' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it('PUT /v1/phone-numbers/pn_xxx reassigns it to agt_yyy', async () => {
    const r = await j('PUT', '/v1/phone-numbers/pn_xxx', { agent_id: 'agt_yyy' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(expect.objectContaining({ id: 'pn_xxx', number: '+14155551234', agent_id: 'agt_yyy', updated_at: '2026-01-01T12:00:00Z' }));
  });

  it('DELETE /v1/phone-numbers/pn_xxx releases it back to the pool', async () => {
    const r = await j('DELETE', '/v1/phone-numbers/pn_xxx');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ deleted: true, id: 'pn_xxx' });
    const search = await j('POST', '/v1/phone-numbers/search?per_page=100', { country: 'US', area_code: '415' });
    expect(search.body.data.map((n: any) => n.number)).toContain('+14155551234');
  });

  it('POST /v1/sms sends from an owned number: `sent` as the page shows, `delivered` a moment later', async () => {
    const r = await j('POST', '/v1/sms', { from: '+14155551234', to: '+14155559876', body: 'Your appointment is confirmed.' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual(expect.objectContaining({ status: 'sent', from: '+14155551234', to: '+14155559876', created_at: '2026-01-01T12:00:00Z' }));
    const now = await j('GET', '/v1/sms/conversations/conv_xxx/messages?per_page=100');
    expect(now.body.data.find((m: any) => m.id === r.body.id).status).toBe('sent');
    await sim.advance(5000);
    const msgs = await j('GET', '/v1/sms/conversations/conv_xxx/messages?per_page=100');
    expect(msgs.body.data.find((m: any) => m.id === r.body.id).status).toBe('delivered');
  });

  it('GET /v1/sms/conversations groups by contact', async () => {
    const r = await j('GET', '/v1/sms/conversations');
    expect(r.status).toBe(200);
    expect(r.body.data[0]).toEqual(
      expect.objectContaining({ id: 'conv_xxx', contact: '+14155559876', last_message: 'Thanks!', updated_at: '2025-11-01T14:35:00Z', message_count: 4 }),
    );
  });

  it('GET /v1/sms/conversations/conv_xxx/messages lists its messages', async () => {
    const r = await j('GET', '/v1/sms/conversations/conv_xxx/messages');
    expect(r.status).toBe(200);
    expect(r.body.data[0]).toEqual(
      expect.objectContaining({
        id: 'sms_xxx',
        direction: 'outbound',
        body: 'Your appointment is confirmed.',
        status: 'delivered',
        created_at: '2025-11-01T14:30:00Z',
      }),
    );
  });

  it('GET /v1/billing/balance reports balance and usage', async () => {
    const r = await j('GET', '/v1/billing/balance');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ balance: 150.0, currency: 'USD', usage_this_month: { calls: 342, call_minutes: 1205, sms_sent: 89, sms_received: 67 } });
  });
});
