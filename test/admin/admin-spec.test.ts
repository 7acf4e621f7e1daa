/**
 * The admin API against its own OpenAPI document (specs/admin.yaml): every endpoint is exercised,
 * every answer is validated against the document (status documented, JSON body matches its schema,
 * other media types declared), and every well-formed request this file sends is validated against
 * the document's request schemas too, so the document can be neither looser nor stricter than the
 * server.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolvePointer } from '../../src/contract/spec.js';
import { assertResponse, type CallOpts, type Res, SPEC_FILE, send, spec, validator } from '../helpers/admin-spec.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { startTestSim, T0, type TestSim } from '../helpers/sim.js';

/** An address of this host that is not loopback, to be a "remote" admin client. */
const EXTERNAL_IP = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
/** CallGeni.us runs unless CALLSIM_TEST_VENDORS leaves it out. */
const CALLGENIUS = !process.env.CALLSIM_TEST_VENDORS || process.env.CALLSIM_TEST_VENDORS.split(',').includes('callgenius');

let sim: TestSim;
/** Calls the admin API (full `/__sim/...` path) and checks request and answer against the spec. */
const admin = (method: string, path: string, o: CallOpts = {}) => send(sim.url, method, path, o);

/** A request that breaks specs/admin.yaml: 400 `invalid_request`, naming the field in `details`. */
function expectInvalid(r: Res, field: string, what = ''): void {
  expect(r.status, `${what} → ${r.text.slice(0, 300)}`).toBe(400);
  expect(r.body.error.code, what).toBe('invalid_request');
  expect(
    r.body.error.details.map((d: { field: string }) => d.field),
    what,
  ).toContain(field);
  expect(r.body.error.message, what).toContain(field);
}

const DEFAULT_CONFIG = {
  media: { latencyMs: 0, jitterMs: 0, lossPercent: 0, agentDelayMs: 300, playoutMs: 60 },
  faults: [],
  scenarios: [],
  strict: false,
  journalSize: 1000,
  webhookTimeoutMs: 5000,
  transcriptDelayMs: 1500,
  recordingDelayMs: 2500,
};

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(async () => {
  // Config and admin subscriptions survive a reset on purpose: put them back by hand.
  expect((await admin('PUT', '/__sim/config', { body: DEFAULT_CONFIG })).status).toBe(200);
  for (const s of (await admin('GET', '/__sim/webhooks/subscriptions')).body.data) {
    expect((await admin('DELETE', `/__sim/webhooks/subscriptions/${s.id}`)).status).toBe(204);
  }
  expect((await admin('POST', '/__sim/reset', { body: {} })).status).toBe(200);
});

