import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimEvent } from '../../../src/sim/events.js';
import type { WebhookMessage } from '../../../src/vendors/types.js';
import { startTestSim, type TestSim } from '../../helpers/sim.js';

/** The adapter's webhooks(): neutral sim events → Calleague events, each valid against the spec. */
let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

/** Maps each event as it happens (the call object moves on afterwards), keeping a JSON copy. */
function collect(): { messages: WebhookMessage[]; stop: () => void } {
  const { world } = sim.running.sim;
  const { adapter, services } = sim.running.sim.vendor('calleague')!;
  const messages: WebhookMessage[] = [];
  const stop = world.bus.on((e: SimEvent) => {
    for (const m of adapter.webhooks(e, world, services)) messages.push(JSON.parse(JSON.stringify(m)));
  });
  return { messages, stop };
}

const startCall = async (to: string) => {
  const r = await sim.api('calleague', 'POST', '/api/core/voice/agent/call', { body: { agentId: 'ag_123', to, metadata: { orderId: 'A-1042' } } });
  expect(r.status).toBe(200);
  return r.body.callId as string;
};

function expectValid(messages: WebhookMessage[]): void {
  const validator = sim.running.sim.vendor('calleague')!.validator;
  for (const m of messages) {
    expect(m.schemaPointer).toBe(`#/webhooks/${m.event}/post/requestBody/content/application~1json/schema`);
    expect(validator.validateAt(m.schemaPointer!, m.payload), `${m.event}: ${JSON.stringify(m.payload).slice(0, 300)}`).toEqual([]);
  }
}

describe('Calleague webhooks', () => {
  it('an answered call: status, started, ended, transcript and recording, in order', async () => {
    const { messages, stop } = collect();
    const id = await startCall('+903121234567');
    await sim.advance(10 * 60_000);
    stop();
    expect(messages.map((m) => [m.event, m.payload.status])).toEqual([
      ['call.status', 'in-progress'],
      ['call.started', 'in-progress'],
      ['call.status', 'completed'],
      ['call.ended', 'completed'],
      ['transcript.ready', 'completed'],
      ['recording.ready', 'completed'],
    ]);
    expectValid(messages);
    for (const m of messages) {
      expect(m.orderKey).toBe(id);
      expect(m.payload).toEqual(expect.objectContaining({ event: m.event, callId: id, agentId: 'ag_123', metadata: { orderId: 'A-1042' } }));
    }
    expect(new Set(messages.map((m) => m.payload.eventId)).size).toBe(messages.length);
    const byName = Object.fromEntries(messages.map((m) => [m.event, m.payload]));
    expect(byName['call.started']).toEqual(expect.objectContaining({ language: 'tr', direction: 'outbound' }));
    const detail = (await sim.api('calleague', 'GET', `/api/core/voice/call/${id}`)).body;
    expect(byName['call.ended']).toEqual(
      expect.objectContaining({ endedReason: 'completed', durationSec: detail.durationSec, endedAt: detail.endedAt, timestamp: detail.endedAt }),
    );
    expect(byName['transcript.ready'].transcript).toEqual(detail.transcript);
    expect(byName['transcript.ready'].summary).toBe(detail.summary);
    const wav = await fetch(byName['recording.ready'].recordingUrl as string);
    expect(wav.status).toBe(200);
    expect(Buffer.from(await wav.arrayBuffer()).toString('ascii', 0, 4)).toBe('RIFF');
    expect(Date.parse(byName['recording.ready'].expiresAt as string) - Date.parse(byName['recording.ready'].timestamp as string)).toBeLessThanOrEqual(
      3_600_000,
    );
  });

  it('busy and no-answer calls end without transcript or recording', async () => {
    const { messages, stop } = collect();
    const busy = await startCall('+15005550002');
    const noAnswer = await startCall('+15005550001');
    await sim.advance(5 * 60_000);
    stop();
    expectValid(messages);
    const of = (id: string) => messages.filter((m) => m.orderKey === id).map((m) => [m.event, m.payload.status, m.payload.endedReason ?? null]);
    expect(of(busy)).toEqual([
      ['call.status', 'failed', null],
      ['call.ended', 'failed', 'busy'],
    ]);
    expect(of(noAnswer)).toEqual([
      ['call.status', 'no-answer', null],
      ['call.ended', 'no-answer', 'no-answer'],
    ]);
  });

  it('webhookEvents is exactly the spec enum the subscription accepts', () => {
    const runtime = sim.running.sim.vendor('calleague')!;
    const doc = runtime.spec.doc as any;
    expect(runtime.adapter.webhookEvents).toEqual(doc.components.schemas.WebhookEvent.enum);
    expect(Object.keys(doc.webhooks).sort()).toEqual([...runtime.adapter.webhookEvents].sort());
  });
});
