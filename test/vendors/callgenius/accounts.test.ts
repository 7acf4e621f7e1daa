import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callgeniusError } from '../../../src/vendors/callgenius/errors.js';
import { startTestSim, type TestSim } from '../../helpers/sim.js';

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim({ rateLimits: { callgenius: false } });
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());
const cg = (method: string, path: string, body?: unknown, key?: string | null) => sim.api('callgenius', method, path, { body, key });

describe('CallGeni.us minted accounts', () => {
  it('"demo" mints a user with a login and two businesses copied with fresh ids and numbers', async () => {
    const m = await sim.admin('POST', '/accounts', { vendor: 'callgenius', fixtures: 'demo' });
    expect(m.status).toBe(201);
    expect(m.body).toEqual(
      expect.objectContaining({
        key: expect.stringMatching(/^cg_test_[0-9a-f]{10}$/),
        email: expect.stringMatching(/^user-[0-9a-f]{10}@example\.com$/),
        password: expect.any(String),
      }),
    );
    expect(m.body.tenants).toHaveLength(2);
    const [first, second] = m.body.tenants;
    expect(first.id).toBeGreaterThan(3);
    expect(second.id).toBe(first.id + 1);

    const agents = (await cg('GET', '/api/agents', undefined, m.body.key)).body;
    expect(agents).toEqual([expect.objectContaining({ name: 'Reception Bot', current_version: 3, has_number: true })]);
    expect(agents[0].id).not.toBe(42);
    const numbers = (await cg('GET', '/api/numbers', undefined, m.body.key)).body;
    expect(numbers[0].phone_number).not.toBe('+61291234567');
    expect(numbers[0].agent_id).toBe(agents[0].id);
    const calls = (await cg('GET', '/api/calls', undefined, m.body.key)).body.data;
    expect(calls).toHaveLength(4);
    expect(calls.every((c: any) => c.id > 1005 && c.agent_id === agents[0].id)).toBe(true);
    const booked = calls.find((c: any) => c.disposition === 'booked');
    expect(booked.from_number).toBe(numbers[0].phone_number);
    expect((await cg('GET', `/api/calls/${booked.id}/transcript`, undefined, m.body.key)).body.length).toBeGreaterThan(3);
    const campaigns = (await cg('GET', '/api/campaigns', undefined, m.body.key)).body;
    expect(campaigns[0].agent_id).toBe(agents[0].id);

    // Isolated both ways, and the demo fixtures are untouched.
    expect((await cg('GET', '/api/calls/1001', undefined, m.body.key)).status).toBe(404);
    expect((await cg('GET', `/api/calls/${booked.id}`)).status).toBe(404);
    expect((await cg('GET', '/api/calls/1001')).body.from_number).toBe('+61291234567');

    const login = await cg('POST', '/api/auth/login', { email: m.body.email, password: m.body.password }, null);
    expect(login.body.tenant).toEqual({ id: first.id, name: first.name, active: true });
    const sw = await cg('POST', '/api/tenants/switch', { tenant_id: second.id }, login.body.token);
    expect(sw.status).toBe(200);
    expect((await cg('GET', '/api/agents', undefined, login.body.token)).body.map((a: any) => a.name)).toEqual(['Dispatch Bot']);
    expect((await cg('POST', '/api/tenants/switch', { tenant_id: 1 }, login.body.token)).status).toBe(404);
  });

  it('"empty" mints two empty businesses', async () => {
    const m = await sim.admin('POST', '/accounts', { vendor: 'callgenius', fixtures: 'empty' });
    expect(m.status).toBe(201);
    for (const path of ['/api/agents', '/api/knowledge']) expect((await cg('GET', path, undefined, m.body.key)).body).toEqual([]);
    expect((await cg('GET', '/api/calls', undefined, m.body.key)).body.data).toEqual([]);
    expect((await cg('GET', '/api/tenants', undefined, m.body.key)).body.map((t: any) => t.active)).toEqual([true, false]);
    const agent = await cg('POST', '/api/agents', { name: 'Fresh', voice: 'leo', language: 'en-US' }, m.body.key);
    expect(agent.body.id).toBe(43);
  });
});

describe('CallGeni.us checkout', () => {
  it('subscribe links to a checkout page whose completion changes the plan', async () => {
    const r = await cg('POST', '/api/billing/subscribe', { plan: 'enterprise' });
    const page = await fetch(r.body.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Demo Dental Clinic');
    const done = await fetch(`${r.body.url}/complete`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(done.status).toBe(200);
    expect((await cg('GET', '/api/billing/usage')).body).toEqual(expect.objectContaining({ plan: 'enterprise', included_minutes: 2000 }));
  });
});

describe('CallGeni.us error envelope', () => {
  const req = { method: 'GET', path: '/api/agents', query: {}, headers: {} };
  it('429 carries Retry-After; faults keep their status; validation without details still lists errors', () => {
    expect(callgeniusError({ kind: 'rate_limited', message: 'x', retryAfterSec: 30 }, req)).toEqual({
      status: 429,
      headers: { 'retry-after': '30' },
      body: { message: 'Too Many Attempts.' },
    });
    expect(callgeniusError({ kind: 'fault', status: 503, message: 'Injected fault: HTTP 503' }, req)).toEqual({
      status: 503,
      headers: undefined,
      body: { message: 'Injected fault: HTTP 503' },
    });
    expect(
      callgeniusError(
        {
          kind: 'validation',
          message: 'Request body is required',
          violations: [{ location: 'body', field: '', rule: 'required', message: 'request body is required' }],
        },
        req,
      ).body,
    ).toEqual({ message: 'The request body is required.', errors: { body: ['The request body is required.'] } });
    expect(callgeniusError({ kind: 'method_not_allowed', message: 'x', allowed: ['GET', 'POST'] }, { ...req, method: 'PUT' })).toEqual({
      status: 405,
      headers: { allow: 'GET, POST' },
      body: { message: 'The PUT method is not supported for route api/agents. Supported methods: GET, POST.' },
    });
  });
});
