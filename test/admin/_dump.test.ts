import { it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { startTestSim } from '../helpers/sim.js';

it('dump', async () => {
  const sim = await startTestSim();
  const out: Record<string, unknown> = {};
  const rec = async (name: string, m: string, p: string, b?: unknown) => { const r = await sim.admin(m, p, b); out[name] = { status: r.status, body: r.body }; return r; };
  await rec('health', 'GET', '/health');
  await rec('clock', 'GET', '/clock');
  await rec('config', 'GET', '/config');
  await rec('accounts', 'GET', '/accounts');
  await rec('mint', 'POST', '/accounts', { vendor: 'jagcall' });
  await rec('sub', 'POST', '/webhooks/subscriptions', { vendor: 'jagcall', url: 'http://127.0.0.1:9/hook' });
  await rec('subs', 'GET', '/webhooks/subscriptions');
  await rec('inbound', 'POST', '/inbound-call', { vendor: 'jagcall', to: '+14155551234', from: '+14155559876' });
  await rec('inboundSms', 'POST', '/inbound-sms', { vendor: 'jagcall', to: '+14155551234', from: '+14155559876', body: 'hi' });
  await rec('createCall', 'POST', '/calls', { vendor: 'jagcall', to: '+14155559876' });
  await rec('advance', 'POST', '/clock/advance', { ms: 120000 });
  await rec('calls', 'GET', '/calls?limit=2');
  await rec('call', 'GET', '/calls/call_xxx');
  await rec('deliveries', 'GET', '/webhooks/deliveries');
  await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx' } });
  await rec('journal', 'GET', '/journal');
  await rec('state', 'GET', '/state');
  await rec('checkoutNope', 'POST', '/checkout/cs_jc_org_demo_pro_ab12/complete');
  writeFileSync('/tmp/admin-dump.json', JSON.stringify(out, null, 2));
  await sim.stop();
});