describe('the document', () => {
  it('has an operationId, summary, description and tags on every operation', () => {
    expect(spec.operations.length).toBeGreaterThanOrEqual(30);
    for (const op of spec.operations) {
      const raw = resolvePointer(spec.doc, op.pointer);
      expect(op.operationId, op.template).toMatch(/^[a-z][A-Za-z]+$/);
      expect(raw.summary, op.operationId).toBeTruthy();
      expect(raw.description, op.operationId).toBeTruthy();
      expect(raw.tags?.length, op.operationId).toBeGreaterThan(0);
      expect(op.template.startsWith('/__sim/'), op.template).toBe(true);
    }
  });

  it('every JSON example (request and response) matches its own schema', () => {
    const problems: string[] = [];
    const check = (where: string, pointer: string) => {
      const media = resolvePointer(spec.doc, pointer.replace(/\/schema$/, ''));
      for (const [name, ex] of Object.entries<any>(media?.examples ?? {})) {
        const violations = validator.validateAt(pointer, ex.value);
        if (violations.length) problems.push(`${where} example ${name}: ${JSON.stringify(violations)}`);
      }
    };
    let checked = 0;
    for (const op of spec.operations) {
      for (const [status, pointer] of Object.entries(op.responses)) {
        if (!pointer) continue;
        check(`${op.operationId} ${status}`, pointer);
        checked++;
      }
      for (const [ct, pointer] of Object.entries(op.body?.pointers ?? {})) {
        if (!ct.includes('json')) continue;
        check(`${op.operationId} request`, pointer);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(problems).toEqual([]);
  });

  it("loads the same operations as Prism's loader", async () => {
    const { getHttpOperationsFromSpec } = await import('@stoplight/prism-http');
    const prism = await getHttpOperationsFromSpec(parse(readFileSync(SPEC_FILE, 'utf8')));
    expect(prism.map((o) => `${o.method.toUpperCase()} ${o.path} ${o.iid}`).sort()).toEqual(
      spec.operations.map((o) => `${o.method} ${o.template} ${o.operationId}`).sort(),
    );
  });
});

describe('health, reset and clock', () => {
  it('GET /health reports vendors, clock mode and seed', async () => {
    const r = await admin('GET', '/__sim/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', clock: 'virtual', seed: 42 });
    expect(r.body.vendors).toContain('jagcall');
  });

  it('POST /reset puts the world back to the fixtures and empties the journal', async () => {
    const created = await admin('POST', '/__sim/calls', { body: { vendor: 'jagcall', to: '+14155559876' } });
    expect(created.status).toBe(201);
    await sim.api('jagcall', 'GET', '/v1/agents');
    expect((await admin('GET', '/__sim/journal')).body.total).toBe(1);
    const r = await admin('POST', '/__sim/reset', { body: {} });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('reset');
    expect((await admin('GET', `/__sim/calls/${created.body.id}`)).status).toBe(404);
    expect((await admin('GET', '/__sim/journal')).body.total).toBe(0);
    // No body at all is fine too.
    expect((await admin('POST', '/__sim/reset')).status).toBe(200);
  });

  it('GET /clock and POST /clock/advance move virtual time', async () => {
    const before = await admin('GET', '/__sim/clock');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ mode: 'virtual', speed: null });
    await admin('POST', '/__sim/calls', { body: { vendor: 'jagcall', to: '+14155559876' } });
    const pending = await admin('GET', '/__sim/clock');
    expect(pending.body.pending).toBeGreaterThan(0);
    expect(pending.body.nextAt).not.toBeNull();
    const r = await admin('POST', '/__sim/clock/advance', { body: { ms: 1500.7 } });
    expect(r.status).toBe(200);
    expect(r.body.nowMs).toBe(before.body.nowMs + 1500);
    expect(r.body.now).toBe(new Date(before.body.nowMs + 1500).toISOString());
    expect(r.body.ran).toBeGreaterThanOrEqual(0);
    expect((await admin('POST', '/__sim/clock/advance', { body: { ms: 0 } })).status).toBe(200);
  });

  it('POST /clock/advance refuses negative, absurd and missing ms with 400 and leaves the clock alone', async () => {
    const before = (await admin('GET', '/__sim/clock')).body.nowMs;
    for (const body of [{ ms: -1 }, { ms: 31_622_400_001 }, { ms: 1e300 }, { ms: '1000' }, {}]) {
      expectInvalid(await admin('POST', '/__sim/clock/advance', { body, invalid: true }), 'ms', JSON.stringify(body));
    }
    const bad = await admin('POST', '/__sim/clock/advance', { raw: '{"ms": ', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('malformed_json');
    expect((await admin('GET', '/__sim/clock')).body.nowMs).toBe(before);
  });

  it('POST /clock/advance answers 409 with the real clock', async () => {
    const real = await startTestSim({ clock: 'real' });
    try {
      const clock = await send(real.url, 'GET', '/__sim/clock');
      expect(clock.body).toMatchObject({ mode: 'real', speed: 1 });
      expect((await send(real.url, 'GET', '/__sim/health')).body.clock).toBe('real');
      const r = await send(real.url, 'POST', '/__sim/clock/advance', { body: { ms: 1000 } });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('real_clock');
      // The request is checked against the spec first, whatever the mode.
      expect((await send(real.url, 'POST', '/__sim/clock/advance', { body: { ms: -5 }, invalid: true })).status).toBe(400);
    } finally {
      await real.stop();
    }
  });
});

describe('state snapshots', () => {
  it('GET /state then PUT /state round-trips the world', async () => {
    const saved = await admin('GET', '/__sim/state');
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ format: 'callsim-state', version: 2, seed: 42 });
    const created = await admin('POST', '/__sim/calls', { body: { vendor: 'jagcall', to: '+14155559876' } });
    await admin('POST', '/__sim/accounts', { body: { vendor: 'callingbox' } });
    await admin('POST', '/__sim/clock/advance', { body: { ms: 60_000 } });
    const changed = (await admin('GET', '/__sim/state')).body;
    expect(changed.world).not.toEqual(saved.body.world);

    const r = await admin('PUT', '/__sim/state', { body: saved.body });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'restored', now: saved.body.savedAt });
    const after = (await admin('GET', '/__sim/state')).body;
    expect(after.world).toEqual(saved.body.world);
    expect((await admin('GET', `/__sim/calls/${created.body.id}`)).status).toBe(404);
    expect((await admin('GET', '/__sim/clock')).body.nowMs).toBe(saved.body.world.now);

    // And forward again: the changed world comes back, its call included.
    expect((await admin('PUT', '/__sim/state', { body: changed })).status).toBe(200);
    expect((await admin('GET', `/__sim/calls/${created.body.id}`)).status).toBe(200);
  });

  it('PUT /state refuses a wrong-version (or otherwise unusable) snapshot with 400 and changes nothing', async () => {
    await admin('POST', '/__sim/calls', { body: { vendor: 'jagcall', to: '+14155559876' } });
    const before = (await admin('GET', '/__sim/state')).body;
    const withVendor = (namespace: string) => {
      const s = structuredClone(before);
      s.world.accounts[0].namespace = namespace;
      return s;
    };
    const bad: Array<[string, unknown]> = [
      ['version', { ...before, version: 99 }],
      ['format', { ...before, format: 'something-else' }],
      ['not an object', [before]],
      ['world', { ...before, world: { ...before.world, rng: [1, 2, 3] } }],
      ['no such vendor', withVendor('nosuchvendor')],
    ];
    // A vendor this server does not run is a fine snapshot elsewhere: only the server can tell.
    const notRunning = ['calleague', 'callgenius', 'callingbox', 'jagcall'].find((v) => !before.vendors.includes(v));
    if (notRunning) bad.push(['vendor not running', withVendor(notRunning)]);
    for (const [what, body] of bad) {
      const invalid = what !== 'vendor not running' && what !== 'no such vendor';
      const r = await admin('PUT', '/__sim/state', { body, invalid });
      expect(r.status, what).toBe(400);
      // What the document states is the engine's to refuse; which vendors run, only the server knows.
      expect(r.body.error.code, what).toBe(invalid ? 'invalid_request' : 'invalid_snapshot');
    }
    // Version 1 (before deliveries, sequences and secrets were kept) still restores.
    const { deliveries: _d, sequences: _s, secrets: _k, ...v1 } = before;
    const wrongVersion = await admin('PUT', '/__sim/state', { body: { ...v1, version: 1 } });
    expect(wrongVersion.status).toBe(200);
    const v99 = await admin('PUT', '/__sim/state', { body: { ...before, version: 99 }, invalid: true });
    expectInvalid(v99, 'version');
    expect(v99.body.error.message).toContain('version must be one of: 1, 2');
    expect((await admin('GET', '/__sim/state')).body).toEqual(before);
  });
});

