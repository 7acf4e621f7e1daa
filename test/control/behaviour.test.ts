import { afterEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../helpers/sim.js';

let sims: TestSim[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  sims = [];
});
const start = async (opts: Parameters<typeof startTestSim>[0] = {}) => {
  const s = await startTestSim(opts);
  sims.push(s);
  return s;
};

/** A fixed script of requests; its answers must be the same bytes on every run with the same seed. */
async function script(sim: TestSim): Promise<string> {
  const out: string[] = [];
  const j = async (m: string, p: string, body?: unknown) => {
    const r = await sim.api('jagcall', m, p, { body });
    out.push(`${r.status} ${r.text}`);
    return r;
  };
  await j('POST', '/v1/agents', { name: 'Det' });
  const a = await j('POST', '/v1/calls', { agent_id: 'agt_xxx', to: '+14155559876' });
  await j('POST', '/v1/calls', { agent_id: 'agt_yyy', to: '+15005550002' });
  await sim.advance(90_000);
  await j('GET', '/v1/calls?per_page=100');
  await j('GET', `/v1/calls/${a.body.id}/transcript`);
  await j('POST', '/v1/phone-numbers', { number: '+14155550105' });
  await j('GET', '/v1/billing/balance');
  return out.join('\n');
}

describe('determinism', () => {
  it('same seed and same requests give byte-identical answers', async () => {
    const a = await script(await start({ seed: 7 }));
    const b = await script(await start({ seed: 7 }));
    expect(a).toBe(b);
    const c = await script(await start({ seed: 8 }));
    expect(c).not.toBe(a);
  });
});

describe('snapshots', () => {
  it('a snapshot restored into a fresh server answers byte-identically', async () => {
    const one = await start({ seed: 11 });
    await one.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155559876' } });
    await one.advance(5_000);
    const snap = await one.admin('GET', '/state');
    expect(snap.status).toBe(200);
    expect(snap.body).toEqual(expect.objectContaining({ format: 'callsim-state', version: 2 }));
    const two = await start({ seed: 11 });
    const put = await two.admin('PUT', '/state', snap.body);
    expect(put.status).toBe(200);
    const rest = async (s: TestSim) => {
      await s.advance(120_000);
      const r1 = await s.api('jagcall', 'GET', '/v1/calls?per_page=100');
      const r2 = await s.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_yyy', to: '+14155559877' } });
      return r1.text + r2.text;
    };
    expect(await rest(two)).toBe(await rest(one));
  });

  it('refuses a wrong-version or broken snapshot with the reason, leaving the state untouched', async () => {
    const s = await start();
    const before = (await s.api('jagcall', 'GET', '/v1/agents')).text;
    const snap = (await s.admin('GET', '/state')).body;
    const wrong = await s.admin('PUT', '/state', { ...snap, version: 99 });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('version must be one of: 1, 2');
    const broken = await s.admin('PUT', '/state', { ...snap, world: { ...snap.world, accounts: 'nope' } });
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toContain('world.accounts');
    expect((await s.api('jagcall', 'GET', '/v1/agents')).text).toBe(before);
  });
});

describe('recording links', () => {
  it('serve the WAV, refuse a tampered signature (403) and an expired link (410)', async () => {
    const s = await start();
    const r = await s.api('jagcall', 'GET', '/v1/calls/call_xxx/recording');
    const url = new URL(r.body.recording_url);
    expect((await fetch(url)).status).toBe(200);
    const tampered = new URL(url);
    tampered.searchParams.set(
      'sig',
      url.searchParams.get('sig')!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')),
    );
    expect((await fetch(tampered)).status).toBe(403);
    const longer = new URL(url);
    longer.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    expect((await fetch(longer)).status).toBe(403);
    expect((await fetch(url.toString().replace('call_xxx', 'call_other1'))).status).toBe(403);
    await s.advance(3_600_001);
    const gone = await fetch(url);
    expect(gone.status).toBe(410);
  });
});

describe('inbound calls and SMS', () => {
  it('the agent on the number answers an inbound call, which runs like an outbound one', async () => {
    const s = await start();
    const r = await s.admin('POST', '/inbound-call', { vendor: 'jagcall', to: '+14155551234', from: '+14155550999' });
    expect(r.status).toBe(201);
    expect(r.body.call.agent_id).toBe('agt_xxx');
    await s.advance(120_000);
    const call = await s.api('jagcall', 'GET', `/v1/calls/${r.body.call.id}`);
    expect(call.body).toEqual(expect.objectContaining({ direction: 'inbound', status: 'completed', from: '+14155550999', to: '+14155551234' }));
    expect(call.body.duration_seconds).toBeGreaterThan(5);
    await s.api('jagcall', 'PUT', '/v1/phone-numbers/pn_xxx', { body: { agent_id: null } });
    const none = await s.admin('POST', '/inbound-call', { vendor: 'jagcall', to: '+14155551234', from: '+14155550999' });
    expect(none.body).toEqual(expect.objectContaining({ call: null, status: 'failed' }));
    expect((await s.admin('POST', '/inbound-call', { vendor: 'jagcall', to: '+19999999999', from: '+14155550999' })).status).toBe(404);
  });

  it('an inbound SMS lands in the JagCall conversation and counts in billing', async () => {
    const s = await start();
    const r = await s.admin('POST', '/inbound-sms', { vendor: 'jagcall', to: '+14155551234', from: '+14155559876', body: 'Running late!' });
    expect(r.status).toBe(201);
    expect(r.body.message.conversation_id).toBe('conv_xxx');
    const msgs = await s.api('jagcall', 'GET', '/v1/sms/conversations/conv_xxx/messages?per_page=100');
    expect(msgs.body.data.at(-1)).toEqual(expect.objectContaining({ direction: 'inbound', body: 'Running late!' }));
    expect((await s.api('jagcall', 'GET', '/v1/billing/balance')).body.usage_this_month.sms_received).toBe(68);
  });
});

describe('billing from what happened', () => {
  it('bills answered minutes rounded up and takes them off the balance', async () => {
    const s = await start();
    const before = (await s.api('jagcall', 'GET', '/v1/billing/balance')).body;
    await s.admin('PUT', '/config', { scenarios: [{ toPrefix: '+1415555', outcome: 'answered', durationSec: 61 }] });
    await s.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155559876' } });
    await s.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+15005550001' } });
    await s.advance(300_000);
    const after = (await s.api('jagcall', 'GET', '/v1/billing/balance')).body;
    expect(after.usage_this_month.calls - before.usage_this_month.calls).toBe(2);
    expect(after.usage_this_month.call_minutes - before.usage_this_month.call_minutes).toBe(2);
    expect(Math.round((before.balance - after.balance) * 100)).toBe(24);
  });
});
