import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../helpers/sim.js';

/**
 * Timestamps a record always shows are always present: `created_at` and `updated_at` (any casing)
 * are never null, on any vendor — also for a record updated while the clock has not moved (an
 * update in the same instant as the create used to answer `updated_at: null`).
 */
let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim({ rateLimits: { calleague: false, callgenius: false } });
});
afterAll(() => sim.stop());

const STAMP = /^(created|updated)(_at|At)$/;

/** Every created/updated stamp anywhere in a JSON value, with its path. */
function stamps(value: unknown, path = ''): Array<[string, unknown]> {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [...(STAMP.test(k) ? [[`${path}.${k}`, v] as [string, unknown]] : []), ...stamps(v, `${path}.${k}`)]);
}

function expectStamped(what: string, body: unknown) {
  const found = stamps(body);
  expect(found.length, `${what} shows no timestamps`).toBeGreaterThan(0);
  for (const [path, v] of found) {
    expect(typeof v, `${what} ${path}`).toBe('string');
    expect(Number.isNaN(Date.parse(v as string)), `${what} ${path}`).toBe(false);
  }
}

describe('created/updated timestamps', () => {
  it('are never null on any record of any vendor, also right after an update in the same instant', async () => {
    const steps: Array<[string, string, string, unknown?]> = [
      ['jagcall', 'POST', '/v1/agents', { name: 'Support Agent', system_prompt: 'Help.', voice_id: 'rachel' }],
      ['jagcall', 'PUT', '/v1/agents/agt_xxx', { name: 'Updated Agent Name' }],
      ['jagcall', 'GET', '/v1/agents'],
      ['jagcall', 'PUT', '/v1/phone-numbers/pn_xxx', { agent_id: 'agt_yyy' }],
      ['jagcall', 'GET', '/v1/phone-numbers'],
      ['jagcall', 'GET', '/v1/sms/conversations'],
      ['jagcall', 'POST', '/v1/sms', { from: '+14155551234', to: '+14155559876', body: 'Hi' }],
      ['callingbox', 'POST', '/v1/agents', { name: 'Renewals' }],
      ['callingbox', 'PATCH', '/v1/agents/agent_3f9a1c2b7d4e', { name: 'Outbound Renewals' }],
      ['callingbox', 'GET', '/v1/numbers'],
      ['callingbox', 'GET', '/v1/calls'],
      ['callgenius', 'POST', '/api/agents', { name: 'Reception Bot', voice: 'aria', language: 'en-AU' }],
      ['callgenius', 'PUT', '/api/agents/42', { name: 'Reception Bot 2' }],
      ['callgenius', 'GET', '/api/numbers'],
      ['callgenius', 'GET', '/api/campaigns'],
      ['calleague', 'GET', '/api/core/voice/agent/list'],
      ['calleague', 'GET', '/api/core/voice/call/list'],
    ];
    for (const [vendor, method, path, body] of steps) {
      const r = await sim.api(vendor, method, path, { body });
      expect(r.status, `${vendor} ${method} ${path}: ${r.text.slice(0, 200)}`).toBeLessThan(300);
      expectStamped(`${vendor} ${method} ${path}`, r.body);
    }
    // A record updated in the instant it was made was last updated then.
    const made = (await sim.api('jagcall', 'POST', '/v1/agents', { body: { name: 'Same instant' } })).body;
    const changed = (await sim.api('jagcall', 'PUT', `/v1/agents/${made.id}`, { body: { name: 'Changed' } })).body;
    expect(changed.updated_at).toBe(made.created_at);
  });
});
