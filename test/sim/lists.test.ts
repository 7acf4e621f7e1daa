import { describe, expect, it } from 'vitest';
import { loadInventory, loadLibrary } from '../../src/fixtures/index.js';
import { createAccount } from '../../src/sim/accounts.js';
import { createAgent } from '../../src/sim/agents.js';
import { type CallFilter, createCall, getCallOrThrow, hangupCall, listCalls, queryCalls } from '../../src/sim/calls.js';
import { VirtualClock } from '../../src/sim/clock.js';
import { SimError } from '../../src/sim/errors.js';
import { Random } from '../../src/sim/random.js';
import type { CallRecord } from '../../src/sim/record.js';
import { restoreWorld, snapshotWorld } from '../../src/sim/snapshot.js';
import { SortedList } from '../../src/sim/sorted.js';
import type { Call, CallStatus } from '../../src/sim/types.js';
import { World } from '../../src/sim/world.js';

const T0 = Date.parse('2026-03-01T09:00:00Z');
const library = loadLibrary();
const inventory = loadInventory();
const AGENTS = ['a_1', 'a_2', 'a_3'];
const TO = ['+14155550142', '+15005550001', '+15005550002', '+15005550003', '+15005550004', '+903121234567', '+447700900123'];
const FROM = ['+14155550100', '+14155550101'];

function makeWorld(opts: { seed?: number; retainCalls?: number } = {}) {
  return new World({
    clock: new VirtualClock(T0),
    seed: opts.seed ?? 5,
    library,
    prices: { test: { perMinuteCents: 12, smsCents: 1, monthlyNumberCents: 200 } },
    inventory: { test: inventory },
    retainCalls: opts.retainCalls,
    seeders: [
      (w) => {
        createAccount(w, {
          id: 'acct',
          namespace: 'test',
          name: 'Test',
          keys: ['k'],
          idScheme: { call: { style: 'hex', prefix: 'c_', length: 6 }, agent: { style: 'hex', prefix: 'a_', length: 6 } },
          billing: { balanceCents: 10_000_000 },
        });
        for (const id of AGENTS) createAgent(w, 'acct', { name: id, language: 'en', languages: ['en', 'tr'], multilingual: true }, { id });
      },
    ],
  });
}

/** Calls spread over time, many sharing an instant (ids break the tie), in every status. */
async function populate(world: World, n: number, rnd: Random): Promise<void> {
  for (let i = 0; i < n; i++) {
    const inbound = rnd.next() < 0.15;
    const call = createCall(world, {
      accountId: 'acct',
      agentId: rnd.pick(AGENTS),
      to: inbound ? rnd.pick(FROM) : rnd.pick(TO),
      from: inbound ? rnd.pick(TO.filter((t) => t.startsWith('+1415'))) : rnd.pick(FROM),
      direction: inbound ? 'inbound' : 'outbound',
      campaignId: rnd.next() < 0.2 ? rnd.pick(['cmp_a', 'cmp_b']) : null,
    });
    if (rnd.next() < 0.03) hangupCall(world, call);
    if (rnd.next() < 0.05) await world.scheduler.advance(rnd.int(0, 20_000));
  }
}

const desc = (a: Call, b: Call) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);

/** The obvious answer: every call, filtered one by one and sorted. */
function naive(world: World, f: CallFilter): Call[] {
  return [...world.store('acct').calls.values()]
    .filter(
      (c) =>
        (f.agentId === undefined || c.agentId === f.agentId) &&
        (!f.status || f.status.includes(c.status)) &&
        (f.direction === undefined || c.direction === f.direction) &&
        (f.since === undefined || c.createdAt >= f.since) &&
        (f.until === undefined || c.createdAt <= f.until) &&
        (f.campaignId === undefined || c.campaignId === f.campaignId) &&
        (f.number === undefined || (c.direction === 'inbound' ? c.to : c.from) === f.number),
    )
    .sort(desc);
}

