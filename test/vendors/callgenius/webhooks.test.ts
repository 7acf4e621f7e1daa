import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimEvent } from '../../../src/sim/events.js';
import { callgenius } from '../../../src/vendors/callgenius/index.js';
import type { WebhookMessage } from '../../../src/vendors/types.js';
import { startTestSim, type TestSim } from '../../helpers/sim.js';

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim({ rateLimits: { callgenius: false } });
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.reset();
  // Every answered call plays the booking script, so booking.created fires.
  expect((await sim.admin('PUT', '/config', { scenarios: [{ toPrefix: '+614', outcome: 'answered', conversationId: 'en-booking' }] })).status).toBe(200);
});
const cg = (method: string, path: string, body?: unknown) => sim.api('callgenius', method, path, { body });

async function runCampaign(targets: string[]): Promise<number> {
  const c = await cg('POST', '/api/campaigns', { name: 'Hooks', agent_id: 42, targets: targets.map((phone_number) => ({ phone_number })) });
  await cg('POST', `/api/campaigns/${c.body.id}/start`);
  for (let i = 0; i < 30; i++) await sim.advance(5_000);
  return c.body.id;
}

describe('CallGeni.us webhooks', () => {
  it('maps sim events to the documented events, each valid against the spec', async () => {
    const world = sim.running.sim.world;
    const messages: WebhookMessage[] = [];
    const off = world.bus.on((e: SimEvent) => messages.push(...callgenius.webhooks(e, world, sim.running.sim.vendor('callgenius')!.services)));
    try {
      await runCampaign(['+61412345678', '+15005550002']);
    } finally {
      off();
    }
    const validator = sim.running.sim.vendor('callgenius')!.validator;
    for (const m of messages) {
      expect(m.schemaPointer).toBe(`#/webhooks/${m.event}/post/requestBody/content/application~1json/schema`);
      expect(validator.validateAt(m.schemaPointer!, m.payload), `${m.event} ${JSON.stringify(m.payload).slice(0, 300)}`).toEqual([]);
      expect(m.payload).toEqual(
        expect.objectContaining({ event: m.event, tenant_id: 1, created_at: expect.stringMatching(/^2026-01-01T\d{2}:\d{2}:\d{2}\.\d{6}Z$/) }),
      );
    }
    expect(new Set(messages.map((m) => m.event))).toEqual(new Set(callgenius.webhookEvents));
    const answered = messages.filter((m) => (m.payload.data as any).to_number === '+61412345678' || (m.payload.data as any).caller_number === '+61412345678');
    const callId = String((answered[0].payload.data as any).id);
    const ofCall = messages.filter((m) => m.orderKey === callId).map((m) => m.event);
    expect(ofCall).toEqual(['call.started', 'booking.created', 'call.ended', 'call.transcript_ready']);
    const ended = messages.find((m) => m.event === 'call.ended' && m.orderKey === callId)!.payload.data as any;
    expect(ended).toEqual(expect.objectContaining({ status: 'completed', disposition: 'booked', duration: expect.any(Number) }));
    const busy = messages.filter((m) => m.event === 'call.ended' && (m.payload.data as any).status === 'busy');
    expect((busy[0].payload.data as any).disposition).toBe('busy');
    const ready = messages.find((m) => m.event === 'call.transcript_ready')!.payload.data as any;
    expect(ready.transcript.length).toBeGreaterThan(3);
    expect(ready.summary).toContain('check-up');
    const booking = messages.find((m) => m.event === 'booking.created')!.payload.data as any;
    expect(booking).toEqual({
      call_id: Number(callId),
      agent_id: 42,
      caller_number: '+61412345678',
      booking: { service: 'Dental check-up', date: '2026-12-03', time: '14:30', name: 'Jane' },
    });
    const done = messages.find((m) => m.event === 'campaign.completed')!;
    expect((done.payload.data as any).stats).toEqual({ pending: 0, dialling: 0, completed: 1, failed: 1 });
  });

  it('delivers signed POSTs: X-CallGenius-Signature is the hex HMAC-SHA256 of the raw body', async () => {
    const received: Array<{ body: string; signature: string | undefined }> = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers['x-callgenius-signature'] as string | undefined });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      const sub = await sim.admin('POST', '/webhooks/subscriptions', { vendor: 'callgenius', url, events: ['call.ended', 'campaign.completed'] });
      expect(sub.status).toBe(201);
      await runCampaign(['+61412345678']);
      for (let i = 0; i < 50 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(received.map((r) => JSON.parse(r.body).event).sort()).toEqual(['call.ended', 'campaign.completed']);
      for (const r of received) expect(r.signature).toBe(createHmac('sha256', sub.body.secret).update(r.body).digest('hex'));
    } finally {
      receiver.close();
    }
  });

  it('signatureHeaders signs the raw body without a timestamp', () => {
    const h = callgenius.signatureHeaders!('{"event":"call.ended"}', 'whsec_test', 1_700_000_000);
    expect(h).toEqual({ 'X-CallGenius-Signature': createHmac('sha256', 'whsec_test').update('{"event":"call.ended"}').digest('hex') });
  });
});