describe('journal', () => {
  it('lists vendor requests with their verdicts, filters them and clears', async () => {
    await sim.api('jagcall', 'GET', '/v1/agents');
    const bad = await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx' } });
    expect(bad.status).toBe(422);
    await sim.api('callingbox', 'GET', '/v1/agents');

    const all = await admin('GET', '/__sim/journal');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(3);
    expect(all.body.data.map((e: any) => [e.vendor, e.operationId, e.status])).toEqual([
      ['jagcall', 'listAgents', 200],
      ['jagcall', 'createCall', 422],
      ['callingbox', 'listAgents', 200],
    ]);
    expect(all.body.data[1].violations).toContainEqual(expect.objectContaining({ location: 'body', field: 'to', rule: 'required' }));
    expect(all.body.data[0].id).toBeLessThan(all.body.data[2].id);

    expect((await admin('GET', '/__sim/journal?vendor=jagcall')).body.total).toBe(2);
    expect((await admin('GET', '/__sim/journal?operation=listAgents')).body.total).toBe(2);
    expect((await admin('GET', '/__sim/journal?status=422')).body.data.map((e: any) => e.operationId)).toEqual(['createCall']);
    expect((await admin('GET', '/__sim/journal?violations=true')).body.total).toBe(1);
    expect((await admin('GET', '/__sim/journal?vendor=jagcall&operation=listAgents&status=200')).body.total).toBe(1);
    const newest = await admin('GET', '/__sim/journal?limit=1');
    expect(newest.body.data.map((e: any) => e.vendor)).toEqual(['callingbox']);

    const violations = await admin('GET', '/__sim/journal/violations');
    expect(violations.status).toBe(200);
    expect(violations.body.total).toBe(1);
    expect(violations.body.data[0].operationId).toBe('createCall');
    expect((await admin('GET', '/__sim/journal/violations?vendor=callingbox')).body).toEqual({ data: [], total: 0 });

    for (const limit of ['0', '-1', '1.5', 'ten']) {
      expectInvalid(await admin('GET', `/__sim/journal?limit=${limit}`, { invalid: true }), 'limit', limit);
    }

    expect((await admin('DELETE', '/__sim/journal')).status).toBe(204);
    expect((await admin('GET', '/__sim/journal')).body).toEqual({ data: [], total: 0 });
  });
});

describe('webhooks', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
    return () => receiver.close();
  });

  it('subscribes, logs deliveries with filters, shows one, redelivers and unsubscribes', async () => {
    const sub = await admin('POST', '/__sim/webhooks/subscriptions', {
      body: { vendor: 'jagcall', url: receiver.url, events: ['call.ended', 'call.started'] },
    });
    expect(sub.status).toBe(201);
    expect(sub.body).toMatchObject({ vendor: 'jagcall', account: 'jc_org_demo', url: receiver.url, events: ['call.ended', 'call.started'] });
    expect(sub.body.secret).toMatch(/^whsec_/);
    const everyAccount = await admin('POST', '/__sim/webhooks/subscriptions', { body: { vendor: 'callingbox', account: '*', url: receiver.url } });
    expect(everyAccount.status).toBe(201);
    expect(everyAccount.body).toMatchObject({ account: '*', events: null });

    const list = await admin('GET', '/__sim/webhooks/subscriptions');
    expect(list.status).toBe(200);
    expect(list.body.data.map((s: any) => [s.id, s.source])).toEqual([
      [sub.body.id, 'admin'],
      [everyAccount.body.id, 'admin'],
    ]);
    expect(list.body.data[0].secret).toBeUndefined();

    const call = await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155559876' } });
    expect(call.status).toBe(201);
    await admin('POST', '/__sim/clock/advance', { body: { ms: 120_000 } });

    const deliveries = await admin('GET', '/__sim/webhooks/deliveries');
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.data.map((d: any) => d.event)).toEqual(['call.started', 'call.ended']);
    expect(deliveries.body.data.every((d: any) => d.state === 'succeeded' && d.attempts[0].status === 200)).toBe(true);
    expect(receiver.received).toHaveLength(2);

    expect((await admin('GET', '/__sim/webhooks/deliveries?event=call.ended')).body.total).toBe(1);
    expect((await admin('GET', '/__sim/webhooks/deliveries?state=succeeded&vendor=jagcall')).body.total).toBe(2);
    expect((await admin('GET', '/__sim/webhooks/deliveries?state=failed')).body).toEqual({ data: [], total: 0 });
    expect((await admin('GET', '/__sim/webhooks/deliveries?vendor=callingbox')).body.total).toBe(0);

    const ended = deliveries.body.data[1];
    const one = await admin('GET', `/__sim/webhooks/deliveries/${ended.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(ended);
    expect(one.body.payload.type).toBe('call.ended');

    const again = await admin('POST', `/__sim/webhooks/deliveries/${ended.id}/redeliver`, { body: {} });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ redelivery_of: ended.id, event: 'call.ended', subscription_id: sub.body.id });
    expect(again.body.id).not.toBe(ended.id);
    await admin('POST', '/__sim/clock/advance', { body: { ms: 1000 } });
    expect(receiver.received).toHaveLength(3);
    expect(receiver.received[2].json.id).toBe(receiver.received[1].json.id);
    expect((await admin('GET', `/__sim/webhooks/deliveries/${again.body.id}`)).body.state).toBe('succeeded');

    expect((await admin('GET', '/__sim/webhooks/deliveries/whd_nope')).status).toBe(404);
    expect((await admin('POST', '/__sim/webhooks/deliveries/whd_nope/redeliver')).status).toBe(404);

    expect((await admin('DELETE', `/__sim/webhooks/subscriptions/${sub.body.id}`)).status).toBe(204);
    const gone = await admin('DELETE', `/__sim/webhooks/subscriptions/${sub.body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('not_found');
    // Its deliveries stay in the log but cannot be sent again.
    expect((await admin('POST', `/__sim/webhooks/deliveries/${ended.id}/redeliver`)).status).toBe(404);
    expect((await admin('GET', '/__sim/webhooks/subscriptions')).body.data.map((s: any) => s.id)).toEqual([everyAccount.body.id]);
  });

  it('refuses bad subscriptions with the documented statuses', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ vendor: 'nope', url: receiver.url }, 400, 'unknown_vendor'],
      [{ vendor: 'jagcall', url: 'ftp://example.com/x' }, 400, 'invalid_request'],
      [{ vendor: 'jagcall', url: 'not a url' }, 400, 'invalid_request'],
      [{ vendor: 'jagcall', url: receiver.url, events: 'call.ended' }, 400, 'invalid_request'],
      [{ vendor: 'jagcall', url: receiver.url, events: ['call.finished'] }, 422, 'unknown_events'],
      [{ vendor: 'jagcall', url: receiver.url, account: 'jc_nope' }, 404, 'unknown_account'],
      [{ vendor: 'jagcall', url: receiver.url, account: 'sk_test_demo' }, 404, 'unknown_account'],
    ];
    for (const [body, status, code] of cases) {
      // Vendors, event names and accounts are the server's to know; the rest breaks the documented schema.
      const invalid = code === 'invalid_request';
      const r = await admin('POST', '/__sim/webhooks/subscriptions', { body, invalid });
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.error.code).toBe(code);
    }
    const unknown = await admin('POST', '/__sim/webhooks/subscriptions', { body: { vendor: 'jagcall', url: receiver.url, events: ['call.finished'] } });
    expect(unknown.body.error.known).toContain('call.ended');
    // By key works as well as by id.
    const byKey = await admin('POST', '/__sim/webhooks/subscriptions', { body: { vendor: 'jagcall', url: receiver.url, account: 'jc_test_other' } });
    expect(byKey.status).toBe(201);
    expect(byKey.body.account).toBe('jc_org_other');
    expect((await admin('GET', '/__sim/webhooks/subscriptions')).body.data).toHaveLength(1);
  });
});

