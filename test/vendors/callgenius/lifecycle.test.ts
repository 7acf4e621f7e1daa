import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../../helpers/sim.js';

/** Calls come from campaigns in CallGeni.us: their lifecycle, scenarios, dialling limits and isolation. */
let sim: TestSim;
beforeAll(async () => {
  // These tests poll far faster than a client would; the documented limit has its own test below.
  sim = await startTestSim({ rateLimits: { callgenius: false } });
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());
const cg = (method: string, path: string, body?: unknown, key?: string | null) => sim.api('callgenius', method, path, { body, key });

async function campaign(targets: string[], concurrency: number): Promise<number> {
  const r = await cg('POST', '/api/campaigns', { name: 'Test run', agent_id: 42, concurrency, targets: targets.map((phone_number) => ({ phone_number })) });
  expect(r.status).toBe(201);
  return r.body.id;
}
async function callsOf(campaignId: number): Promise<any[]> {
  const r = await cg('GET', '/api/calls?per_page=100');
  return r.body.data.filter((c: any) => c.campaign_id === campaignId);
}

describe('CallGeni.us call lifecycle', () => {
  it('a campaign call moves queued → ringing → in_progress → completed with duration, transcript and recording', async () => {
    const id = await campaign(['+61412345678'], 1);
    expect((await cg('POST', `/api/campaigns/${id}/start`)).body.status).toBe('running');
    const [first] = await callsOf(id);
    expect(first).toEqual(
      expect.objectContaining({
        status: 'queued',
        direction: 'outbound',
        to_number: '+61412345678',
        from_number: '+61291234567',
        agent_id: 42,
        duration: null,
        disposition: null,
      }),
    );
    const seen: string[] = [];
    let partial = 0;
    for (let t = 0; t < 120_000; t += 500) {
      const c = (await cg('GET', `/api/calls/${first.id}`)).body;
      if (seen.at(-1) !== c.status) seen.push(c.status);
      if (c.status === 'in_progress') {
        expect(c.duration).toBeNull();
        partial = Math.max(partial, (await cg('GET', `/api/calls/${first.id}/transcript`)).body.length);
      }
      if (c.status === 'completed' && c.summary) break;
      await sim.advance(500);
    }
    expect(seen).toEqual(['queued', 'ringing', 'in_progress', 'completed']);
    expect(partial).toBeGreaterThan(0);
    const done = (await cg('GET', `/api/calls/${first.id}`)).body;
    expect(done.duration).toBeGreaterThan(10);
    expect(done.disposition).toMatch(/^(completed|booked)$/);
    expect(done.summary).toEqual(expect.any(String));
    expect(typeof done.sentiment_score).toBe('number');
    const transcript = (await cg('GET', `/api/calls/${first.id}/transcript`)).body;
    expect(transcript.length).toBeGreaterThanOrEqual(partial);
    await sim.advance(5000);
    const rec = await cg('GET', `/api/calls/${first.id}/recording`);
    expect(rec.status).toBe(200);
    const mp3 = Buffer.from(await (await fetch(rec.body.url)).arrayBuffer());
    // The MP3's Info frame declares its audio frames and the LAME tag its delay and end padding.
    const padding = ((mp3[155] & 0x0f) << 8) | mp3[156];
    const samples = mp3.readUInt32BE(21) * 576 - 576 - padding;
    expect(Math.abs(samples / 8000 - done.duration)).toBeLessThanOrEqual(1);
    const c = (await cg('GET', `/api/campaigns/${id}`)).body;
    expect(c).toEqual(expect.objectContaining({ status: 'completed', stats: { pending: 0, dialling: 0, completed: 1, failed: 0 } }));
  });

  it('scenario numbers end as no_answer, busy, failed and a short voicemail', async () => {
    const id = await campaign(['+15005550001', '+15005550002', '+15005550003', '+15005550004'], 4);
    await cg('POST', `/api/campaigns/${id}/start`);
    await sim.advance(120_000);
    const byTo = Object.fromEntries((await callsOf(id)).map((c) => [c.to_number, c]));
    expect([byTo['+15005550001'].status, byTo['+15005550001'].disposition, byTo['+15005550001'].duration]).toEqual(['no_answer', 'no_answer', 0]);
    expect([byTo['+15005550002'].status, byTo['+15005550002'].disposition]).toEqual(['busy', 'busy']);
    expect([byTo['+15005550003'].status, byTo['+15005550003'].disposition, byTo['+15005550003'].started_at]).toEqual(['failed', 'failed', null]);
    expect([byTo['+15005550004'].status, byTo['+15005550004'].disposition]).toEqual(['completed', 'voicemail']);
    expect(byTo['+15005550004'].duration).toBeGreaterThan(0);
    expect(byTo['+15005550004'].duration).toBeLessThan(30);
    expect((await cg('GET', `/api/calls/${byTo['+15005550002'].id}/recording`)).status).toBe(404);
    expect((await cg('GET', `/api/calls?status=busy`)).body.data.map((c: any) => c.id)).toEqual([byTo['+15005550002'].id]);
    const c = (await cg('GET', `/api/campaigns/${id}`)).body;
    expect(c.stats).toEqual({ pending: 0, dialling: 0, completed: 1, failed: 3 });
  });

  it('a campaign dials at most `concurrency` targets, pauses, resumes and completes with its stats', async () => {
    const targets = ['+61412345671', '+15005550002', '+61412345673', '+61412345674', '+61412345675', '+61412345676'];
    const id = await campaign(targets, 2);
    await cg('POST', `/api/campaigns/${id}/start`);
    const live = (calls: any[]) => calls.filter((c) => ['queued', 'ringing', 'in_progress'].includes(c.status)).length;
    let paused = false;
    let dialledAtPause = 0;
    for (let t = 0; t < 600_000; t += 1000) {
      const c = (await cg('GET', `/api/campaigns/${id}`)).body;
      const calls = await callsOf(id);
      expect(c.stats.dialling).toBeLessThanOrEqual(2);
      expect(live(calls)).toBeLessThanOrEqual(2);
      expect(c.stats.pending + c.stats.dialling + c.stats.completed + c.stats.failed).toBe(6);
      if (!paused && c.stats.completed + c.stats.failed >= 2) {
        const p = await cg('POST', `/api/campaigns/${id}/pause`);
        expect(p.body.status).toBe('paused');
        paused = true;
        dialledAtPause = calls.length;
        await sim.advance(300_000);
        const after = (await cg('GET', `/api/campaigns/${id}`)).body;
        expect(after.status).toBe('paused');
        expect(after.stats.dialling).toBe(0);
        expect(after.stats.pending).toBeGreaterThan(0);
        // Calls in flight at the pause finished; nothing new was dialled.
        expect((await callsOf(id)).length).toBe(dialledAtPause);
        const r = await cg('POST', `/api/campaigns/${id}/resume`);
        expect(r.body.status).toBe('running');
        expect(r.body.stats.dialling).toBe(Math.min(2, after.stats.pending));
      }
      if (c.status === 'completed') break;
      await sim.advance(1000);
    }
    expect(paused).toBe(true);
    const done = (await cg('GET', `/api/campaigns/${id}`)).body;
    expect(done).toEqual(expect.objectContaining({ status: 'completed', target_count: 6, stats: { pending: 0, dialling: 0, completed: 5, failed: 1 } }));
    expect(done.completed_at).toEqual(expect.any(String));
    const calls = await callsOf(id);
    expect(calls).toHaveLength(6);
    expect(calls.find((c) => c.to_number === '+15005550002').status).toBe('busy');
    expect((await cg('POST', `/api/campaigns/${id}/start`)).status).toBe(409);
    expect((await cg('POST', `/api/campaigns/${id}/pause`)).body).toEqual({ message: 'The campaign has already completed.' });
  });

  it('a draft campaign cannot be paused or resumed; start is what begins it', async () => {
    const id = await campaign(['+61412345678'], 1);
    expect((await cg('POST', `/api/campaigns/${id}/pause`)).status).toBe(409);
    expect((await cg('POST', `/api/campaigns/${id}/resume`)).status).toBe(409);
    expect((await cg('POST', `/api/campaigns/${id}/start`)).body.status).toBe('running');
    expect((await cg('POST', `/api/campaigns/${id}/start`)).body.status).toBe('running');
  });

  it('an inbound call (admin API) to a business number reaches its agent and is logged', async () => {
    const r = await sim.admin('POST', '/inbound-call', { vendor: 'callgenius', to: '+61291234567', from: '+61400111222' });
    expect(r.status).toBe(201);
    await sim.advance(60_000);
    const [call] = (await cg('GET', '/api/calls?per_page=1')).body.data;
    expect(call).toEqual(
      expect.objectContaining({
        id: Number(r.body.call.id),
        direction: 'inbound',
        agent_id: 42,
        campaign_id: null,
        from_number: '+61400111222',
        to_number: '+61291234567',
        status: 'completed',
      }),
    );
    expect(call.duration).toBeGreaterThan(0);
    expect((await cg('GET', `/api/calls/${call.id}`, undefined, 'cg_test_other')).status).toBe(404);
  });

  it('deleting an agent lets its live call finish', async () => {
    const id = await campaign(['+61412345678'], 1);
    await cg('POST', `/api/campaigns/${id}/start`);
    await sim.advance(12_000);
    const [call] = await callsOf(id);
    expect(call.status).toBe('in_progress');
    expect((await cg('DELETE', '/api/agents/42')).status).toBe(204);
    expect((await cg('GET', '/api/agents/42')).status).toBe(404);
    await sim.advance(60_000);
    expect((await cg('GET', `/api/calls/${call.id}`)).body.status).toBe('completed');
    expect((await cg('GET', '/api/agents')).body).toEqual([]);
  });
});

describe('CallGeni.us campaign validation', () => {
  it('rejects zero targets, bad numbers and unknown agents with Laravel errors', async () => {
    const none = await cg('POST', '/api/campaigns', { name: 'x', agent_id: 42, targets: [] });
    expect(none.status).toBe(422);
    expect(none.body).toEqual({
      message: 'The targets field must have at least 1 items.',
      errors: { targets: ['The targets field must have at least 1 items.'] },
    });
    const bad = await cg('POST', '/api/campaigns', { name: 'x', agent_id: 42, targets: [{ phone_number: '0412 345 678' }] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual({ 'targets.0.phone_number': ['The targets.0.phone_number field format is invalid.'] });
    const agent = await cg('POST', '/api/campaigns', { name: 'x', agent_id: 999, targets: [{ phone_number: '+61412345678' }] });
    expect(agent.status).toBe(422);
    expect(agent.body).toEqual({ message: 'The selected agent id is invalid.', errors: { agent_id: ['The selected agent id is invalid.'] } });
    const other = await cg('POST', '/api/campaigns', { name: 'x', agent_id: 41, targets: [{ phone_number: '+61412345678' }] });
    expect(other.body.errors).toEqual({ agent_id: ['The selected agent id is invalid.'] });
  });
});

describe('CallGeni.us isolation and errors', () => {
  it("another user's token sees none of the demo business and gets 404 on its ids", async () => {
    const o = (path: string) => cg('GET', path, undefined, 'cg_test_other');
    for (const path of [
      '/api/agents/42',
      '/api/calls/1001',
      '/api/calls/1001/transcript',
      '/api/calls/1001/recording',
      '/api/campaigns/5',
      '/api/agents/42/versions',
    ]) {
      const r = await o(path);
      expect(r.status, path).toBe(404);
      expect(r.body).toEqual({ message: 'Resource not found (or belongs to another tenant)' });
    }
    expect((await cg('POST', '/api/numbers/7/assign', { agent_id: 41 }, 'cg_test_other')).status).toBe(404);
    expect((await cg('DELETE', '/api/numbers/7', undefined, 'cg_test_other')).status).toBe(404);
    expect((await o('/api/agents')).body.map((a: any) => a.id)).toEqual([41]);
    expect((await o('/api/calls')).body.data.map((c: any) => c.id)).toEqual([1005]);
    expect((await o('/api/numbers')).body.map((n: any) => n.id)).toEqual([8]);
    expect((await o('/api/campaigns')).body).toEqual([]);
    expect((await o('/api/knowledge')).body).toEqual([]);
    expect((await o('/api/tenants')).body).toEqual([{ id: 3, name: 'Other Bakery', active: true }]);
    const sw = await cg('POST', '/api/tenants/switch', { tenant_id: 1 }, 'cg_test_other');
    expect(sw.status).toBe(404);
  });

  it("the demo key can switch to the demo user's second business but not to another user's", async () => {
    expect((await cg('POST', '/api/tenants/switch', { tenant_id: 3 })).status).toBe(404);
    expect((await cg('POST', '/api/tenants/switch', { tenant_id: 2 })).status).toBe(200);
    expect((await cg('GET', '/api/tenants')).body.map((t: any) => [t.id, t.active])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect((await cg('GET', '/api/calls/1001')).status).toBe(404);
    await cg('POST', '/api/tenants/switch', { tenant_id: 1 });
    expect((await cg('GET', '/api/calls/1001')).status).toBe(200);
  });

  it('missing or wrong token → 401 Unauthenticated.; wrong password → 401', async () => {
    for (const key of [null, 'cg_test_nope']) {
      const r = await cg('GET', '/api/agents', undefined, key);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ message: 'Unauthenticated.' });
    }
    const r = await cg('POST', '/api/auth/login', { email: 'demo@example.com', password: 'wrong' }, null);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ message: 'Invalid credentials.' });
    const bad = await cg('POST', '/api/auth/login', { email: 'not-an-email', password: 'x' }, null);
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual({ email: ['The email field must be a valid email address.'] });
  });

  it('malformed JSON → 400; wrong types → 422 naming the field; unknown path → 404', async () => {
    const broken = await sim.api('callgenius', 'POST', '/api/agents', { raw: '{"name": "x",', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(broken.body).toEqual({ message: expect.stringContaining('Malformed JSON') });
    const types = await cg('POST', '/api/agents', { name: 5, voice: 'aria', language: 'en-AU', humour_level: 31 });
    expect(types.status).toBe(422);
    expect(types.body).toEqual({
      message: 'The name field must be a string. (and 1 more error)',
      errors: { name: ['The name field must be a string.'], humour_level: ['The humour level field must not be greater than 30.'] },
    });
    const missing = await cg('POST', '/api/agents', { voice: 'aria' });
    expect(missing.body.errors).toEqual({ name: ['The name field is required.'], language: ['The language field is required.'] });
    // An id that cannot exist (not an integer) names no record: 404, as Laravel's route binding does.
    const path = await cg('GET', '/api/calls/abc');
    expect(path.status).toBe(404);
    expect(path.body.message).toBeDefined();
    const query = await cg('GET', '/api/calls?per_page=500&status=ringing');
    expect(query.status).toBe(200);
    expect(query.body.meta.per_page).toBe(100);
    expect(query.headers.get('x-callsim-warnings')).toBe('1; per_page above 100 was taken as 100');
    const dates = await cg('GET', '/api/calls?from=2025-05-01&to=2025-04-01');
    expect(dates.body.errors).toEqual({ to: ['The to field must be a date after or equal to from.'] });
    const unknown = await cg('GET', '/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ message: 'The route api/nothing-here could not be found.' });
    const empty = await cg('PATCH', '/api/agents/42', {});
    expect(empty.status).toBe(422);
  });

  it('filters calls by agent and date', async () => {
    const r = await cg('GET', '/api/calls?agent_id=42&from=2025-04-03&to=2025-04-03');
    expect(r.body.data.map((c: any) => c.id)).toEqual([1003]);
    expect((await cg('GET', '/api/calls?agent_id=41')).body.data).toEqual([]);
    const paged = await cg('GET', '/api/calls?per_page=3&page=2');
    expect(paged.body.meta).toEqual({ current_page: 2, per_page: 3, total: 4, last_page: 2 });
    expect(paged.body.data.map((c: any) => c.id)).toEqual([1001]);
  });
});

describe('CallGeni.us rate limit', () => {
  it('answers 429 with Retry-After past 120 requests a minute per token', async () => {
    const limited = await startTestSim();
    try {
      await limited.advance(60_000 - (limited.running.sim.world.now() % 60_000));
      for (let i = 0; i < 120; i++) expect((await limited.api('callgenius', 'GET', '/api/billing/usage')).status).toBe(200);
      const r = await limited.api('callgenius', 'GET', '/api/billing/usage');
      expect(r.status).toBe(429);
      expect(r.body).toEqual({ message: 'Too Many Attempts.' });
      expect(r.headers.get('retry-after')).toBe('60');
      expect((await limited.api('callgenius', 'GET', '/api/billing/usage', { key: 'cg_test_other' })).status).toBe(200);
      await limited.advance(60_000);
      expect((await limited.api('callgenius', 'GET', '/api/billing/usage')).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
