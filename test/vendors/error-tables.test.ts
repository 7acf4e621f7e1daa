import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../helpers/sim.js';

/**
 * Every status in a vendor's error table can happen for a reason a client can cause, not only
 * through `Prefer: code=…`: 403 from a key's permissions, 409 from a state conflict, 502 from the
 * carrier (a documented magic number). Each answer is in the vendor's shape and checked against its
 * spec by the helper.
 */
let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

async function key(account: string, role: 'full' | 'read-only') {
  const r = await sim.admin('POST', `/accounts/${account}/keys`, { role });
  expect(r.status).toBe(201);
  expect(r.body).toEqual(expect.objectContaining({ account, role, key: expect.any(String) }));
  return r.body.key as string;
}

describe('403: a key that may read but not change', () => {
  it('Calleague: a read-only key reads, and starting a call or registering a webhook is 403 in both envelopes', async () => {
    const ro = await key('clg_ws_demo', 'read-only');
    expect((await sim.api('calleague', 'GET', '/api/core/voice/call/cl_8f2a', { key: ro })).status).toBe(200);
    const start = await sim.api('calleague', 'POST', '/api/core/voice/agent/call', { key: ro, body: { agentId: 'ag_123', to: '+14155550123' } });
    expect(start.status).toBe(403);
    expect(start.body).toEqual({ code: 403, message: 'This API key is read-only: it may read, not change anything' });
    const hook = await sim.api('calleague', 'POST', '/api/core/webhook', { key: ro, body: { url: 'https://example.com/h', events: ['call.ended'] } });
    expect(hook.status).toBe(403);
    const v1 = await sim.api('calleague', 'POST', '/api/v1/calls', { key: ro, body: { assistantId: 'ag_123', to: '+14155550123' } });
    expect(v1.body).toEqual({ code: 403, statusText: 'Forbidden', message: 'This API key is read-only: it may read, not change anything', data: null });
    // A full key minted the same way does everything.
    const full = await key('clg_ws_demo', 'full');
    expect((await sim.api('calleague', 'POST', '/api/core/voice/agent/call', { key: full, body: { agentId: 'ag_123', to: '+14155550123' } })).status).toBe(200);
  });

  it('CallGeni.us: a read-only token lists but cannot create (Laravel\'s "This action is unauthorized.")', async () => {
    const ro = await key('cg_biz_1', 'read-only');
    expect((await sim.api('callgenius', 'GET', '/api/agents', { key: ro })).body.map((a: any) => a.id)).toEqual([42]);
    const create = await sim.api('callgenius', 'POST', '/api/agents', { key: ro, body: { name: 'x', voice: 'aria', language: 'en-AU' } });
    expect(create.status).toBe(403);
    expect(create.body).toEqual({ message: 'This action is unauthorized.' });
    expect((await sim.api('callgenius', 'DELETE', '/api/agents/42', { key: ro })).status).toBe(403);
    expect((await sim.api('callgenius', 'GET', '/api/agents/42', { key: ro })).status).toBe(200);
    // Switching the active business changes no data (the spec marks it x-callsim-read-only).
    const tenants = (await sim.api('callgenius', 'GET', '/api/tenants', { key: ro })).body;
    const other = tenants.find((t: any) => !t.current) ?? tenants[0];
    const sw = await sim.api('callgenius', 'POST', '/api/tenants/switch', { key: ro, body: { tenant_id: other.id } });
    expect(sw.status, sw.text).toBe(200);
  });

  it('CallingBox and JagCall document no permissions: a read-only key is refused, a full one works', async () => {
    for (const account of ['cb_org_demo', 'jc_org_demo']) {
      const r = await sim.admin('POST', `/accounts/${account}/keys`, { role: 'read-only' });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('role_not_documented');
    }
    const full = await key('cb_org_demo', 'full');
    expect((await sim.api('callingbox', 'GET', '/v1/agents', { key: full })).status).toBe(200);
    expect((await sim.admin('POST', '/accounts/nope/keys', { role: 'full' })).status).toBe(404);
  });
});

describe('409: the resource state blocks the action', () => {
  it('Calleague: starting a call with an inactive assistant', async () => {
    const r = await sim.api('calleague', 'POST', '/api/core/voice/agent/call', { body: { agentId: 'ag_0ff1', to: '+14155550123' } });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ code: 409, message: 'agent ag_0ff1 is inactive; activate it before it places calls' });
  });

  it('JagCall: calling from an agent set inactive', async () => {
    expect((await sim.api('jagcall', 'PUT', '/v1/agents/agt_yyy', { body: { status: 'inactive' } })).status).toBe(200);
    const r = await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_yyy', to: '+14155559876' } });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('conflict');
  });
});

describe('502: the carrier refuses the call (+15005550005)', () => {
  it('CallingBox answers its documented "Telephony provider error"; the others their own 502', async () => {
    const cb = await sim.api('callingbox', 'POST', '/v1/calls', { body: { agent_id: 'agent_3f9a1c2b7d4e', to: '+15005550005' } });
    expect(cb.status).toBe(502);
    expect(cb.body).toEqual({ error: 'telephony provider error: the carrier rejected the call to +15005550005' });
    const jc = await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+15005550005' } });
    expect([jc.status, jc.body.error.code]).toEqual([502, 'upstream_error']);
    const cl = await sim.api('calleague', 'POST', '/api/core/voice/agent/call', { body: { agentId: 'ag_123', to: '+15005550005' } });
    expect(cl.status).toBe(502);
    // Nothing was created: the call log has no call to that number.
    expect((await sim.api('callingbox', 'GET', '/v1/calls?limit=100')).body.data.some((c: any) => c.to === '+15005550005')).toBe(false);
  });

  it('a provider-error scenario rule refuses a whole prefix', async () => {
    const put = await sim.admin('PUT', '/config', { scenarios: [{ toPrefix: '+1212', outcome: 'provider-error' }] });
    expect(put.status, put.text).toBe(200);
    const r = await sim.api('callingbox', 'POST', '/v1/calls', { body: { agent_id: 'agent_3f9a1c2b7d4e', to: '+12125550100' } });
    expect(r.status).toBe(502);
    await sim.admin('PUT', '/config', { scenarios: [] });
  });
});