describe('config', () => {
  it('GET /config answers the configuration in effect', async () => {
    const r = await admin('GET', '/__sim/config');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ clock: 'virtual', seed: 42, ...DEFAULT_CONFIG });
  });

  it('PUT /config merges a patch: fault rules take effect and [] clears them', async () => {
    const rule = { vendor: 'jagcall', method: 'GET', path: '/v1/agents', status: 503 };
    const r = await admin('PUT', '/__sim/config', { body: { faults: [rule], media: { latencyMs: 120 } } });
    expect(r.status).toBe(200);
    expect(r.body.faults).toEqual([rule]);
    expect(r.body.media).toEqual({ ...DEFAULT_CONFIG.media, latencyMs: 120 });
    expect((await sim.api('jagcall', 'GET', '/v1/agents', { skipContract: true })).status).toBe(503);
    expect((await sim.api('jagcall', 'GET', '/v1/calls')).status).toBe(200);

    const cleared = await admin('PUT', '/__sim/config', { body: { faults: [] } });
    expect(cleared.body.faults).toEqual([]);
    expect(cleared.body.media.latencyMs).toBe(120);
    expect((await sim.api('jagcall', 'GET', '/v1/agents')).status).toBe(200);
  });

  it('PUT /config sets rate limits, scenarios, strictness, journal size and webhook timeout', async () => {
    const r = await admin('PUT', '/__sim/config', {
      body: {
        rateLimits: { callingbox: { requests: 2, perSec: 60 } },
        scenarios: [{ toPrefix: '+1555', outcome: 'busy' }],
        strict: true,
        journalSize: 50,
        webhookTimeoutMs: 2000,
      },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ rateLimits: { callingbox: { requests: 2, perSec: 60 } }, strict: true, journalSize: 50, webhookTimeoutMs: 2000 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await sim.api('callingbox', 'GET', '/v1/agents', { skipContract: true })).status);
    expect(statuses).toEqual([200, 200, 429]);

    const call = await admin('POST', '/__sim/calls', { body: { vendor: 'jagcall', to: '+15551230000' } });
    await admin('POST', '/__sim/clock/advance', { body: { ms: 120_000 } });
    expect((await admin('GET', `/__sim/calls/${call.body.id}`)).body.status).toBe('busy');

    const off = await admin('PUT', '/__sim/config', { body: { rateLimits: { callingbox: false } } });
    expect(off.body.rateLimits).toEqual({ callingbox: false });
    expect((await sim.api('callingbox', 'GET', '/v1/agents')).status).toBe(200);
  });

  it('PUT /config refuses a bad patch with 400 and changes nothing', async () => {
    const before = (await admin('GET', '/__sim/config')).body;
    const bad: unknown[] = [
      { fault: [] },
      { media: { latencyMs: 100 }, faults: [{ vendor: 'jagcall', status: 200 }] },
      { media: { latencyMs: 100, echo: 1 } },
      { media: { latencyMs: 20_000 } },
      { faults: [{ vendor: 'jagcall', probability: 1 }] },
      { faults: [{ vendor: 'jagcall', status: 500, probability: 2 }] },
      { rateLimits: { jagcall: { requests: 0, perSec: 1 } } },
      { scenarios: [{ outcome: 'exploded' }] },
      { strict: 'yes' },
      { journalSize: 0 },
      { webhookTimeoutMs: 10 },
      [],
    ];
    for (const body of bad) {
      const r = await admin('PUT', '/__sim/config', { body, invalid: true });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('invalid_request');
      expect(r.body.error.details.length, JSON.stringify(body)).toBeGreaterThan(0);
    }
    // Which vendors run is the server's to know, not the document's.
    const nope = await admin('PUT', '/__sim/config', { body: { faults: [{ vendor: 'nope', status: 500 }] } });
    expect(nope.status).toBe(400);
    expect(nope.body.error.code).toBe('unknown_vendor');
    expect((await admin('GET', '/__sim/config')).body).toEqual(before);
  });
});

