import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/webhooks/signing.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';

let sim: TestSim;
let receiver: Receiver;
beforeEach(async () => {
  sim = await startTestSim();
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  await sim.stop();
});

async function subscribe(body: Record<string, unknown>) {
  const r = await sim.admin('POST', '/webhooks/subscriptions', body);
  expect(r.status).toBe(201);
  return r.body as { id: string; secret: string };
}

const startCall = (to = '+14155559876') => sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to } });

describe('webhook delivery to a real receiver', () => {
  it("delivers one call's events in order, signed, and each payload matches the spec", async () => {
    const { secret } = await subscribe({ vendor: 'jagcall', url: receiver.url });
    const call = await startCall();
    await sim.advance(120_000);
    const events = receiver.received.map((r) => r.json.type);
    expect(events).toEqual([
      'call.status_changed',
      'call.status_changed',
      'call.started',
      'call.status_changed',
      'call.ended',
      'call.transcript_ready',
      'call.recording_ready',
    ]);
    expect(receiver.received.map((r) => r.json.data.status ?? 'n/a').slice(0, 5)).toEqual(['ringing', 'in_progress', 'in_progress', 'completed', 'completed']);
    const runtime = sim.running.sim.vendor('jagcall')!;
    for (const r of receiver.received) {
      expect(r.json.data.id ?? r.json.data.call_id).toBe(call.body.id);
      expect(r.headers['content-type']).toBe('application/json');
      expect(verifySignature({ body: r.body, secret, signature: r.headers['x-callsim-signature'] as string })).toBe(true);
      expect(verifySignature({ body: `${r.body} `, secret, signature: r.headers['x-callsim-signature'] as string })).toBe(false);
      expect(runtime.validator.validateAt(`#/webhooks/${r.json.type}/post/requestBody/content/application~1json/schema`, r.json)).toEqual([]);
    }
    expect(new Set(receiver.received.map((r) => r.json.id)).size).toBe(receiver.received.length);
  });

  it('retries through an outage with growing delays and never sends a duplicate after success', async () => {
    receiver.behave = (n) => (n <= 2 ? 503 : 200);
    await subscribe({ vendor: 'jagcall', url: receiver.url, events: ['call.ended'] });
    await startCall();
    await sim.advance(60_000);
    let [d] = (await sim.admin('GET', '/webhooks/deliveries')).body.data;
    expect(d.state).toBe('retrying');
    expect(d.attempts.map((a: any) => [a.attempt, a.status, a.error])).toEqual([
      [1, 503, 'HTTP 503'],
      [2, 503, 'HTTP 503'],
    ]);
    const firstDelay = Date.parse(d.attempts[1].at) - Date.parse(d.attempts[0].at);
    expect(firstDelay).toBeGreaterThanOrEqual(4000);
    expect(firstDelay).toBeLessThanOrEqual(6000);
    const secondDelay = Date.parse(d.next_attempt_at) - Date.parse(d.attempts[1].at);
    expect(secondDelay).toBeGreaterThanOrEqual(240_000);
    expect(secondDelay).toBeLessThanOrEqual(360_000);
    await sim.advance(400_000);
    [d] = (await sim.admin('GET', '/webhooks/deliveries')).body.data;
    expect(d.state).toBe('succeeded');
    expect(d.attempts.map((a: any) => a.status)).toEqual([503, 503, 200]);
    await sim.advance(86_400_000);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.json.id)).size).toBe(1);
  });

  it('marks a delivery failed after the last retry, never dropping it silently', async () => {
    receiver.behave = () => 500;
    await subscribe({ vendor: 'jagcall', url: receiver.url, events: ['call.ended'] });
    await startCall();
    for (let i = 0; i < 10; i++) await sim.advance(12 * 3_600_000);
    const [d] = (await sim.admin('GET', '/webhooks/deliveries')).body.data;
    expect(d.state).toBe('failed');
    expect(d.attempts).toHaveLength(8);
    expect(receiver.received).toHaveLength(8);
  });

  it('keeps a later event of a call waiting until the earlier one is through', async () => {
    receiver.behave = (n, r) => (r.json.type === 'call.started' && n < 3 ? 500 : 200);
    await subscribe({ vendor: 'jagcall', url: receiver.url, events: ['call.started', 'call.ended'] });
    await startCall();
    await sim.advance(120_000);
    expect(receiver.received.map((r) => r.json.type)).toEqual(['call.started', 'call.started']);
    await sim.advance(3_600_000);
    expect(receiver.received.map((r) => r.json.type)).toEqual(['call.started', 'call.started', 'call.started', 'call.ended']);
  });

  it('times out a hanging receiver without holding up another receiver or the clock', async () => {
    await sim.admin('PUT', '/config', { webhookTimeoutMs: 300 });
    const good = await startReceiver();
    receiver.behave = () => 'hang';
    await subscribe({ vendor: 'jagcall', url: receiver.url, events: ['call.ended'] });
    await subscribe({ vendor: 'jagcall', url: good.url, events: ['call.ended'] });
    await startCall();
    const t0 = Date.now();
    await sim.advance(60_000);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(good.received).toHaveLength(1);
    const log = (await sim.admin('GET', '/webhooks/deliveries')).body.data;
    const hung = log.find((d: any) => d.url === receiver.url);
    expect(hung.attempts[0].error).toBe('timeout after 300 ms');
    expect(hung.state).toBe('retrying');
    await good.close();
  });

  it('counts a closed connection, a refused connection and a redirect as failures', async () => {
    receiver.behave = (n) => (n === 1 ? 'close' : 302);
    await subscribe({ vendor: 'jagcall', url: receiver.url, events: ['call.ended'] });
    await subscribe({ vendor: 'jagcall', url: 'http://127.0.0.1:9/refused', events: ['call.ended'] });
    await startCall();
    await sim.advance(60_000);
    await sim.advance(6_000);
    const log = (await sim.admin('GET', '/webhooks/deliveries')).body.data;
    const mine = log.find((d: any) => d.url === receiver.url);
    expect(mine.attempts[0].error).toBe('connection closed by receiver');
    expect(mine.attempts[1]).toEqual(expect.objectContaining({ status: 302, error: 'redirect 302 not followed' }));
    const refused = log.find((d: any) => d.url.includes(':9/'));
    expect(refused.attempts[0].error).toBe('connection refused');
  });

  it('redelivers a delivery on request', async () => {
    await subscribe({ vendor: 'jagcall', url: receiver.url, events: ['call.ended'] });
    await startCall();
    await sim.advance(60_000);
    const [d] = (await sim.admin('GET', '/webhooks/deliveries')).body.data;
    const again = await sim.admin('POST', `/webhooks/deliveries/${d.id}/redeliver`);
    expect(again.status).toBe(202);
    expect(again.body.redelivery_of).toBe(d.id);
    await sim.advance(0);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1].body).toBe(receiver.received[0].body);
    expect((await sim.admin('POST', '/webhooks/deliveries/whd_nope/redeliver')).status).toBe(404);
  });

  it('delivers to subscriptions declared in the config file, which survive a reset', async () => {
    const configured = await startTestSim({
      webhooks: [{ vendor: 'jagcall', account: 'jc_test_demo', url: receiver.url, events: ['call.ended'], secret: 'whsec_from_config' }],
    });
    await configured.reset();
    await configured.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155559876' } });
    await configured.advance(120_000);
    expect(receiver.received.map((r) => r.json.type)).toEqual(['call.ended']);
    expect(
      verifySignature({
        body: receiver.received[0].body,
        secret: 'whsec_from_config',
        signature: receiver.received[0].headers['x-callsim-signature'] as string,
      }),
    ).toBe(true);
    await configured.stop();
  });

  it('refuses bad subscriptions with a clear 4xx', async () => {
    const ftp = await sim.admin('POST', '/webhooks/subscriptions', { vendor: 'jagcall', url: 'ftp://example.com/x' });
    expect(ftp.status).toBe(400);
    expect(ftp.body.error.code).toBe('invalid_request');
    expect(ftp.body.error.details[0].field).toBe('url');
    const junk = await sim.admin('POST', '/webhooks/subscriptions', { vendor: 'jagcall', url: 'not a url' });
    expect(junk.status).toBe(400);
    const unknown = await sim.admin('POST', '/webhooks/subscriptions', { vendor: 'jagcall', url: receiver.url, events: ['call.exploded'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.message).toContain('call.ended');
    expect(unknown.body.error.known).toContain('call.started');
    const vendor = await sim.admin('POST', '/webhooks/subscriptions', { vendor: 'nope', url: receiver.url });
    expect(vendor.status).toBe(400);
  });
});
