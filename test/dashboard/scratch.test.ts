import { startTestSim } from '../helpers/sim.js';
test('explore', async () => {
  const s = await startTestSim();
  const acc = await s.admin('GET', '/accounts'); console.log(JSON.stringify(acc.body).slice(0, 800));
  const calls = await s.admin('GET', '/calls'); console.log(calls.body.total, JSON.stringify(calls.body.data[0]));
  const w = s.running.sim.world;
  for (const [id, st] of w.stores) console.log(id, [...st.numbers.values()].map(n => [n.e164, (n as any).agentId]).slice(0,3), [...st.agents.values()].map(a=>[a.id,a.name]).slice(0,3));
  const c = await s.admin('POST', '/calls', { vendor: 'jagcall', to: '+14155550123' }); console.log(c.status, JSON.stringify(c.body));
  for (let i = 0; i < 12; i++) { await s.advance(5000); const d = await s.admin('GET', '/calls/' + c.body.id); console.log(d.body.status, d.body.duration_sec, d.body.transcript.length, d.body.recording_url); }
  await s.advance(60000);
  const d = await s.admin('GET', '/calls/' + c.body.id); console.log(JSON.stringify(d.body).slice(0, 1500));
  console.log(JSON.stringify((await s.admin('GET', '/clock')).body), JSON.stringify((await s.admin('GET','/config')).body));
  console.log(JSON.stringify((await s.admin('GET','/webhooks/deliveries')).body).slice(0,500));
  console.log(JSON.stringify((await s.admin('GET','/journal')).body).slice(0,500));
  await s.stop();
});
