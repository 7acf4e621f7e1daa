import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../../helpers/sim.js';

/**
 * Every example request of the two Calleague "REST API" pages (seeds/000_… and 001_…), verbatim but
 * for base URL and key, against fresh fixtures; each answer is checked against the documented one
 * and (by the helper) against the spec. The key is the docs key (`clg_test_docs`), which reads the
 * pages' placeholders as the seeded values; the demo key refuses them (last block).
 */
let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());
const DOCS_KEY = 'clg_test_docs';
const c = (method: string, path: string, body?: unknown, key: string | null = DOCS_KEY) => sim.api('calleague', method, path, { body, key });

describe('Calleague page 000 (illustrative /api/v1 routes)', () => {
  it('POST /api/v1/calls with the placeholders starts a queued call in the envelope', async () => {
    const r = await c('POST', '/api/v1/calls', { assistantId: '<your-assistant-id>', to: '+1XXXXXXXXXX' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      code: 200,
      statusText: '',
      data: { callId: expect.stringMatching(/^cl_[0-9a-f]+$/), status: 'queued', createdAt: '2026-01-01T12:00:00.000Z' },
    });
    // The docs key reads the placeholders as the demo assistant and a dialable number.
    const call = await c('GET', `/api/core/voice/call/${r.body.data.callId}`);
    expect(call.body).toEqual(expect.objectContaining({ agentId: 'ag_123', status: 'ringing', language: 'en', to: '+14155550123' }));
  });

  it('GET /api/v1/calls?page=1&pageSize=20 lists calls in the envelope', async () => {
    const r = await c('GET', '/api/v1/calls?page=1&pageSize=20');
    expect(r.status).toBe(200);
    expect(r.body.code).toBe(200);
    expect(r.body.data.total).toBe(2);
    expect(r.body.data.list.map((x: any) => x.callId)).toEqual(['cl_8f2a', 'cl_3b9d']);
  });

  it('an empty page is an empty list, not an error', async () => {
    const r = await c('GET', '/api/v1/calls?page=9&pageSize=20');
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ total: 2, list: [] });
  });

  it('authentication failures return the error envelope', async () => {
    const r = await c('POST', '/api/v1/calls', { assistantId: 'ag_123', to: '+14155550123' }, 'clg_wrong');
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ code: 401, statusText: 'Unauthorized', message: 'Invalid or missing API key', data: null });
  });
});

