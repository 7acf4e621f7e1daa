import { it, expect } from 'vitest';
import { startTestSim } from '../helpers/sim.js';

it('bugs', async () => {
  const sim = await startTestSim();
  const a = await sim.admin('GET', '/calls/call_xxx');
  console.log('before mint', a.body.account);
  const m = await sim.admin('POST', '/accounts', { vendor: 'jagcall' });
  console.log('after mint', (await sim.admin('GET', '/calls/call_xxx')).body.account);
  await sim.admin('DELETE', '/accounts/' + m.body.account);
  const after = await sim.admin('GET', '/calls/call_xxx');
  console.log('after delete', after.status, after.body);
  const rec = await sim.api('jagcall', 'GET', '/v1/calls/call_xxx/recording', { skipContract: true });
  console.log('rec', rec.status, rec.body);
  const url = rec.body.recording_url ?? rec.body.url;
  if (url) { const r = await fetch(url); console.log('wav', r.status, (await r.text()).slice(0, 100)); }
  // inbound call to an archived agent
  const arch = await sim.api('callingbox', 'DELETE', '/v1/agents/agent_8b2e6f0a91c4', { skipContract: true });
  console.log('archive', arch.status, arch.text.slice(0, 200));
  const ic = await sim.admin('POST', '/inbound-call', { vendor: 'callingbox', to: '+18005550199', from: '+14155559876' });
  console.log('inbound to archived', ic.status, ic.body);
  // bad snapshot that passes the check
  const st = (await sim.admin('GET', '/state')).body;
  const before = (await sim.admin('GET', '/accounts')).body.data.length;
  await sim.admin('POST', '/accounts', { vendor: 'callingbox' });
  const bad = { ...st, world: { ...st.world, inventory: { jagcall: 5 } } };
  const r = await sim.admin('PUT', '/state', bad);
  console.log('bad inventory', r.status, r.body, 'accounts before', before + 1, 'after', (await sim.admin('GET', '/accounts')).body.data?.length);
  const bad2 = { ...st, world: { ...st.world, users: [null] } };
  const r2 = await sim.admin('PUT', '/state', bad2);
  console.log('bad users', r2.status, r2.body);
  // inventory error half-restores?
  const h = await sim.admin('GET', '/health');
  console.log('health', h.status);
  await sim.stop();
});
