import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../../helpers/sim.js';
import { multipartBody, tinyPdf } from './helpers.js';

/**
 * Every example request of the CallGeni.us reference page (seeds/002_…), verbatim but for base URL
 * and key, against fresh fixtures; each answer is checked against the documented one and the spec.
 */
let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());
const cg = (method: string, path: string, body?: unknown, key?: string | null) => sim.api('callgenius', method, path, { body, key });

describe('CallGeni.us doc examples', () => {
  it('POST /api/auth/login gives a token scoped to the active business', async () => {
    const r = await cg('POST', '/api/auth/login', { email: 'demo@example.com', password: 'demo-password' }, null);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ token: expect.any(String), token_type: 'Bearer', tenant: { id: 1, name: 'Demo Dental Clinic', active: true } });
    const agents = await sim.api('callgenius', 'GET', '/api/agents', { key: r.body.token, headers: { accept: 'application/json' } });
    expect(agents.status).toBe(200);
    expect(agents.body.map((a: any) => a.id)).toEqual([42]);
  });

  it('GET /api/agents lists the agents with version, voice, language and number', async () => {
    const r = await sim.api('callgenius', 'GET', '/api/agents', { headers: { accept: 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      {
        id: 42,
        name: 'Reception Bot',
        voice: 'aria',
        language: 'en-AU',
        current_version: 3,
        has_number: true,
        status: 'active',
        created_at: '2025-03-01T09:00:00.000000Z',
      },
    ]);
  });

  it("POST /api/agents creates the docs' Reception Bot at version 1", async () => {
    const r = await cg('POST', '/api/agents', { name: 'Reception Bot', voice: 'aria', language: 'en-AU', system_prompt: 'You are a friendly receptionist...' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: 43,
      name: 'Reception Bot',
      voice: 'aria',
      language: 'en-AU',
      current_version: 1,
      has_number: false,
      status: 'active',
      system_prompt: 'You are a friendly receptionist...',
      humour_level: 10,
      empathy_level: 50,
      formality_level: 50,
      energy_level: 50,
      directness_level: 50,
      compiled_instructions:
        'You are a friendly receptionist...\nSpeak en-AU. Humour 10/30, empathy 50/100, formality 50/100, energy 50/100, directness 50/100.',
      versions: [{ version: 1, created_at: '2026-01-01T12:00:00.000000Z' }],
      phone_number: null,
      created_at: '2026-01-01T12:00:00.000000Z',
      updated_at: '2026-01-01T12:00:00.000000Z',
    });
  });

  it('GET /api/agents/42 has compiled instructions, version history and the assigned number', async () => {
    const r = await cg('GET', '/api/agents/42');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(
      expect.objectContaining({
        id: 42,
        current_version: 3,
        system_prompt: 'You are a friendly receptionist for a dental clinic.',
        humour_level: 5,
        empathy_level: 80,
        compiled_instructions:
          'You are a friendly receptionist for a dental clinic.\nSpeak en-AU. Humour 5/30, empathy 80/100, formality 60/100, energy 50/100, directness 40/100.',
        versions: [
          { version: 1, created_at: '2025-03-01T09:00:00.000000Z' },
          { version: 2, created_at: '2025-03-15T14:30:00.000000Z' },
          { version: 3, created_at: '2025-03-20T08:00:00.000000Z' },
        ],
        phone_number: { id: 7, phone_number: '+61291234567' },
        updated_at: '2025-03-20T08:00:00.000000Z',
      }),
    );
  });

  it('PUT /api/agents/42 makes a new version; rollback restores an old one as the next version', async () => {
    const put = await cg('PUT', '/api/agents/42', { empathy_level: 90 });
    expect(put.status).toBe(200);
    expect(put.body).toEqual(expect.objectContaining({ current_version: 4, empathy_level: 90, humour_level: 5, updated_at: '2026-01-01T12:00:00.000000Z' }));
    expect(put.body.compiled_instructions).toContain('empathy 90/100');
    const patch = await cg('PATCH', '/api/agents/42', { name: 'Front Desk' });
    expect(patch.body).toEqual(expect.objectContaining({ current_version: 5, name: 'Front Desk', empathy_level: 90 }));
    const versions = await cg('GET', '/api/agents/42/versions');
    expect(versions.body.map((v: any) => [v.version, v.name, v.empathy_level])).toEqual([
      [1, 'Reception Bot', 50],
      [2, 'Reception Bot', 50],
      [3, 'Reception Bot', 80],
      [4, 'Reception Bot', 90],
      [5, 'Front Desk', 90],
    ]);
    const back = await cg('POST', '/api/agents/42/versions/1/rollback');
    expect(back.status).toBe(200);
    expect(back.body).toEqual(
      expect.objectContaining({
        current_version: 6,
        name: 'Reception Bot',
        system_prompt: 'You are a friendly receptionist...',
        humour_level: 10,
        empathy_level: 50,
      }),
    );
    expect((await cg('POST', '/api/agents/42/versions/99/rollback')).status).toBe(404);
  });

  it('DELETE /api/agents/42 deletes it and unassigns its number', async () => {
    const r = await cg('DELETE', '/api/agents/42');
    expect(r.status).toBe(204);
    const gone = await cg('GET', '/api/agents/42');
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ message: 'Resource not found (or belongs to another tenant)' });
    const numbers = await cg('GET', '/api/numbers');
    expect(numbers.body[0]).toEqual(expect.objectContaining({ id: 7, agent_id: null, agent: null }));
  });

  it('GET /api/calls?per_page=50&status=completed pages completed calls', async () => {
    const r = await cg('GET', '/api/calls?per_page=50&status=completed');
    expect(r.status).toBe(200);
    expect(r.body.meta).toEqual({ current_page: 1, per_page: 50, total: 3, last_page: 1 });
    expect(r.body.data.every((c: any) => c.status === 'completed')).toBe(true);
    expect(r.body.data.map((c: any) => c.id)).toEqual([1004, 1003, 1001]);
    expect(r.body.data.map((c: any) => c.disposition)).toEqual(['voicemail', 'completed', 'booked']);
  });

  it('GET /api/calls/1001 has duration, numbers, agent, AI summary and sentiment', async () => {
    const r = await cg('GET', '/api/calls/1001');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      id: 1001,
      agent_id: 42,
      campaign_id: 5,
      direction: 'outbound',
      from_number: '+61291234567',
      to_number: '+61412345678',
      status: 'completed',
      disposition: 'booked',
      duration: 25,
      summary: 'Ava from Bright Smile Dental called Jane to book her overdue check-up. Jane booked a dental check-up for December 3rd at 2:30 PM.',
      sentiment_score: 0.7,
      started_at: '2025-04-02T10:00:05.000000Z',
      ended_at: '2025-04-02T10:00:30.000000Z',
      created_at: '2025-04-02T10:00:00.000000Z',
    });
  });

  it('GET /api/calls/1001/transcript is an ordered array of speaker/text/offset_sec turns', async () => {
    const r = await cg('GET', '/api/calls/1001/transcript');
    expect(r.status).toBe(200);
    expect(r.body.length).toBeGreaterThan(5);
    expect(r.body[0]).toEqual({ speaker: 'caller', text: 'Hello?', offset_sec: 0 });
    expect(new Set(r.body.map((t: any) => t.speaker))).toEqual(new Set(['caller', 'agent']));
    const offsets = r.body.map((t: any) => t.offset_sec);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it('GET /api/calls/1001/recording is a signed MP3 URL valid for one hour, as documented', async () => {
    const r = await cg('GET', '/api/calls/1001/recording');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      url: expect.stringContaining('/__sim/recordings/callgenius/1001.mp3?'),
      expires_at: '2026-01-01T13:00:00.000000Z',
      format: 'mp3',
    });
    const mp3 = await fetch(r.body.url);
    expect(mp3.status).toBe(200);
    expect(mp3.headers.get('content-type')).toBe('audio/mpeg');
    const bytes = Buffer.from(await mp3.arrayBuffer());
    // A Xing "Info" frame first, then MPEG audio frames (recording.test.ts decodes them).
    expect(bytes.toString('latin1', 13, 17)).toBe('Info');
    expect(bytes.length).toBe(Number(mp3.headers.get('content-length')));
    const missed = await cg('GET', '/api/calls/1002/recording');
    expect(missed.status).toBe(404);
    expect(missed.body).toEqual({ message: 'This call has no recording: it was never answered.' });
  });

  it('GET /api/numbers lists all provisioned numbers with their agent, a bare array like the agents list', async () => {
    const r = await cg('GET', '/api/numbers');
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      {
        id: 7,
        phone_number: '+61291234567',
        country: 'AU',
        type: 'local',
        agent_id: 42,
        agent: { id: 42, name: 'Reception Bot' },
        status: 'active',
        created_at: '2025-03-01T09:05:00.000000Z',
      },
    ]);
  });

  it('GET /api/numbers/available searches by country, area code and type', async () => {
    const r = await cg('GET', '/api/numbers/available?country=AU&area_code=2&type=local');
    expect(r.status).toBe(200);
    expect(r.body.data[0]).toEqual({
      phone_number: '+61255500000',
      country: 'AU',
      type: 'local',
      area_code: '2',
      locality: 'Sydney, NSW',
      monthly_cost_cents: 200,
    });
    expect(r.body.data.every((n: any) => n.country === 'AU' && n.area_code === '2' && n.type === 'local')).toBe(true);
    expect(r.body.meta).toEqual({ current_page: 1, per_page: 15, total: 30, last_page: 2 });
    const noCountry = await cg('GET', '/api/numbers/available?area_code=2');
    expect(noCountry.status).toBe(422);
    expect(noCountry.body.errors).toEqual({ country: ['The country field is required.'] });
  });

  it('POST /api/numbers provisions a number; a taken one is a 422 on phone_number', async () => {
    const r = await cg('POST', '/api/numbers', { phone_number: '+61255500000', country: 'AU' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual(expect.objectContaining({ id: 9, phone_number: '+61255500000', country: 'AU', type: 'local', agent_id: null, agent: null }));
    const again = await cg('POST', '/api/numbers', { phone_number: '+61255500000', country: 'AU' });
    expect(again.status).toBe(422);
    expect(again.body).toEqual({ message: 'The phone number has already been taken.', errors: { phone_number: ['The phone number has already been taken.'] } });
    const unknown = await cg('POST', '/api/numbers', { phone_number: '+61299999999', country: 'AU' });
    expect(unknown.body.errors).toEqual({ phone_number: ['The phone number is not available.'] });
  });

  it('POST /api/numbers/{id}/assign with { "agent_id": 42 } assigns the number', async () => {
    const bought = await cg('POST', '/api/numbers', { phone_number: '+61255500001', country: 'AU' });
    const r = await cg('POST', `/api/numbers/${bought.body.id}/assign`, { agent_id: 42 });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(expect.objectContaining({ id: bought.body.id, agent_id: 42, agent: { id: 42, name: 'Reception Bot' } }));
    const bad = await cg('POST', `/api/numbers/${bought.body.id}/assign`, { agent_id: 999 });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual({ agent_id: ['The selected agent id is invalid.'] });
  });

  it("POST /api/campaigns creates the docs' campaign; start and pause move it", async () => {
    const r = await cg('POST', '/api/campaigns', {
      name: 'Re-engagement Q2',
      agent_id: 42,
      targets: [{ phone_number: '+61412345678', name: 'Jane Smith' }, { phone_number: '+61498765432' }],
    });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: 6,
      name: 'Re-engagement Q2',
      agent_id: 42,
      status: 'draft',
      target_count: 2,
      concurrency: 5,
      stats: { pending: 2, dialling: 0, completed: 0, failed: 0 },
      created_at: '2026-01-01T12:00:00.000000Z',
      started_at: null,
      completed_at: null,
    });
    const start = await cg('POST', '/api/campaigns/6/start');
    expect(start.status).toBe(200);
    expect(start.body).toEqual(
      expect.objectContaining({ status: 'running', started_at: '2026-01-01T12:00:00.000000Z', stats: { pending: 0, dialling: 2, completed: 0, failed: 0 } }),
    );
    const pause = await cg('POST', '/api/campaigns/6/pause');
    expect(pause.status).toBe(200);
    expect(pause.body.status).toBe('paused');
    const list = await cg('GET', '/api/campaigns');
    expect(list.body.map((c: any) => [c.id, c.status])).toEqual([
      [6, 'paused'],
      [5, 'completed'],
    ]);
    expect(list.body[1].stats).toEqual({ pending: 0, dialling: 0, completed: 1, failed: 1 });
  });

  it("GET /api/billing/usage answers the docs' figures", async () => {
    const r = await cg('GET', '/api/billing/usage');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(
      expect.objectContaining({ plan: 'pro', minutes_used: 87, included_minutes: 350, wallet_balance_cents: 4200, trial_minutes_remaining: 0 }),
    );
  });

  it('POST /api/billing/subscribe returns a hosted checkout URL, unguessable and single-use', async () => {
    const r = await cg('POST', '/api/billing/subscribe', { plan: 'enterprise' });
    expect(r.status).toBe(200);
    expect(r.body.url).toMatch(new RegExp(`^${sim.url}/callgenius/checkout/cs_[0-9a-f]{32}$`));
    const again = await cg('POST', '/api/billing/subscribe', { plan: 'enterprise' });
    expect(again.body.url).not.toBe(r.body.url);
    const path = new URL(r.body.url).pathname.replace('/callgenius', '');

    // The page: no token needed (the session id is the credential), a form that completes it.
    const page = await sim.api('callgenius', 'GET', path, { key: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('Subscribe to enterprise');
    expect(page.text).toContain(`action="${path.split('/').pop()}/complete"`);
    expect((await cg('GET', '/api/billing/usage')).body.plan).toBe('pro');

    const done = await sim.api('callgenius', 'POST', `${path}/complete`, { key: null });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ status: 'complete', tenant_id: 1, plan: 'enterprise' });
    expect((await cg('GET', '/api/billing/usage')).body.plan).toBe('enterprise');
    // Single use: the same session answers 404 now, page and completion alike.
    expect((await sim.api('callgenius', 'GET', path, { key: null })).status).toBe(404);
    expect((await sim.api('callgenius', 'POST', `${path}/complete`, { key: null })).status).toBe(404);

    // A browser's form post gets a confirmation page.
    const starter = new URL((await cg('POST', '/api/billing/subscribe', { plan: 'starter' })).body.url).pathname.replace('/callgenius', '');
    const html = await sim.api('callgenius', 'POST', `${starter}/complete`, {
      key: null,
      raw: '',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(html.status).toBe(200);
    expect(html.text).toContain('<strong>starter</strong>');
    // Made-up sessions are unknown.
    expect((await sim.api('callgenius', 'GET', `/checkout/cs_${'0'.repeat(32)}`, { key: null })).status).toBe(404);

    const bad = await cg('POST', '/api/billing/subscribe', { plan: 'gold' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual({ plan: ['The selected plan is invalid.'] });
  });

  it('POST /api/knowledge -F "file=@menu.pdf" uploads a document that becomes ready', async () => {
    const { body, contentType } = multipartBody('file', 'menu.pdf', 'application/pdf', tinyPdf());
    const r = await sim.api('callgenius', 'POST', '/api/knowledge', { raw: body, headers: { 'content-type': contentType } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: 4,
      filename: 'menu.pdf',
      mime_type: 'application/pdf',
      size_bytes: tinyPdf().length,
      status: 'processing',
      agent_ids: [],
      created_at: '2026-01-01T12:00:00.000000Z',
    });
    await sim.advance(5000);
    const list = await cg('GET', '/api/knowledge');
    expect(list.status).toBe(200);
    expect(list.body.map((d: any) => [d.id, d.filename, d.status])).toEqual([
      [3, 'price-list.pdf', 'ready'],
      [4, 'menu.pdf', 'ready'],
    ]);
  });

  it("GET /api/tenants lists the user's businesses; POST /api/tenants/switch moves the token", async () => {
    const login = await cg('POST', '/api/auth/login', { email: 'demo@example.com', password: 'demo-password' }, null);
    const key = login.body.token;
    const tenants = await cg('GET', '/api/tenants', undefined, key);
    expect(tenants.body).toEqual([
      { id: 1, name: 'Demo Dental Clinic', active: true },
      { id: 2, name: 'Demo Plumbing Co', active: false },
    ]);
    const sw = await cg('POST', '/api/tenants/switch', { tenant_id: 2 }, key);
    expect(sw.status).toBe(200);
    expect(sw.body).toEqual({ message: 'Active tenant switched.', tenant: { id: 2, name: 'Demo Plumbing Co', active: true } });
    expect((await cg('GET', '/api/agents', undefined, key)).body.map((a: any) => a.name)).toEqual(['Dispatch Bot']);
    expect((await cg('GET', '/api/agents/42', undefined, key)).status).toBe(404);
    expect((await cg('GET', '/api/billing/usage', undefined, key)).body.plan).toBe('trial');
    // The demo key still acts on business 1: switching is per token.
    expect((await cg('GET', '/api/agents')).body.map((a: any) => a.id)).toEqual([42]);
  });
});
