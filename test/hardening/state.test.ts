/**
 * Nothing is lost or forgeable across a restart: secrets come from a cryptographic source and travel
 * with the state, the webhook queue survives, id sequences never collide, a doctored snapshot is
 * refused whole, a number has one owner.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver } from '../helpers/receiver.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';

const started: TestSim[] = [];
const start = async (opts: Parameters<typeof startTestSim>[0] = {}) => {
  const s = await startTestSim({ vendors: ['jagcall', 'callgenius'], ...opts });
  started.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

const recordingLink = async (s: TestSim) => new URL((await s.api('jagcall', 'GET', '/v1/calls/call_xxx/recording')).body.recording_url);

describe('secrets', () => {
  it('recording links and webhook secrets do not follow from the seed; ids still do', async () => {
    const a = await start({ seed: 42 });
    const b = await start({ seed: 42 });
    const [la, lb] = [await recordingLink(a), await recordingLink(b)];
    expect(la.searchParams.get('expires')).toBe(lb.searchParams.get('expires'));
    expect(la.searchParams.get('sig')).not.toBe(lb.searchParams.get('sig'));
    // The old scheme (HMAC keyed by the seed) forges nothing any more.
    const key = createHmac('sha256', 'callsim-recordings').update('42').digest();
    const forged = createHmac('sha256', key)
      .update(`${la.pathname}\n${la.searchParams.get('expires')}`)
      .digest('hex');
    expect((await fetch(`${a.url}${la.pathname}?expires=${la.searchParams.get('expires')}&sig=${forged}`)).status).toBe(403);
    const sa = await a.admin('POST', '/webhooks/subscriptions', { vendor: 'jagcall', url: 'http://127.0.0.1:9/x' });
    const sb = await b.admin('POST', '/webhooks/subscriptions', { vendor: 'jagcall', url: 'http://127.0.0.1:9/x' });
    expect(sa.body.id).toBe(sb.body.id);
    expect(sa.body.secret).not.toBe(sb.body.secret);
    expect(sa.body.secret).toMatch(/^whsec_[0-9a-f]{48}$/);
  });

  it('links signed before a snapshot work after it is restored elsewhere; others are refused', async () => {
    const a = await start();
    const link = await recordingLink(a);
    const snap = (await a.admin('GET', '/state')).body;
    const b = await start();
    expect((await fetch(`${b.url}${link.pathname}${link.search}`)).status).toBe(403);
    expect((await b.admin('PUT', '/state', snap)).status).toBe(200);
    const wav = await fetch(`${b.url}${link.pathname}${link.search}`);
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    expect(
      Buffer.from(await wav.arrayBuffer())
        .subarray(0, 4)
        .toString('latin1'),
    ).toBe('RIFF');
  });
});

describe('the webhook queue and id sequences', () => {
  it('deliveries still to be sent survive a restore and go out, in order, once the receiver answers', async () => {
    const receiver = await startReceiver(() => 200);
    const port = new URL(receiver.url).port;
    await receiver.close();
    try {
      const a = await start({ webhookTimeoutMs: 500 });
      const url = `http://127.0.0.1:${port}/hooks`;
      expect((await a.admin('POST', '/webhooks/subscriptions', { vendor: 'jagcall', url, events: ['call.started', 'call.ended'] })).status).toBe(201);
      const call = await a.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155559876' } });
      await a.advance(600_000);
      const snap = (await a.admin('GET', '/state')).body;
      expect(snap.deliveries.map((d: { event: string; state: string }) => [d.event, d.state])).toEqual([
        ['call.started', 'retrying'],
        ['call.ended', 'pending'],
      ]);
      await a.stop();
      started.splice(started.indexOf(a), 1);

      const back = await startReceiver(() => 200, Number(port));
      try {
        const b = await start({ webhookTimeoutMs: 500 });
        expect((await b.admin('PUT', '/state', snap)).status).toBe(200);
        await b.advance(24 * 3_600_000);
        expect(back.received.map((r) => [r.json.type, r.json.data.id])).toEqual([
          ['call.started', call.body.id],
          ['call.ended', call.body.id],
        ]);
        const states = (await b.admin('GET', '/webhooks/deliveries')).body.data.map((d: { state: string }) => d.state);
        expect(states).toEqual(['succeeded', 'succeeded']);
      } finally {
        await back.close();
      }
    } finally {
      await receiver.close().catch(() => undefined);
    }
  });

  it('a new subscription after a restore never reuses (or overwrites) an id', async () => {
    const a = await start({ seed: 7 });
    const first = (await a.admin('POST', '/webhooks/subscriptions', { vendor: 'jagcall', url: 'http://127.0.0.1:9/a' })).body;
    const snap = (await a.admin('GET', '/state')).body;
    const b = await start({ seed: 7 });
    expect((await b.admin('PUT', '/state', snap)).status).toBe(200);
    const second = (await b.admin('POST', '/webhooks/subscriptions', { vendor: 'jagcall', url: 'http://127.0.0.1:9/b' })).body;
    expect(second.id).not.toBe(first.id);
    const ids = (await b.admin('GET', '/webhooks/subscriptions')).body.data.map((s: { id: string; url: string }) => [s.id, s.url]);
    expect(ids).toEqual(
      expect.arrayContaining([
        [first.id, 'http://127.0.0.1:9/a'],
        [second.id, 'http://127.0.0.1:9/b'],
      ]),
    );
    // Even a snapshot whose sequence is behind its own ids: the next id skips the ones in use.
    const behind = { ...snap, sequences: { ...snap.sequences, subscriptions: 0 } };
    expect((await b.admin('PUT', '/state', behind)).status).toBe(200);
    const third = (await b.admin('POST', '/webhooks/subscriptions', { vendor: 'jagcall', url: 'http://127.0.0.1:9/c' })).body;
    expect(third.id).not.toBe(first.id);
    expect((await b.admin('GET', '/webhooks/subscriptions')).body.data.find((s: { id: string }) => s.id === first.id).url).toBe('http://127.0.0.1:9/a');
  });
});

describe('restoring a snapshot', () => {
  it('refuses a doctored snapshot whole, naming what is wrong, and keeps the state', async () => {
    const s = await start();
    const snap = (await s.admin('GET', '/state')).body;
    const before = (await s.api('jagcall', 'GET', '/v1/calls')).text;
    const doctored = structuredClone(snap);
    const store = doctored.world.stores.jc_org_demo;
    delete store.calls[0].createdAt;
    delete store.calls[0].plan;
    const r = await s.admin('PUT', '/state', doctored);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
    const fields = r.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toContain('world.stores.jc_org_demo.calls.0.createdAt');
    expect((await s.api('jagcall', 'GET', '/v1/calls')).text).toBe(before);
    // Records that do not fit together: the same number owned twice.
    const shared = structuredClone(snap);
    shared.world.stores.jc_org_other.numbers.push({ ...shared.world.stores.jc_org_demo.numbers[0], id: 'pn_copy', accountId: 'jc_org_other' });
    const twice = await s.admin('PUT', '/state', shared);
    expect(twice.status).toBe(400);
    expect(twice.body.error.code).toBe('invalid_snapshot');
    expect(twice.body.error.message).toMatch(/owned by both/);
    // Deeply nested values are refused before anything recursive reads them.
    const nested = structuredClone(snap);
    nested.world.stores.jc_org_demo.calls[0].metadata = { deep: '__DEEP__' };
    const text = JSON.stringify(nested).replace('"__DEEP__"', `${'{"a":'.repeat(5000)}"x"${'}'.repeat(5000)}`);
    const d = await fetch(`${s.url}/__sim/state`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: text });
    expect(d.status).toBe(400);
    expect((await d.json()).error.message).toMatch(/nested deeper than 64/);
    expect((await s.api('jagcall', 'GET', '/v1/calls')).text).toBe(before);
  });
});

describe('phone numbers', () => {
  it('a number has exactly one owner: minting stops when the pool is empty, deleting frees only its own', async () => {
    const s = await start({ vendors: ['jagcall'] });
    const minted: string[] = [];
    let refused: { status: number; body: any } | undefined;
    for (let i = 0; i < 400 && !refused; i++) {
      const r = await s.admin('POST', '/accounts', { vendor: 'jagcall' });
      if (r.status === 201) minted.push(r.body.account);
      else refused = r;
    }
    expect(refused?.status).toBe(409);
    expect(refused?.body.error.message).toMatch(/number pool has no/);
    const snap = (await s.admin('GET', '/state')).body;
    const owners = new Map<string, string>();
    for (const [account, store] of Object.entries<any>(snap.world.stores)) {
      for (const n of store.numbers) {
        expect(owners.get(n.e164), `${n.e164} owned twice`).toBeUndefined();
        owners.set(n.e164, account);
      }
    }
    // Deleting an account gives its numbers back, so one more can be minted.
    expect((await s.admin('DELETE', `/accounts/${minted[0]}`)).status).toBe(204);
    expect((await s.admin('POST', '/accounts', { vendor: 'jagcall' })).status).toBe(201);
  });
});
