import http from 'node:http';
import { Callsim } from '../src/app.js';
import { createCall } from '../src/sim/calls.js';

/** 10,000 webhook events fanned out to a local receiver: throughput, and every one counted there. */
export async function benchWebhooks(events = 10_000): Promise<{ events: number; received: number; wallMs: number; eventsPerSec: number; failed: number }> {
  let received = 0;
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
  const sim = new Callsim({ clock: 'virtual', seed: 3, vendors: ['jagcall'] });
  sim.subscriptions.add({ vendor: 'jagcall', accountId: 'jc_org_demo', url, events: null, source: 'admin', createdAt: sim.world.now() });
  // Each answered call emits 7 events (3 status changes, started, ended, transcript, recording).
  const calls = Math.ceil(events / 7);
  for (let i = 0; i < calls; i++) createCall(sim.world, { accountId: 'jc_org_demo', agentId: 'agt_xxx', to: '+14155559876' });
  const t = performance.now();
  await sim.world.scheduler.advance(10 * 60_000);
  const wallMs = performance.now() - t;
  const sent = sim.webhooks.deliveries.size;
  const failed = [...sim.webhooks.deliveries.values()].filter((d) => d.state !== 'succeeded').length;
  sim.world.scheduler.stop();
  receiver.closeAllConnections();
  receiver.close();
  return { events: sent, received, wallMs: Math.round(wallMs), eventsPerSec: Math.round(received / (wallMs / 1000)), failed };
}