describe('Calleague page 001 (/api/core routes)', () => {
  it('GET /api/core/voice/agent/list confirms the key and lists the assistants', async () => {
    const r = await c('GET', '/api/core/voice/agent/list');
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(3);
    expect(r.body.list[0]).toEqual({
      agentId: 'ag_123',
      name: 'Demo assistant',
      language: 'en',
      languages: ['en', 'tr'],
      multilingual: true,
      voice: 'alloy',
      status: 'active',
      createdAt: '2026-01-01T09:00:00.000Z',
    });
  });

  it('a missing or wrong key answers the documented 401', async () => {
    for (const key of [null, 'clg_wrong']) {
      const r = await c('GET', '/api/core/voice/agent/list', undefined, key);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ code: 401, message: 'Invalid or missing API key' });
    }
  });

  it('POST /api/core/voice/agent/call starts a ringing Turkish call', async () => {
    const r = await c('POST', '/api/core/voice/agent/call', { agentId: 'ag_123', to: '+90312...', metadata: { orderId: 'A-1042' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(expect.objectContaining({ callId: expect.stringMatching(/^cl_[0-9a-f]+$/), status: 'ringing', language: 'tr' }));
    expect(r.body).toEqual(expect.objectContaining({ agentId: 'ag_123', direction: 'outbound', metadata: { orderId: 'A-1042' }, to: '+903121234567' }));
  });

  it('GET /api/core/voice/call/cl_8f2a answers the documented detail', async () => {
    const r = await c('GET', '/api/core/voice/call/cl_8f2a');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(
      expect.objectContaining({
        callId: 'cl_8f2a',
        status: 'completed',
        direction: 'outbound',
        durationSec: 84,
        endedReason: 'completed',
        language: 'tr',
        recordingReady: true,
        transcriptReady: true,
        createdAt: '2026-01-01T12:00:00.000Z',
        endedAt: '2026-01-01T12:01:24.000Z',
      }),
    );
    expect(r.body.answeredAt).toBe('2026-01-01T12:00:00.000Z');
    expect(r.body.metadata).toEqual({ orderId: 'A-1042' });
    // What the conversation produced: a Turkish transcript, its summary, a signed one-hour link.
    expect(r.body.transcript[0]).toEqual({ role: 'user', text: 'Alo?', offsetSec: 0 });
    expect(new Set(r.body.transcript.map((t: any) => t.role))).toEqual(new Set(['agent', 'user']));
    expect(r.body.summary).toMatch(/Mehmet/);
    expect(r.body.sentiment).toBe(0.7);
    const url = new URL(r.body.recordingUrl);
    expect(Number(url.searchParams.get('expires')) * 1000).toBe(Date.parse('2026-01-01T13:00:00.000Z'));
    const wav = await fetch(r.body.recordingUrl);
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    const bytes = Buffer.from(await wav.arrayBuffer());
    expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
    expect(bytes.length - 44).toBe(84 * 8000 * 2 * 2);
  });

  it('GET /api/core/voice/call/list?page=1&pageSize=20 pages through the calls', async () => {
    const r = await c('GET', '/api/core/voice/call/list?page=1&pageSize=20');
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(2);
    expect(r.body.list.map((x: any) => x.callId)).toEqual(['cl_8f2a', 'cl_3b9d']);
    const p2 = await c('GET', '/api/core/voice/call/list?page=2&pageSize=1');
    expect(p2.body).toEqual({ total: 2, list: [expect.objectContaining({ callId: 'cl_3b9d', status: 'no-answer' })] });
  });

  it('list filters: status and agentId', async () => {
    const done = await c('GET', '/api/core/voice/call/list?status=completed');
    expect(done.body.list.map((x: any) => x.callId)).toEqual(['cl_8f2a']);
    const mine = await c('GET', '/api/core/voice/call/list?agentId=ag_7c41');
    expect(mine.body.list.map((x: any) => x.callId)).toEqual(['cl_3b9d']);
    const none = await c('GET', '/api/core/voice/call/list?status=failed');
    expect(none.body).toEqual({ total: 0, list: [] });
  });

  it('GET /api/core/voice/agent/ag_123 reads one assistant', async () => {
    const r = await c('GET', '/api/core/voice/agent/ag_123');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(expect.objectContaining({ agentId: 'ag_123', multilingual: true, languages: ['en', 'tr'] }));
  });

  it('POST /api/core/webhook registers an endpoint', async () => {
    const r = await c('POST', '/api/core/webhook', { url: 'https://example.com/hooks/calleague', events: ['call.ended', 'transcript.ready'] });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      webhookId: expect.stringMatching(/^wh_/),
      url: 'https://example.com/hooks/calleague',
      events: ['call.ended', 'transcript.ready'],
      secret: expect.stringMatching(/^whsec_/),
      createdAt: '2026-01-01T12:00:00.000Z',
    });
  });

  it('the documented error statuses: 400, 404, 422', async () => {
    const bad = await sim.api('calleague', 'POST', '/api/core/voice/agent/call', {
      raw: '{"agentId": "ag_123",',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe(400);
    const missing = await c('POST', '/api/core/voice/agent/call', { agentId: 'ag_123' });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      code: 400,
      message: 'Missing required field: to',
      details: [{ field: 'to', rule: 'required', message: 'Missing required field: to' }],
    });
    const unknown = await c('GET', '/api/core/voice/call/cl_0000');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ code: 404, message: expect.stringContaining('cl_0000') });
    const number = await c('POST', '/api/core/voice/agent/call', { agentId: 'ag_123', to: '0312 123 45 67' });
    expect(number.status).toBe(422);
    expect(number.body.details).toEqual([{ field: 'to', rule: 'pattern', message: 'to must be a valid number in E.164 format' }]);
  });
});

describe('placeholders are not input', () => {
  it("the demo key refuses the pages' placeholders with the documented validation error, on both routes", async () => {
    const core = await c('POST', '/api/core/voice/agent/call', { agentId: 'ag_123', to: '+90312...' }, 'clg_test_demo');
    expect(core.status).toBe(422);
    expect(core.body).toEqual(expect.objectContaining({ code: 422, details: [expect.objectContaining({ field: 'to', rule: 'pattern' })] }));
    const masked = await c('POST', '/api/core/voice/agent/call', { agentId: 'ag_123', to: '+1XXXXXXXXXX' }, 'clg_test_demo');
    expect(masked.status).toBe(422);
    const id = await c('POST', '/api/core/voice/agent/call', { agentId: '<your-assistant-id>', to: '+14155550123' }, 'clg_test_demo');
    expect(id.status).toBe(422);
    expect(id.body.details).toEqual([expect.objectContaining({ field: 'agentId', rule: 'pattern' })]);
    const v1 = await c('POST', '/api/v1/calls', { assistantId: '<your-assistant-id>', to: '+1XXXXXXXXXX' }, 'clg_test_demo');
    // The page's table: 422 for valid JSON with invalid values.
    expect(v1.status).toBe(422);
    expect(v1.body).toEqual(expect.objectContaining({ code: 422, data: null }));
    expect(v1.body.message).toMatch(/assistantId/);
    // Nothing was dialled.
    const list = await c('GET', '/api/v1/calls?page=1&pageSize=20', undefined, 'clg_test_demo');
    expect(list.body.data.total).toBe(2);
  });

  it('the docs key acts on the demo workspace and reads only the exact placeholders', async () => {
    const mine = await c('GET', '/api/core/voice/call/cl_8f2a');
    expect(mine.status).toBe(200);
    const near = await c('POST', '/api/core/voice/agent/call', { agentId: 'ag_123', to: '+90312....' });
    expect(near.status).toBe(422);
    // A placeholder inside a longer string is not a placeholder.
    const meta = await c('POST', '/api/core/voice/agent/call', { agentId: 'ag_123', to: '+14155550123', metadata: { note: '<your-assistant-id> x' } });
    expect(meta.status).toBe(200);
    expect(meta.body.metadata).toEqual({ note: '<your-assistant-id> x' });
  });
});
