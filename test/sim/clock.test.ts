import { describe, expect, it } from 'vitest';
import { loadInventory, loadLibrary } from '../../src/fixtures/index.js';
import { createAccount } from '../../src/sim/accounts.js';
import { createAgent } from '../../src/sim/agents.js';
import { createCall } from '../../src/sim/calls.js';
import { VirtualClock } from '../../src/sim/clock.js';
import type { SimEvent } from '../../src/sim/events.js';
import { Random } from '../../src/sim/random.js';
import { Scheduler, type Task } from '../../src/sim/scheduler.js';
import { World } from '../../src/sim/world.js';

const T0 = Date.parse('2026-03-01T09:00:00Z');

function makeWorld(rules: World['rules'] = []) {
  return new World({
    clock: new VirtualClock(T0),
    seed: 8,
    library: loadLibrary(),
    prices: { test: { perMinuteCents: 12, smsCents: 1, monthlyNumberCents: 200 } },
    inventory: { test: loadInventory() },
    rules,
    seeders: [
      (w) => {
        createAccount(w, { id: 'acct', namespace: 'test', name: 'Test', keys: ['k'], idScheme: {}, billing: { balanceCents: 1e9 } });
        createAgent(w, 'acct', { name: 'Bot', language: 'en', languages: ['en', 'tr'], multilingual: true }, { id: 'a_1' });
      },
    ],
  });
}

describe('scheduler', () => {
  it('runs a requeued task in the place its reserved sequence number gives it', async () => {
    const s = new Scheduler(new VirtualClock(0));
    const seen: string[] = [];
    const early = s.reserve(2);
    s.at(10, () => void seen.push('later'));
    const task: Task = {
      at: 0,
      seq: 0,
      label: 'walker',
      cancelled: false,
      run: () => {
        seen.push(`step ${task.seq - early}`);
        if (task.seq === early) s.requeue(task, 10, early + 1);
      },
    };
    s.requeue(task, 10, early);
    s.at(10, () => void seen.push('last'));
    await s.advance(10);
    expect(seen).toEqual(['step 0', 'step 1', 'later', 'last']);
  });

  it('counts a task that stands for several steps as that many pending', () => {
    const s = new Scheduler(new VirtualClock(0));
    s.at(5, () => {});
    s.requeue({ at: 0, seq: 0, label: 'x', cancelled: false, run: () => {}, weight: () => 3 }, 7, s.reserve(1));
    expect(s.size()).toBe(4);
  });
});

describe('the clock over many live calls', () => {
  it('runs every due step in time order, same-instant steps in the order the calls were made', async () => {
    // Ring and talk times from a small set, so many steps of different calls fall on one instant.
    const world = makeWorld([
      { toPrefix: '+1415', outcome: 'answered', durationSec: 60, ringSec: 2 },
      { toPrefix: '+4477', outcome: 'answered', durationSec: 30, ringSec: 0 },
    ]);
    const rnd = new Random(4);
    const numbers = ['+14155550142', '+447700900123', '+15005550001', '+15005550002', '+15005550003', '+15005550004', '+903121234567'];
    const index = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const call = createCall(world, { accountId: 'acct', agentId: 'a_1', to: rnd.pick(numbers) });
      index.set(call.id, i);
      if (i % 250 === 249) await world.scheduler.advance(1000);
    }
    const seen: Array<[number, number, number]> = [];
    const place = (e: SimEvent): number => {
      if (e.type === 'call.status') return e.call.status === 'ringing' ? 0 : e.call.status === 'in-progress' ? 1 : 2;
      return { 'call.started': 1, 'call.ended': 2, 'booking.created': 3, 'transcript.ready': 4, 'recording.ready': 5 }[e.type as string] ?? -1;
    };
    world.bus.on((e) => {
      if ('call' in e) seen.push([e.at, index.get(e.call.id)!, place(e)]);
    });
    const pending = world.scheduler.size();
    const { ran } = await world.scheduler.advance(3_600_000);
    expect(ran).toBe(pending);
    expect(world.scheduler.size()).toBe(0);
    expect(seen.length).toBeGreaterThan(5000);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1], seen[i]];
      const inOrder = a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] <= b[2])));
      expect(inOrder, `event ${i}: ${a} then ${b}`).toBe(true);
    }
    const calls = [...world.store('acct').calls.values()];
    expect(calls.every((c) => ['completed', 'busy', 'no-answer', 'failed'].includes(c.status))).toBe(true);
    expect(calls.filter((c) => c.answeredAt !== null).every((c) => c.transcriptReady && c.recordingReady)).toBe(true);
  });
});
