import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VENDORS } from '../../src/vendors/registry.js';
import type { VendorAdapter } from '../../src/vendors/types.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';

/**
 * Webhooks are in every spec: each event a vendor emits is declared in its spec's `webhooks`, and
 * every payload really delivered — for every vendor, through calls of every outcome, inbound calls,
 * SMS, campaigns and bookings — validates against it. With `--strict` a payload that breaks its
 * schema is caught at run time and lands in the journal.
 */
const pointer = (event: string) => `#/webhooks/${event}/post/requestBody/content/application~1json/schema`;

let sim: TestSim;
const receivers = new Map<string, Receiver>();
beforeAll(async () => {
  sim = await startTestSim({ strict: true, transcriptDelayMs: 0, recordingDelayMs: 0, rateLimits: { calleague: false, callgenius: false } });
  for (const v of VENDORS) {
    const r = await startReceiver();
    receivers.set(v.name, r);
    expect((await sim.admin('POST', '/webhooks/subscriptions', { vendor: v.name, account: '*', url: r.url })).status).toBe(201);
  }
});
afterAll(async () => {
  for (const r of receivers.values()) await r.close();
  await sim.stop();
});

async function drive(): Promise<void> {
  // Answered calls to +614… play the booking script (booking.created); the magic numbers fail.
  await sim.admin('PUT', '/config', { scenarios: [{ toPrefix: '+614', outcome: 'answered', conversationId: 'en-booking' }] });
  for (const to of ['+14155550123', '+15005550002', '+15005550004']) {
    await sim.api('calleague', 'POST', '/api/core/voice/agent/call', { body: { agentId: 'ag_123', to } });
    await sim.api('callingbox', 'POST', '/v1/calls', { body: { agent_id: 'agent_3f9a1c2b7d4e', to } });
    await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to } });
  }
  const campaign = await sim.api('callgenius', 'POST', '/api/campaigns', {
    body: { name: 'Hooks', agent_id: 42, targets: [{ phone_number: '+61412345678' }, { phone_number: '+15005550003' }] },
  });
  await sim.api('callgenius', 'POST', `/api/campaigns/${campaign.body.id}/start`);
  for (const [vendor, to] of [
    ['callingbox', '+18005550199'],
    ['callingbox', '+15551234567'],
    ['jagcall', '+14155551234'],
    ['callgenius', '+61291234567'],
  ]) {
    expect((await sim.admin('POST', '/inbound-call', { vendor, to, from: '+14155557777' })).status).toBe(201);
  }
  await sim.api('jagcall', 'POST', '/v1/sms', { body: { from: '+14155551234', to: '+14155559876', body: 'Hello' } });
  await sim.admin('POST', '/inbound-sms', { vendor: 'jagcall', to: '+14155551234', from: '+14155559876', body: 'Hi back' });
  for (let i = 0; i < 40; i++) await sim.advance(5_000);
  await sim.admin('PUT', '/config', { scenarios: [] });
}

describe('webhook payloads against the specs', () => {
  it.each(VENDORS.map((v) => [v.name, v] as [string, VendorAdapter]))('%s declares every event it can send', (_name, adapter) => {
    const validator = sim.running.sim.vendor(adapter.name)!.validator;
    for (const event of adapter.webhookEvents) {
      // An undeclared pointer throws; a declared one refuses an empty object.
      expect(() => validator.validateAt(pointer(event), {}), event).not.toThrow();
      expect(validator.validateAt(pointer(event), {}).length, event).toBeGreaterThan(0);
    }
  });

  it('every delivered payload of every vendor validates, and every declared event was delivered', async () => {
    await drive();
    for (const adapter of VENDORS) {
      const validator = sim.running.sim.vendor(adapter.name)!.validator;
      const got = receivers.get(adapter.name)!.received;
      expect(got.length, adapter.name).toBeGreaterThan(0);
      for (const r of got) {
        const event = String(r.headers['x-callsim-event']);
        expect(adapter.webhookEvents, adapter.name).toContain(event);
        expect(validator.validateAt(pointer(event), r.json), `${adapter.name} ${event}: ${r.body.slice(0, 300)}`).toEqual([]);
      }
      expect(new Set(got.map((r) => String(r.headers['x-callsim-event']))), adapter.name).toEqual(new Set(adapter.webhookEvents));
    }
    const violations = await sim.admin('GET', '/journal/violations');
    expect(violations.body.data.filter((row: any) => row.method === 'WEBHOOK')).toEqual([]);
  });

  it('with --strict, a payload that breaks its schema is a journal violation (and still delivered)', async () => {
    const surface = sim.running.sim.vendor('jagcall')!;
    const original = surface.adapter;
    surface.adapter = {
      ...original,
      webhooks: (e, world, services) => original.webhooks(e, world, services).map((m) => ({ ...m, payload: { ...m.payload, id: 42 } })),
    };
    try {
      await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155559876' } });
      await sim.advance(5_000);
    } finally {
      surface.adapter = original;
    }
    const rows = (await sim.admin('GET', '/journal/violations?vendor=jagcall')).body.data.filter((row: any) => row.method === 'WEBHOOK');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toEqual(expect.objectContaining({ vendor: 'jagcall', path: expect.stringMatching(/^webhooks\/call\./) }));
    expect(rows[0].responseViolations[0]).toEqual(expect.objectContaining({ field: 'id', rule: 'type' }));
  });
});