function filters(world: World, rnd: Random): CallFilter[] {
  const times = [...world.store('acct').calls.values()].map((c) => c.createdAt).sort((a, b) => a - b);
  const t = () => times[rnd.int(0, times.length - 1)];
  const statuses: CallStatus[] = ['queued', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled'];
  const out: CallFilter[] = [
    {},
    { status: ['completed'] },
    { status: ['in-progress'] },
    { status: ['failed', 'busy', 'canceled'] },
    { status: [] },
    { agentId: 'a_2' },
    { agentId: 'nobody' },
    { agentId: 'a_1', status: ['completed'] },
    { direction: 'inbound' },
    { agentId: 'a_3', direction: 'outbound', status: ['no-answer', 'ringing'] },
    { campaignId: 'cmp_a' },
    { campaignId: 'cmp_b', status: ['completed'] },
    { number: FROM[1] },
    { number: FROM[0], direction: 'inbound' },
    { since: times[Math.floor(times.length / 3)] },
    { until: times[Math.floor(times.length / 2)] },
    { since: times[times.length - 1] + 1 },
  ];
  for (let i = 0; i < 12; i++) {
    const [a, b] = [t(), t()].sort((x, y) => x - y);
    out.push({ since: a, until: b, status: [rnd.pick(statuses)], ...(rnd.next() < 0.5 && { agentId: rnd.pick(AGENTS) }) });
  }
  return out;
}

/** First, middle and last pages (and one past the end) agree with the naive list, with the same total. */
function checkPages(world: World, f: CallFilter): void {
  const want = naive(world, f).map((c) => c.id);
  const list = queryCalls(world, 'acct', f);
  const label = JSON.stringify(f);
  expect(list.length, label).toBe(want.length);
  for (const size of [1, 7, 50]) {
    const last = Math.max(0, Math.ceil(want.length / size) - 1);
    for (const page of new Set([0, 1, Math.floor(last / 2), last - 1, last, last + 1])) {
      if (page < 0) continue;
      const got = list.slice(page * size, page * size + size).map((c) => c.id);
      expect(got, `${label} page ${page} of ${size}`).toEqual(want.slice(page * size, page * size + size));
    }
  }
}

describe('call lists at scale', () => {
  it('pages first, middle and last like a naive sort and filter, through status changes and a restore', async () => {
    const world = makeWorld();
    const rnd = new Random(11);
    await populate(world, 3000, rnd);
    const fs = filters(world, rnd);
    for (const f of fs) checkPages(world, f);
    // The views built above must follow calls as they ring, connect and end, and take new ones.
    await world.scheduler.advance(45_000);
    await populate(world, 500, rnd);
    for (const f of fs) checkPages(world, f);
    await world.scheduler.advance(3_600_000);
    for (const f of fs) checkPages(world, f);
    const before = fs.map((f) => listCalls(world, 'acct', f).map((c) => c.id));
    restoreWorld(world, JSON.parse(JSON.stringify(snapshotWorld(world))));
    expect(fs.map((f) => listCalls(world, 'acct', f).map((c) => c.id))).toEqual(before);
    for (const f of fs) checkPages(world, f);
  });

  it('keeps many calls created at the same instant in id order', () => {
    const world = makeWorld();
    for (let i = 0; i < 1500; i++) createCall(world, { accountId: 'acct', agentId: AGENTS[i % 3], to: TO[i % TO.length] });
    checkPages(world, {});
    checkPages(world, { agentId: 'a_2', status: ['queued'] });
  });
});

describe('SortedList', () => {
  it('inserts, deletes, finds by position and by key like a sorted array', () => {
    const rnd = new Random(3);
    const list = new SortedList<{ k: number }>((a, b) => a.k < b.k);
    let ref: Array<{ k: number }> = [];
    for (let round = 0; round < 20_000; round++) {
      if (ref.length && rnd.next() < 0.4) {
        const x = ref[rnd.int(0, ref.length - 1)];
        expect(list.delete(x)).toBe(true);
        ref = ref.filter((y) => y !== x);
      } else {
        // Keys are unique, as call keys are (creation time, then id); a third are appends.
        const x = { k: rnd.next() < 0.3 ? 1e7 + round : rnd.next() * 1e6 };
        list.insert(x);
        ref.push(x);
        ref.sort((a, b) => a.k - b.k);
      }
      if (round % 997 === 0) {
        expect(list.size).toBe(ref.length);
        expect([...list]).toEqual(ref);
        for (let i = 0; i < ref.length; i += 37) expect(list.at(i)).toBe(ref[i]);
        const cut = rnd.next() * 1e6;
        expect(list.countWhile((x) => x.k < cut)).toBe(ref.filter((x) => x.k < cut).length);
        expect(list.collectDown(3, 40, [])).toEqual(ref.slice(3, 40).reverse());
        const odd = list.filter((x) => Math.floor(x.k) % 2 === 1);
        expect([...odd]).toEqual(ref.filter((x) => Math.floor(x.k) % 2 === 1));
        if (odd.size) expect(odd.at(odd.size - 1)).toBe([...odd][odd.size - 1]);
      }
    }
    expect(list.delete({ k: -1 })).toBe(false);
  });
});

describe('retention', () => {
  it('keeps the newest finished calls, never a live one; the others answer not found', async () => {
    const world = makeWorld({ retainCalls: 20 });
    const first: CallRecord[] = [];
    for (let i = 0; i < 30; i++) first.push(createCall(world, { accountId: 'acct', agentId: 'a_1', to: TO[0] }));
    await world.scheduler.advance(3_600_000);
    const live = createCall(world, { accountId: 'acct', agentId: 'a_1', to: TO[0] });
    expect(world.store('acct').calls.size).toBe(21);
    expect(world.retention?.size).toBe(20);
    const gone = first.filter((c) => !world.store('acct').calls.has(c.id));
    expect(gone).toHaveLength(10);
    for (const c of gone) {
      expect(() => getCallOrThrow(world, 'acct', c.id)).toThrow(SimError);
      expect(world.findCall(c.id)).toBeUndefined();
      expect(listCalls(world, 'acct').some((x) => x.id === c.id)).toBe(false);
    }
    expect(queryCalls(world, 'acct').length).toBe(21);
    expect(getCallOrThrow(world, 'acct', live.id)).toBe(live);
    // The snapshot holds what is kept, and a restore keeps to the same bound.
    const snap = JSON.parse(JSON.stringify(snapshotWorld(world)));
    expect(snap.stores.acct.calls).toHaveLength(21);
    snap.stores.acct.calls.push(...JSON.parse(JSON.stringify(gone)));
    restoreWorld(world, snap);
    expect(world.store('acct').calls.size).toBe(21);
    await world.scheduler.advance(3_600_000);
    expect(world.store('acct').calls.size).toBe(20);
    expect(world.store('acct').calls.has(live.id)).toBe(true);
  });

  it('refuses a limit that is not a whole number', () => {
    expect(() => makeWorld({ retainCalls: -1 })).toThrow(/retainCalls/);
  });
});
