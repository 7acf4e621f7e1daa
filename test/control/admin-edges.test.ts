import { afterEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../helpers/sim.js';

let sim: TestSim;
afterEach(() => sim?.stop());

describe('admin edges', () => {
  it('a snapshot broken deep inside is refused whole; accounts and config stay as they were', async () => {
    sim = await startTestSim();
    await sim.admin('PUT', '/config', { scenarios: [{ toPrefix: '+1555', outcome: 'busy' }] });
    const snap = (await sim.admin('GET', '/state')).body;
    const before = (await sim.admin('GET', '/accounts')).body.data.length;
    for (const world of [
      { ...snap.world, inventory: { jagcall: 5 } },
      { ...snap.world, users: [null] },
    ]) {
      const r = await sim.admin('PUT', '/state', { ...snap, world });
      expect(r.status).toBe(400);
    }
    expect((await sim.admin('GET', '/accounts')).body.data.length).toBe(before);
    const restored = await sim.admin('PUT', '/state', { ...snap, world: { ...snap.world, rules: [] } });
    expect(restored.status).toBe(200);
    expect((await sim.admin('GET', '/config')).body.scenarios).toEqual([]);
  });

  it('refuses typos and wrong types inside config rules', async () => {
    sim = await startTestSim();
    for (const patch of [
      { faults: [{ vendor: 'jagcall', status: 500, probabilty: 0.01 }] },
      { faults: [{ vendor: 'jagcall', drop: 'false' }] },
      { faults: [{ vendor: 'jagcall', method: 'FETCH', status: 500 }] },
      { scenarios: [{ toPrefix: '+1', outcome: 'busy', durationsec: 3 }] },
      { rateLimits: { jagcall: { requests: 5, perSecond: 60 } } },
    ]) {
      const r = await sim.admin('PUT', '/config', patch);
      expect(r.status, JSON.stringify(patch)).toBe(400);
    }
    await sim.admin('PUT', '/config', { rateLimits: { callgenius: false } });
    expect((await sim.admin('PUT', '/config', { rateLimits: { callgenius: null } })).body.rateLimits).toEqual({});
  });

  it('minted demo accounts get their own call ids; deleting one leaves the demo account whole', async () => {
    sim = await startTestSim();
    const minted = await sim.admin('POST', '/accounts', { vendor: 'jagcall', fixtures: 'demo' });
    expect(minted.status).toBe(201);
    const calls = await sim.api('jagcall', 'GET', '/v1/calls', { key: minted.body.key });
    expect(calls.body.data).toHaveLength(1);
    expect(calls.body.data[0].id).not.toBe('call_xxx');
    expect((await sim.api('jagcall', 'GET', '/v1/agents/agt_xxx', { key: minted.body.key })).status).toBe(200);
    expect((await sim.admin('DELETE', `/accounts/${minted.body.account}`)).status).toBe(204);
    expect((await sim.admin('GET', '/calls/call_xxx')).status).toBe(200);
    const rec = await sim.api('jagcall', 'GET', '/v1/calls/call_xxx/recording');
    expect((await fetch(rec.body.recording_url)).status).toBe(200);
  });

  it('checks admin inputs: metadata must be an object, limits and statuses must be numbers', async () => {
    sim = await startTestSim();
    expect((await sim.admin('POST', '/calls', { vendor: 'jagcall', to: '+14155550142', metadata: ['a'] })).status).toBe(400);
    expect((await sim.admin('GET', '/calls?limit=0')).status).toBe(400);
    expect((await sim.admin('GET', '/journal?status=abc')).status).toBe(400);
    const revoke = () => sim.admin('POST', '/keys/jc_test_other/revoke');
    expect((await revoke()).status).toBe(204);
    expect((await revoke()).status).toBe(204);
    expect((await sim.api('jagcall', 'GET', '/v1/agents', { key: 'jc_test_other' })).status).toBe(401);
    expect((await sim.admin('POST', '/webhooks/subscriptions', { vendor: 'jagcall', account: 'jc_test_other', url: 'http://127.0.0.1:1/x' })).status).toBe(404);
  });
});
