import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../../helpers/sim.js';

/** A call's life through the core routes, the scenario numbers, isolation and error shapes. */
let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());
const c = (method: string, path: string, body?: unknown, key?: string | null) => sim.api('calleague', method, path, { body, key });
const start = async (to: string, agentId = 'ag_123') => {
  const r = await c('POST', '/api/core/voice/agent/call', { agentId, to, metadata: { ref: to } });
  expect(r.status).toBe(200);
  return r.body.callId as string;
};
const get = async (id: string) => (await c('GET', `/api/core/voice/call/${id}`)).body;

describe('Calleague call lifecycle', () => {
  it('ringing → in-progress → completed, then transcript and recording', async () => {
    const id = await start('+14155550123');
    const fresh = await get(id);
    expect(fresh).toEqual(
      expect.objectContaining({
        status: 'ringing',
        durationSec: null,
        endedReason: null,
        answeredAt: null,
        endedAt: null,
        transcriptReady: false,
        recordingReady: false,
        transcript: [],
        summary: null,
        sentiment: null,
        recordingUrl: null,
        language: 'en',
      }),
    );
    await sim.advance(12_000);
    const live = await get(id);
    expect(live.status).toBe('in-progress');
    expect(live.answeredAt).not.toBeNull();
    expect(live.durationSec).toBeNull();
    await sim.advance(10 * 60_000);
    const done = await get(id);
    expect(done).toEqual(
      expect.objectContaining({
        status: 'completed',
        endedReason: 'completed',
        transcriptReady: true,
        recordingReady: true,
        metadata: { ref: '+14155550123' },
      }),
    );
    const talk = (Date.parse(done.endedAt) - Date.parse(done.answeredAt)) / 1000;
    expect(done.durationSec).toBe(Math.round(talk));
    expect(done.durationSec).toBeGreaterThan(10);
    expect(done.transcript.length).toBeGreaterThan(3);
    expect(done.transcript.every((t: any) => t.offsetSec < talk)).toBe(true);
    expect(typeof done.summary).toBe('string');
    const wav = Buffer.from(await (await fetch(done.recordingUrl)).arrayBuffer());
    expect(wav.length - 44).toBe(Math.round(talk * 8000) * 2 * 2);
    const listed = await c('GET', '/api/core/voice/call/list?status=completed');
    expect(listed.body.list.map((x: any) => x.callId)).toContain(id);
  });

  it('the multilingual assistant speaks the destination language; a monolingual one does not', async () => {
    expect((await get(await start('+905321234567'))).language).toBe('tr');
    expect((await get(await start('+905321234567', 'ag_7c41'))).language).toBe('en');
  });

  it('scenario numbers map to Calleague statuses and ended reasons', async () => {
    const ids = {
      noAnswer: await start('+15005550001'),
      busy: await start('+15005550002'),
      failed: await start('+15005550003'),
      voicemail: await start('+15005550004'),
    };
    await sim.advance(5 * 60_000);
    expect(await get(ids.noAnswer)).toEqual(expect.objectContaining({ status: 'no-answer', endedReason: 'no-answer', durationSec: 0, recordingReady: false }));
    expect(await get(ids.busy)).toEqual(expect.objectContaining({ status: 'failed', endedReason: 'busy', durationSec: 0 }));
    expect(await get(ids.failed)).toEqual(expect.objectContaining({ status: 'failed', endedReason: 'failed', durationSec: 0 }));
    const vm = await get(ids.voicemail);
    expect(vm).toEqual(expect.objectContaining({ status: 'completed', endedReason: 'voicemail', recordingReady: true }));
    expect(vm.durationSec).toBeGreaterThan(0);
    const failed = await c('GET', '/api/core/voice/call/list?status=failed');
    expect(failed.body.list.map((x: any) => x.callId).sort()).toEqual([ids.busy, ids.failed].sort());
  });

  it('the v1 route reports the same call, queued at first', async () => {
    const r = await c('POST', '/api/v1/calls', { assistantId: 'ag_123', to: '+14155550123', metadata: { orderId: 'A-1042' } });
    expect(r.body.data.status).toBe('queued');
    await sim.advance(12_000);
    const listed = await c('GET', '/api/v1/calls?status=in-progress');
    expect(listed.body.data.list).toEqual([expect.objectContaining({ callId: r.body.data.callId, status: 'in-progress', metadata: { orderId: 'A-1042' } })]);
  });
});