describe('accounts and keys', () => {
  it('mints an account whose key works on its vendor and sees only its own data', async () => {
    const minted = await admin('POST', '/__sim/accounts', { body: { vendor: 'jagcall' } });
    expect(minted.status).toBe(201);
    expect(minted.body).toMatchObject({ vendor: 'jagcall', fixtures: 'demo', base_url: `${sim.url}/jagcall` });
    const key = minted.body.key as string;
    expect(key).toMatch(/^jc_test_/);

    const accounts = await admin('GET', '/__sim/accounts');
    expect(accounts.status).toBe(200);
    expect(accounts.body.data).toContainEqual(expect.objectContaining({ id: minted.body.account, vendor: 'jagcall', keys: [key] }));

    // Its own copy of the demo records…
    expect((await sim.api('jagcall', 'GET', '/v1/agents', { key })).status).toBe(200);
    const own = await sim.api('jagcall', 'POST', '/v1/calls', { key, body: { agent_id: 'agt_xxx', to: '+14155559876' } });
    expect(own.status).toBe(201);
    const demo = await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155559876' } });
    expect(demo.status).toBe(201);
    // …and nothing of anyone else's.
    expect((await sim.api('jagcall', 'GET', `/v1/calls/${demo.body.id}`, { key })).status).toBe(404);
    expect((await sim.api('jagcall', 'GET', `/v1/calls/${own.body.id}`)).status).toBe(404);
    const ownIds = (await sim.api('jagcall', 'GET', '/v1/calls?per_page=100', { key })).body.data.map((c: any) => c.id);
    expect(ownIds).toContain(own.body.id);
    expect(ownIds).not.toContain(demo.body.id);
    // Only on its own vendor.
    expect((await sim.api('callingbox', 'GET', '/v1/agents', { key })).status).toBe(401);

    const empty = await admin('POST', '/__sim/accounts', { body: { vendor: 'callingbox', fixtures: 'empty' } });
    expect(empty.status).toBe(201);
    expect((await sim.api('callingbox', 'GET', '/v1/agents', { key: empty.body.key })).body.data).toEqual([]);
    const noAgent = await admin('POST', '/__sim/calls', { body: { vendor: 'callingbox', account: empty.body.account, to: '+14155559876' } });
    expect(noAgent.status).toBe(409);
    expect(noAgent.body.error.code).toBe('no_agent');
  });

  it('refuses a bad mint request', async () => {
    const noVendor = await admin('POST', '/__sim/accounts', { body: { vendor: 'nope' } });
    expect(noVendor.status).toBe(400);
    expect(noVendor.body.error.code).toBe('unknown_vendor');
    expectInvalid(await admin('POST', '/__sim/accounts', { body: { vendor: 'jagcall', fixtures: 'full' }, invalid: true }), 'fixtures');
  });

  it('DELETE /accounts/{id} removes the account and its keys', async () => {
    const minted = await admin('POST', '/__sim/accounts', { body: { vendor: 'callingbox' } });
    expect((await sim.api('callingbox', 'GET', '/v1/agents', { key: minted.body.key })).status).toBe(200);
    expect((await admin('DELETE', `/__sim/accounts/${minted.body.account}`)).status).toBe(204);
    expect((await sim.api('callingbox', 'GET', '/v1/agents', { key: minted.body.key })).status).toBe(401);
    expect((await admin('GET', '/__sim/accounts')).body.data.map((a: any) => a.id)).not.toContain(minted.body.account);
    expect((await admin('DELETE', `/__sim/accounts/${minted.body.account}`)).status).toBe(404);
  });

  it('POST /keys/{key}/revoke makes the vendor answer 401 to that key', async () => {
    const minted = await admin('POST', '/__sim/accounts', { body: { vendor: 'jagcall' } });
    const key = minted.body.key as string;
    expect((await sim.api('jagcall', 'GET', '/v1/agents', { key })).status).toBe(200);
    const r = await admin('POST', `/__sim/keys/${key}/revoke`, { body: {} });
    expect(r.status).toBe(204);
    expect((await sim.api('jagcall', 'GET', '/v1/agents', { key })).status).toBe(401);
    expect((await admin('GET', '/__sim/accounts')).body.data.find((a: any) => a.id === minted.body.account).keys).toEqual([]);
    // The other accounts' keys are untouched.
    expect((await sim.api('jagcall', 'GET', '/v1/agents')).status).toBe(200);
    const unknown = await admin('POST', '/__sim/keys/jc_test_nope/revoke');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
  });
});

