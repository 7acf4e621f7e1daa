import { describe, expect, it } from 'vitest';
import { loadInventory, loadLibrary } from '../../src/fixtures/index.js';
import { createAccount } from '../../src/sim/accounts.js';
import { createAgent } from '../../src/sim/agents.js';
import { createCall, hangupCall, listCalls } from '../../src/sim/calls.js';
import { VirtualClock } from '../../src/sim/clock.js';
import type { SimEvent } from '../../src/sim/events.js';
import { Scheduler } from '../../src/sim/scheduler.js';
import { World } from '../../src/sim/world.js';

const T0 = Date.parse('2026-03-01T09:00:00Z');
const library = loadLibrary();
const inventory = loadInventory();

function makeWorld(seed = 1, rules: World['rules'] = []) {
  const world = new World({
    clock: new VirtualClock(T0),
    seed,
    library,
    prices: { test: { perMinuteCents: 12, smsCents: 1, monthlyNumberCents: 200 } },
    inventory: { test: inventory },
    rules,
    seeders: [
      (w) => {
        createAccount(w, {
          id: 'acct',
          namespace: 'test',
          name: 'Test',
          keys: ['k'],
          idScheme: { call: { style: 'hex', prefix: 'c_', length: 8 }, agent: { style: 'hex', prefix: 'a_', length: 6 } },
          billing: { balanceCents: 10_000 },
        });
        createAgent(w, 'acct', { name: 'Bot', language: 'en', languages: ['en', 'tr'], multilingual: true }, { id: 'a_1' });
      },
    ],
  });
  const events: SimEvent[] = [];
  world.bus.on((e) => events.push(e));
  return { world, events };
}

describe('scheduler', () => {
  it('runs due actions in time order, then insertion order, and only when advanced', async () => {
    const clock = new VirtualClock(0);
    const s = new Scheduler(clock);
    const seen: string[] = [];
    s.at(30, () => void seen.push('c'));
    s.at(10, () => void seen.push('a'));
    s.at(10, () => void seen.push('b'));
    const cancelled = s.at(20, () => void seen.push('x'));
    s.cancel(cancelled);
    expect(seen).toEqual([]);
    await s.advance(25);
    expect(seen).toEqual(['a', 'b']);
    expect(clock.now()).toBe(25);
    await s.advance(5);
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('waits for async actions and runs what they schedule within the window', async () => {
    const s = new Scheduler(new VirtualClock(0));
    const seen: number[] = [];
    s.at(10, async () => {
      await new Promise((r) => setTimeout(r, 5));
      s.at(20, () => void seen.push(s.clock.now()));
    });
    await s.advance(100);
    expect(seen).toEqual([20]);
  });
});

describe('calls on the virtual clock', () => {
  it('moves queued → ringing → in-progress → completed, with talk time = recording length', async () => {
    const { world, events } = makeWorld();
    const call = createCall(world, { accountId: 'acct', agentId: 'a_1', to: '+14155550142' });
    expect(call.status).toBe('queued');
    await world.scheduler.advance(120_000);
    expect(call.timeline.map((t) => t.status)).toEqual(['queued', 'ringing', 'in-progress', 'completed']);
    const ringing = call.timeline[1].at - call.timeline[0].at;
    const ring = call.timeline[2].at - call.timeline[1].at;
    expect(ringing).toBeGreaterThanOrEqual(500);
    expect(ring).toBeGreaterThanOrEqual(3000);
    expect(call.talkMs).toBe(call.endedAt! - call.answeredAt!);
    expect(call.transcriptReady && call.recordingReady).toBe(true);
    expect(events.map((e) => e.type)).toEqual([
      'call.created',
      'call.status',
      'call.status',
      'call.started',
      'call.status',
      'call.ended',
      'transcript.ready',
      'recording.ready',
    ]);
  });

  it('runs a 30-minute call in milliseconds of wall time', async () => {
    const { world } = makeWorld(3, [{ toPrefix: '+1415', outcome: 'answered', durationSec: 1800 }]);
    const t = performance.now();
    const call = createCall(world, { accountId: 'acct', agentId: 'a_1', to: '+14155550142' });
    await world.scheduler.advance(31 * 60_000);
    expect(call.status).toBe('completed');
    expect(call.talkMs).toBe(1_800_000);
    // A bound on behaviour, not speed: virtual time never waits for real time (speed is in npm run bench).
    expect(performance.now() - t).toBeLessThan(10_000);
    expect(world.account('acct').billing.minutesUsed).toBe(30);
  });

  it('maps the scenario numbers to their outcomes', async () => {
    const { world } = makeWorld();
    const out: Record<string, string> = {};
    for (const to of ['+15005550001', '+15005550002', '+15005550003', '+15005550004']) {
      const c = createCall(world, { accountId: 'acct', agentId: 'a_1', to });
      await world.scheduler.advance(600_000);
      out[to] = `${c.status}/${c.endedReason}/${c.answeredAt !== null}`;
    }
    expect(out).toEqual({
      '+15005550001': 'no-answer/no-answer/false',
      '+15005550002': 'busy/busy/false',
      '+15005550003': 'failed/failed/false',
      '+15005550004': 'completed/voicemail/true',
    });
  });

  it('speaks Turkish to +90 when the agent is multilingual', () => {
    const { world } = makeWorld();
    const call = createCall(world, { accountId: 'acct', agentId: 'a_1', to: '+903121234567' });
    expect(call.language).toBe('tr');
    expect(call.conversationId).toMatch(/^tr-/);
  });

  it('is deterministic: same seed and same actions give the same ids, timings and conversations', async () => {
    const run = async () => {
      const { world } = makeWorld(99);
      for (const to of ['+14155550142', '+903121234567', '+447700900123']) createCall(world, { accountId: 'acct', agentId: 'a_1', to });
      await world.scheduler.advance(600_000);
      return JSON.stringify(listCalls(world, 'acct'));
    };
    expect(await run()).toBe(await run());
    const other = (() => {
      const { world } = makeWorld(100);
      return createCall(world, { accountId: 'acct', agentId: 'a_1', to: '+14155550142' }).id;
    })();
    const same = (() => {
      const { world } = makeWorld(99);
      return createCall(world, { accountId: 'acct', agentId: 'a_1', to: '+14155550142' }).id;
    })();
    expect(other).not.toBe(same);
  });

  it('hangs up: before answer it is canceled, after answer it completes with the talk time so far', async () => {
    const { world } = makeWorld();
    const early = createCall(world, { accountId: 'acct', agentId: 'a_1', to: '+14155550142' });
    hangupCall(world, early);
    expect(early.status).toBe('canceled');
    const late = createCall(world, { accountId: 'acct', agentId: 'a_1', to: '+14155550142' });
    await world.scheduler.advance(late.plan.answeredAt! - world.now() + 5000);
    hangupCall(world, late);
    expect(late.status).toBe('completed');
    expect(late.endedReason).toBe('hangup');
    expect(late.talkMs).toBe(5000);
    await world.scheduler.advance(60_000);
    expect(late.talkMs).toBe(5000);
  });
});