describe('Calleague isolation', () => {
  it("the second workspace gets 404 on the demo's ids and lists none of them", async () => {
    const o = (path: string) => c('GET', path, undefined, 'clg_test_other');
    for (const path of ['/api/core/voice/call/cl_8f2a', '/api/core/voice/agent/ag_123', '/api/core/voice/agent/<your-assistant-id>']) {
      const r = await o(path);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe(404);
    }
    const calls = await o('/api/core/voice/call/list?pageSize=100');
    expect(calls.body.list.map((x: any) => x.callId)).toEqual(['cl_51d0']);
    const agents = await o('/api/core/voice/agent/list');
    expect(agents.body.list.map((x: any) => x.agentId)).toEqual(['ag_9e71']);
    const start = await c('POST', '/api/core/voice/agent/call', { agentId: 'ag_123', to: '+14155550123' }, 'clg_test_other');
    expect(start.status).toBe(404);
    const v1 = await c('POST', '/api/v1/calls', { assistantId: 'ag_123', to: '+14155550123' }, 'clg_test_other');
    expect(v1.status).toBe(404);
    expect(v1.body).toEqual(expect.objectContaining({ code: 404, statusText: 'Not Found', data: null }));
    // And the other way round.
    expect((await c('GET', '/api/core/voice/call/cl_51d0')).status).toBe(404);
  });

  it('webhooks belong to their workspace', async () => {
    const mine = await c('POST', '/api/core/webhook', { url: 'http://127.0.0.1:3000/webhooks' });
    expect(mine.body.events).toEqual(['call.started', 'call.status', 'call.ended', 'transcript.ready', 'recording.ready']);
    expect((await c('GET', '/api/core/webhook/list', undefined, 'clg_test_other')).body).toEqual({ total: 0, list: [] });
    expect((await c('DELETE', `/api/core/webhook/${mine.body.webhookId}`, undefined, 'clg_test_other')).status).toBe(404);
    const list = await c('GET', '/api/core/webhook/list');
    expect(list.body.list.map((w: any) => w.webhookId)).toContain(mine.body.webhookId);
    expect(list.body.list[0].secret).toBeUndefined();
    // The shared response check reads a content-less 204 as the `default` response (validator
    // `??` on null), so this one answer is checked by hand: 204 and no body.
    const del = await sim.api('calleague', 'DELETE', `/api/core/webhook/${mine.body.webhookId}`, { skipContract: true });
    expect([del.status, del.text]).toEqual([204, '']);
    expect((await c('DELETE', `/api/core/webhook/${mine.body.webhookId}`)).status).toBe(404);
  });
});

describe('Calleague errors', () => {
  it('unknown path → 404 in the vendor shape (after the key check)', async () => {
    const r = await c('GET', '/api/core/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ code: 404, message: expect.any(String) });
    expect((await c('GET', '/api/core/nothing-here', undefined, null)).status).toBe(401);
    const v1 = await c('GET', '/api/v1/nothing');
    expect(v1.body).toEqual(expect.objectContaining({ code: 404, statusText: 'Not Found', data: null }));
  });

  it('malformed JSON → 400 in both envelopes', async () => {
    const raw = '{"agentId": ';
    const core = await sim.api('calleague', 'POST', '/api/core/voice/agent/call', { raw, headers: { 'content-type': 'application/json' } });
    expect(core.status).toBe(400);
    expect(core.body).toEqual({ code: 400, message: expect.stringMatching(/JSON/) });
    const v1 = await sim.api('calleague', 'POST', '/api/v1/calls', { raw, headers: { 'content-type': 'application/json' } });
    expect(v1.status).toBe(400);
    expect(v1.body).toEqual(expect.objectContaining({ code: 400, statusText: 'Bad Request', data: null }));
  });

  it('wrong types → 422 naming the field; wrong query types → 400; out of range → 422', async () => {
    const r = await c('POST', '/api/core/voice/agent/call', { agentId: 123, to: '+14155550123', metadata: { n: { deep: true } } });
    expect(r.status).toBe(422);
    // Nested metadata is what a tolerant API keeps (a warning); the wrong type is the error.
    expect(r.body.details.map((d: any) => d.field)).toEqual(['agentId']);
    expect(r.body.details[0].rule).toBe('type');
    expect(r.headers.get('x-callsim-warnings')).toMatch(/^1; metadata\.n nests a value/);
    const page = await c('GET', '/api/core/voice/call/list?page=abc');
    expect(page.status).toBe(400);
    expect(page.body.details[0]).toEqual(expect.objectContaining({ field: 'page', rule: 'type' }));
    const size = await c('GET', '/api/core/voice/call/list?pageSize=500');
    expect(size.status).toBe(200);
    expect(size.headers.get('x-callsim-warnings')).toBe('1; pageSize above 100 was taken as 100');
    expect((await c('GET', '/api/core/voice/call/list?status=busy')).status).toBe(422);
    const v1 = await c('POST', '/api/v1/calls', { to: '+14155550123' });
    expect(v1.status).toBe(400);
    expect(v1.body).toEqual({
      code: 400,
      statusText: 'Bad Request',
      message: 'Missing required field: assistantId',
      data: null,
      details: [{ field: 'assistantId', rule: 'required', message: 'Missing required field: assistantId' }],
    });
  });

  it('webhook url must be http(s) and events known (422 listing them)', async () => {
    const url = await c('POST', '/api/core/webhook', { url: 'ftp://example.com/hook' });
    expect(url.status).toBe(422);
    expect(url.body.details[0]).toEqual({ field: 'url', rule: 'pattern', message: 'url must be an absolute http(s) URL' });
    const ev = await c('POST', '/api/core/webhook', { url: 'https://example.com/hook', events: ['call.ended', 'call.answered'] });
    expect(ev.status).toBe(422);
    expect(ev.body.details[0]).toEqual(expect.objectContaining({ field: 'events[1]', rule: 'enum' }));
    expect(ev.body.message).toContain('call.started, call.status, call.ended, transcript.ready, recording.ready');
    expect((await c('POST', '/api/core/webhook', { events: ['call.ended'] })).status).toBe(400);
  });
});