describe('calls', () => {
  it('lists calls across vendors with filters', async () => {
    const all = await admin('GET', '/__sim/calls');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(all.body.data.length);
    const running = (await admin('GET', '/__sim/health')).body.vendors as string[];
    expect(
      running.every((v) => all.body.data.some((c: any) => c.vendor === v)),
      'every vendor has fixture calls',
    ).toBe(true);
    const created = all.body.data.map((c: any) => Date.parse(c.created_at));
    expect(created).toEqual([...created].sort((a, b) => b - a));

    const jag = await admin('GET', '/__sim/calls?vendor=jagcall');
    expect(jag.body.data.length).toBeGreaterThan(0);
    expect(jag.body.data.every((c: any) => c.vendor === 'jagcall')).toBe(true);
    const completed = await admin('GET', '/__sim/calls?status=completed');
    expect(completed.body.data.every((c: any) => c.status === 'completed')).toBe(true);
    const one = await admin('GET', '/__sim/calls?limit=1');
    expect(one.body.data).toHaveLength(1);
    expect(one.body.total).toBe(all.body.total);
  });

  it('GET /calls/{id} gives the neutral detail, 404 for an unknown call', async () => {
    const r = await admin('GET', '/__sim/calls/call_xxx');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: 'call_xxx',
      vendor: 'jagcall',
      account: 'jc_org_demo',
      status: 'completed',
      transcript_ready: true,
      recording_ready: true,
    });
    expect(r.body.transcript.length).toBeGreaterThan(0);
    expect(r.body.metadata).toEqual({ lead_id: 'lead_123' });
    expect(r.body.recording_url).toContain('/__sim/recordings/jagcall/call_xxx.wav?expires=');
    const missing = await admin('GET', '/__sim/calls/call_nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('POST /calls starts a call that runs its course; hangup ends a live one', async () => {
    const r = await admin('POST', '/__sim/calls', { body: { vendor: 'jagcall', to: '+14155559876', metadata: { lead_id: 'lead_42' } } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      vendor: 'jagcall',
      account: 'jc_org_demo',
      agent_id: 'agt_xxx',
      direction: 'outbound',
      status: 'queued',
      to: '+14155559876',
    });
    // The vendor API sees it too.
    expect((await sim.api('jagcall', 'GET', `/v1/calls/${r.body.id}`)).status).toBe(200);
    await admin('POST', '/__sim/clock/advance', { body: { ms: 10_000 } });
    const hung = await admin('POST', `/__sim/calls/${r.body.id}/hangup`, { body: {} });
    expect(hung.status).toBe(200);
    expect(hung.body.id).toBe(r.body.id);
    expect(['completed', 'canceled']).toContain(hung.body.status);
    const again = await admin('POST', `/__sim/calls/${r.body.id}/hangup`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect((await admin('POST', '/__sim/calls/call_nope/hangup')).status).toBe(404);

    const voicemail = await admin('POST', '/__sim/calls', {
      body: { vendor: 'callingbox', account: 'sk_test_demo', agent_id: 'agent_3f9a1c2b7d4e', to: '+15005550004' },
    });
    expect(voicemail.status).toBe(201);
    await admin('POST', '/__sim/clock/advance', { body: { ms: 300_000 } });
    const done = await admin('GET', `/__sim/calls/${voicemail.body.id}`);
    expect(done.body).toMatchObject({ status: 'completed', ended_reason: 'voicemail' });
  });

  it('POST /calls refuses bad input with the documented statuses', async () => {
    const cases: Array<[unknown, number, string, boolean]> = [
      [{ vendor: 'nope', to: '+14155559876' }, 400, 'unknown_vendor', false],
      [{ vendor: 'jagcall' }, 400, 'invalid_request', true],
      [{ vendor: 'jagcall', to: '12' }, 400, 'invalid_request', true],
      [{ vendor: 'jagcall', to: '+14155559876', from: 'me' }, 400, 'invalid_request', true],
      [{ vendor: 'jagcall', to: '+14155559876', account: 'jc_nope' }, 404, 'unknown_account', false],
      [{ vendor: 'jagcall', to: '+14155559876', agent_id: 'agt_nope' }, 404, 'not_found', false],
    ];
    for (const [body, status, code, invalid] of cases) {
      const r = await admin('POST', '/__sim/calls', { body, invalid });
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.error.code, JSON.stringify(body)).toBe(code);
    }
  });
});

