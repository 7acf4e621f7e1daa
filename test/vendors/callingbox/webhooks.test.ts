import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimEvent } from '../../../src/sim/events.js';
import { callingbox } from '../../../src/vendors/callingbox/index.js';
import type { WebhookMessage } from '../../../src/vendors/types.js';
import { startTestSim, type TestSim } from '../../helpers/sim.js';

/** The adapter's webhooks(): neutral sim events of real calls → CallingBox payloads that match the spec. */
let sim: TestSim;
let events: SimEvent[];
let mapped: WebhookMessage[];
let off: () => void;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.reset();
  events = [];
  mapped = [];
  off?.();
  // Mapped as they happen, as the delivery machinery does: the payload is the call at that moment.
  off = sim.running.sim.world.bus.on((e) => {
    events.push(e);
    mapped.push(...callingbox.webhooks(e, sim.running.sim.world, sim.running.sim.vendor('callingbox')!.services));
  });
});

/** Mapping the same events later gives the same event names and ids. */
function remap(): WebhookMessage[] {
  const { world } = sim.running.sim;
  const { services } = sim.running.sim.vendor('callingbox')!;
  return events.flatMap((e) => callingbox.webhooks(e, world, services));
}

function expectValid(messages: WebhookMessage[]) {
  const validator = sim.running.sim.vendor('callingbox')!.validator;
  for (const m of messages) {
    expect(callingbox.webhookEvents).toContain(m.event);
    expect(m.schemaPointer).toBe(`#/webhooks/${m.event}/post/requestBody/content/application~1json/schema`);
    expect(validator.validateAt(m.schemaPointer!, m.payload), `${m.event}: ${JSON.stringify(m.payload).slice(0, 300)}`).toEqual([]);
  }
}

describe('CallingBox webhooks', () => {
  it('an answered call: ringing, in_progress, completed, transcript_ready, recording_ready, in order', async () => {
    const r = await sim.api('callingbox', 'POST', '/v1/calls', { body: { agent_id: 'agent_3f9a1c2b7d4e', to: '+14155559876' } });
    await sim.advance(120_000);
    const msgs = mapped;
    expectValid(msgs);
    expect(msgs.map((m) => m.event)).toEqual(['call.ringing', 'call.in_progress', 'call.completed', 'call.transcript_ready', 'call.recording_ready']);
    expect(msgs.every((m) => m.orderKey === r.body.id)).toBe(true);
    expect(msgs.map((m) => (m.payload.data as any).status)).toEqual(['ringing', 'in_progress', 'completed', 'completed', 'completed']);
    const completed = msgs[2].payload as any;
    expect(completed.type).toBe('call.completed');
    expect(completed.data.duration_seconds).toBeGreaterThan(0);
    expect(completed.data.ended_at).not.toBeNull();
    expect((msgs[3].payload as any).data.transcript.length).toBeGreaterThan(0);
    expect((msgs[4].payload as any).data.recording_url).toMatch(/^http.*\.wav\?expires=/);
    expect(new Set(msgs.map((m) => m.payload.id)).size).toBe(msgs.length);
    // Same event, same id: a receiver can de-duplicate retries and replays.
    expect(remap().map((m) => [m.event, m.payload.id])).toEqual(msgs.map((m) => [m.event, m.payload.id]));
  });

  it('busy, no-answer and failed calls end in call.failed with the reason', async () => {
    for (const to of ['+15005550001', '+15005550002', '+15005550003']) {
      await sim.api('callingbox', 'POST', '/v1/calls', { body: { agent_id: 'agent_3f9a1c2b7d4e', to } });
    }
    await sim.advance(120_000);
    const msgs = mapped;
    expectValid(msgs);
    const failed = msgs.filter((m) => m.event === 'call.failed').map((m) => [(m.payload.data as any).status, (m.payload.data as any).failure_reason]);
    expect(failed.sort()).toEqual([
      ['busy', 'busy'],
      ['failed', 'unreachable'],
      ['no_answer', 'no_answer'],
    ]);
    expect(msgs.some((m) => m.event === 'call.in_progress' || m.event === 'call.completed')).toBe(false);
  });

  it('an inbound call reports direction inbound', async () => {
    await sim.admin('POST', '/inbound-call', { vendor: 'callingbox', to: '+18005550199', from: '+14155557777' });
    await sim.advance(120_000);
    const msgs = mapped;
    expectValid(msgs);
    expect(msgs.length).toBeGreaterThan(2);
    expect(msgs.every((m) => (m.payload.data as any).direction === 'inbound')).toBe(true);
  });
});