describe('inbound traffic', () => {
  it('POST /inbound-call rings the agent on a JagCall demo number; an unknown number is 404', async () => {
    const r = await admin('POST', '/__sim/inbound-call', { body: { vendor: 'jagcall', to: '+14155551234', from: '+14155559876' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ vendor: 'jagcall', account: 'jc_org_demo', call: { agent_id: 'agt_xxx', direction: 'inbound' } });
    const seen = await sim.api('jagcall', 'GET', `/v1/calls/${r.body.call.id}`);
    expect(seen.status).toBe(200);
    await admin('POST', '/__sim/clock/advance', { body: { ms: 300_000 } });
    expect((await admin('GET', `/__sim/calls/${r.body.call.id}`)).body).toMatchObject({
      direction: 'inbound',
      status: 'completed',
      from: '+14155559876',
      to: '+14155551234',
    });

    const unknown = await admin('POST', '/__sim/inbound-call', { body: { vendor: 'jagcall', to: '+14155550000', from: '+14155559876' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_number');
    // Another account's number on the same vendor is routed there.
    const other = await admin('POST', '/__sim/inbound-call', { body: { vendor: 'jagcall', to: '+12125550199', from: '+14155559876' } });
    expect(other.body.account).toBe('jc_org_other');
  });

  it('POST /inbound-call to a number without an agent fails like a carrier would', async () => {
    const detached = await sim.api('jagcall', 'PUT', '/v1/phone-numbers/pn_xxx', { body: { agent_id: null } });
    expect(detached.status).toBe(200);
    const r = await admin('POST', '/__sim/inbound-call', { body: { vendor: 'jagcall', to: '+14155551234', from: '+14155559876' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ call: null, status: 'failed' });
    expect(r.body.reason).toContain('+14155551234');
  });

  it('POST /inbound-call and /inbound-sms refuse bad bodies with 400', async () => {
    const bad: Array<[string, unknown, string]> = [
      ['/__sim/inbound-call', { vendor: 'jagcall', to: '+14155551234', from: '555' }, 'from'],
      ['/__sim/inbound-call', { vendor: 'jagcall', from: '+14155559876' }, 'to'],
      ['/__sim/inbound-sms', { vendor: 'jagcall', to: '+14155551234', from: '+14155559876', body: '' }, 'body'],
      ['/__sim/inbound-sms', { vendor: 'jagcall', to: '+14155551234', from: '+14155559876', body: 'x'.repeat(1601) }, 'body'],
      ['/__sim/inbound-sms', { vendor: 'jagcall', to: '+14155551234', from: '+14155559876' }, 'body'],
    ];
    for (const [path, body, field] of bad) expectInvalid(await admin('POST', path, { body, invalid: true }), field, JSON.stringify(body));
    const nope = await admin('POST', '/__sim/inbound-call', { body: { vendor: 'nope', to: '+14155551234', from: '+14155559876' } });
    expect(nope.status).toBe(400);
    expect(nope.body.error.code).toBe('unknown_vendor');
  });

  it("POST /inbound-sms lands in the owning account's conversation; an unknown number is 404", async () => {
    const r = await admin('POST', '/__sim/inbound-sms', {
      body: { vendor: 'jagcall', to: '+14155551234', from: '+14155559876', body: 'Can we move it to 3pm?' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      vendor: 'jagcall',
      account: 'jc_org_demo',
      message: { conversation_id: 'conv_xxx', direction: 'inbound', body: 'Can we move it to 3pm?' },
    });
    const messages = await sim.api('jagcall', 'GET', '/v1/sms/conversations/conv_xxx/messages?per_page=100');
    expect(messages.body.data.map((m: any) => m.id)).toContain(r.body.message.id);

    const unknown = await admin('POST', '/__sim/inbound-sms', { body: { vendor: 'jagcall', to: '+14155550000', from: '+14155559876', body: 'hi' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_number');
  });
});

describe('links: recordings', () => {
  it.skipIf(!CALLGENIUS)('a minted CallGeni.us user gets a login', async () => {
    const minted = await admin('POST', '/__sim/accounts', { body: { vendor: 'callgenius' } });
    expect(minted.status).toBe(201);
    expect(minted.body.email).toMatch(/@example\.com$/);
    expect(minted.body.tenants.length).toBeGreaterThan(0);
  });

  it('GET /recordings/{vendor}/{file} serves a signed WAV; 403 tampered, 404 unknown, 410 expired', async () => {
    const url = new URL((await admin('GET', '/__sim/calls/call_xxx')).body.recording_url);
    const path = url.pathname + url.search;
    const wav = await fetch(sim.url + path);
    const bytes = Buffer.from(await wav.arrayBuffer());
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    assertResponse('GET', path, { status: wav.status, headers: wav.headers, body: undefined, text: '' });

    const sig = url.searchParams.get('sig')!;
    const tampered = await admin('GET', path.replace(sig, sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0')));
    expect(tampered.status).toBe(403);
    expect(tampered.body.error.code).toBe('invalid_signature');
    const unsigned = await admin('GET', url.pathname);
    expect(unsigned.status).toBe(403);

    const other = new URL(sim.running.sim.signRecordingUrl('jagcall', 'call_nope', T0 + 3_600_000));
    const unknown = await admin('GET', other.pathname + other.search);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');

    await admin('POST', '/__sim/clock/advance', { body: { ms: 2 * 3_600_000 } });
    const expired = await admin('GET', path);
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('expired');
  });
});

describe('media', () => {
  it('GET /media/sessions lists open streams (none here)', async () => {
    const r = await admin('GET', '/__sim/media/sessions');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ data: [], total: 0 });
  });

  it("GET and PUT /calls/{id}/media read and set one call's audio conditions", async () => {
    const before = await admin('GET', '/__sim/calls/call_xxx/media');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ callId: 'call_xxx', vendor: 'jagcall', streamed: false, conditions: { latencyMs: 0 } });
    const set = await admin('PUT', '/__sim/calls/call_xxx/media', { body: { latencyMs: 300, lossPercent: 5 } });
    expect(set.status).toBe(200);
    expect(set.body.conditions).toMatchObject({ latencyMs: 300, lossPercent: 5 });
    expect(set.body.callConditions).toEqual({ latencyMs: 300, lossPercent: 5 });
    for (const body of [{ lossPercent: 101 }, { echo: 1 }, { latencyMs: -1, jitterMs: 10 }, []]) {
      const bad = await admin('PUT', '/__sim/calls/call_xxx/media', { body, invalid: true });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.code).toBe('invalid_request');
    }
    expect((await admin('GET', '/__sim/calls/call_xxx/media')).body.callConditions).toEqual({ latencyMs: 300, lossPercent: 5 });
    expect((await admin('GET', '/__sim/calls/call_nope/media')).status).toBe(404);
    expect((await admin('PUT', '/__sim/calls/call_nope/media', { body: { latencyMs: 1 } })).status).toBe(404);
  });
});

describe('dashboard routes', () => {
  it('GET /events streams server-sent events, starting with a snapshot', async () => {
    const ac = new AbortController();
    const res = await fetch(`${sim.url}/__sim/events`, { signal: ac.signal });
    try {
      expect(res.status).toBe(200);
      assertResponse('GET', '/__sim/events', { status: res.status, headers: res.headers, body: undefined, text: '' });
      const reader = res.body!.getReader();
      let text = '';
      while (!/event: snapshot\ndata: .*\n\n/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString('utf8');
      }
      expect(text.startsWith('retry: 2000\n\n')).toBe(true);
      const data = JSON.parse(/event: snapshot\ndata: (.*)\n\n/.exec(text)![1]);
      expect(data).toMatchObject({ clock: { mode: 'virtual' } });
      expect(Array.isArray(data.calls)).toBe(true);
    } finally {
      ac.abort();
    }
  });

  it('GET /dashboard/meta and /dashboard/calls/{id} answer their documented shapes', async () => {
    const meta = await admin('GET', '/__sim/dashboard/meta');
    expect(meta.status).toBe(200);
    expect(meta.body.accounts.find((a: any) => a.id === 'jc_org_demo').numbers).toContainEqual({ e164: '+14155551234', agent_id: 'agt_xxx' });
    const call = await admin('GET', '/__sim/dashboard/calls/call_xxx');
    expect(call.status).toBe(200);
    expect(call.body.media_path).toBe('/__sim/media/jagcall/call_xxx');
    expect((await admin('GET', '/__sim/dashboard/calls/call_nope')).status).toBe(404);
  });
});

describe('transport-level answers', () => {
  it('malformed JSON is 400, an unsupported charset 415, a body over 16 MiB 413 — as documented', async () => {
    const malformed = await admin('PUT', '/__sim/config', { raw: '{"faults": [', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('malformed_json');
    // Only JSON is read as JSON: a form or a text/plain body (what a cross-site form can send) is refused.
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', '']) {
      const plain = await admin('POST', '/__sim/clock/advance', { raw: '{"ms": 5}', headers: { 'content-type': type } });
      expect(plain.status, type).toBe(415);
      expect(plain.body.error.code).toBe('unsupported_media_type');
    }
    // JSON is read as UTF-8 whatever charset is declared (RFC 8259), as on the vendor APIs.
    const charset = await admin('POST', '/__sim/clock/advance', { raw: '{"ms": 5}', headers: { 'content-type': 'application/json; charset=koi8-r' } });
    expect(charset.status).toBe(200);
    const huge = await admin('PUT', '/__sim/state', {
      raw: JSON.stringify({ pad: 'x'.repeat(17 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  it('an unknown admin route answers 404 "No admin route"', async () => {
    const r = await fetch(`${sim.url}/__sim/nope`);
    expect(r.status).toBe(404);
    expect((await r.json()).error.message).toBe('No admin route GET /nope');
  });

  it.skipIf(!EXTERNAL_IP)('without --admin-token a client from another address gets 403; links stay open', async () => {
    const open = await startTestSim({ host: '0.0.0.0' });
    try {
      const base = open.url.replace('127.0.0.1', EXTERNAL_IP!);
      const r = await send(base, 'GET', '/__sim/health');
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
      expect((await send(base, 'PUT', '/__sim/config', { body: { strict: true } })).status).toBe(403);
      const link = new URL((await send(open.url, 'GET', '/__sim/calls/call_xxx')).body.recording_url);
      expect((await send(base, 'GET', link.pathname + link.search)).status).toBe(200);
      expect((await send(open.url, 'GET', '/__sim/health')).status).toBe(200);
    } finally {
      await open.stop();
    }
  });

  it('with --admin-token every gated route needs the token (401), links stay open', async () => {
    const gated = await startTestSim({ adminToken: 's3cret' });
    try {
      const none = await send(gated.url, 'GET', '/__sim/health');
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe('unauthorized');
      expect((await send(gated.url, 'POST', '/__sim/clock/advance', { body: { ms: 1 }, headers: { authorization: 'Bearer nope' } })).status).toBe(401);
      expect((await send(gated.url, 'GET', '/__sim/health', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
      const link = new URL((await send(gated.url, 'GET', '/__sim/calls/call_xxx', { headers: { authorization: 'Bearer s3cret' } })).body.recording_url);
      expect((await send(gated.url, 'GET', link.pathname + link.search)).status).toBe(200);
    } finally {
      await gated.stop();
    }
  });
});

describe('every documented path is served', () => {
  const sample: Record<string, string> = { id: 'x', key: 'nokey', vendor: 'jagcall', file: 'x.wav' };
  let served: TestSim;
  beforeAll(async () => {
    served = await startTestSim();
  });
  afterAll(async () => {
    await served.stop();
  });
  for (const op of spec.operations) {
    it(`${op.method} ${op.template}`, async () => {
      {
        const path = op.template.replace(/\{(\w+)\}/g, (_, name: string) => sample[name] ?? 'x');
        const ac = new AbortController();
        const hasBody = op.method === 'POST' || op.method === 'PUT';
        const r = await fetch(served.url + path, {
          method: op.method,
          signal: ac.signal,
          headers: hasBody ? { 'content-type': 'application/json' } : {},
          body: hasBody ? '{}' : undefined,
        });
        const ct = r.headers.get('content-type') ?? '';
        let text = '';
        if (ct.includes('text/event-stream')) ac.abort();
        else text = await r.text();
        expect(text, `${op.method} ${path}`).not.toContain('No admin route');
        expect(text, `${op.method} ${path}`).not.toContain('Nothing at');
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = text;
        }
        assertResponse(op.method, path, { status: r.status, headers: r.headers, body, text });
      }
    });
  }
});
