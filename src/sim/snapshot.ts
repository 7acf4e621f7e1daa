import { armAll } from './calls.js';
import { VirtualClock } from './clock.js';
import { CallRecord } from './record.js';
import type { ScenarioRule } from './scenarios.js';
import { scheduleDelivery } from './sms.js';
import type { Account, AvailableNumber, Call, Session, User } from './types.js';
import type { AccountStore, World } from './world.js';

export const SNAPSHOT_FORMAT = 'callsim-state';
export const SNAPSHOT_VERSION = 2;

type StoreJson = { [K in keyof AccountStore]: unknown[] };

export interface WorldSnapshot {
  now: number;
  rng: [number, number, number, number];
  counters: Record<string, number>;
  rules: ScenarioRule[];
  accounts: Account[];
  stores: Record<string, StoreJson>;
  users: User[];
  sessions: Session[];
  inventory: Record<string, AvailableNumber[]>;
}

const STORE_KEYS: Array<keyof AccountStore> = ['agents', 'numbers', 'calls', 'campaigns', 'smsConversations', 'smsMessages', 'knowledge'];

/** Plain data only: JSON of this restores the same world. Pending work is re-derived on restore. */
export function snapshotWorld(world: World): WorldSnapshot {
  const stores: Record<string, StoreJson> = {};
  for (const [id, s] of world.stores) {
    stores[id] = Object.fromEntries(STORE_KEYS.map((k) => [k, [...(s[k] as Map<string, unknown>).values()]])) as StoreJson;
  }
  return {
    now: world.now(),
    rng: world.rng.state(),
    counters: { ...world.counters },
    rules: world.rules,
    accounts: [...world.accounts.values()],
    stores,
    users: [...world.users.values()],
    sessions: [...world.sessions.values()],
    inventory: Object.fromEntries([...world.inventory].map(([ns, pool]) => [ns, [...pool.values()]])),
  };
}

/**
 * What makes a snapshot unusable beyond its shape (the admin spec's schema checks every record):
 * records that do not fit together, or an account of a vendor this server does not run.
 */
export function worldConflicts(s: WorldSnapshot, namespaces: string[]): string | undefined {
  const ids = new Set<string>();
  for (const [i, a] of s.accounts.entries()) {
    if (!namespaces.includes(a.namespace)) return `world.accounts.${i}.namespace ${a.namespace} is not a vendor this server runs`;
    if (ids.has(a.id)) return `world.accounts.${i}.id ${a.id} appears twice`;
    ids.add(a.id);
  }
  for (const id of Object.keys(s.stores)) if (!ids.has(id)) return `world.stores.${id} belongs to no account`;
  for (const [i, x] of s.sessions.entries()) if (!ids.has(x.accountId)) return `world.sessions.${i} names an unknown account ${x.accountId}`;
  const calls = new Set<string>();
  const owners = new Map<string, string>();
  for (const [id, st] of Object.entries(s.stores)) {
    for (const c of st.calls as Call[]) {
      if (calls.has(c.id)) return `call ${c.id} appears twice (call ids are unique across accounts)`;
      calls.add(c.id);
    }
    // A number has exactly one owner, or its calls and messages would cross accounts.
    for (const n of st.numbers as Array<{ e164: string }>) {
      const other = owners.get(n.e164);
      if (other) return `number ${n.e164} is owned by both ${other} and ${id}`;
      owners.set(n.e164, id);
    }
  }
  return undefined;
}

export function restoreWorld(world: World, s: WorldSnapshot): void {
  world.scheduler.clear();
  if (world.clock instanceof VirtualClock) world.clock.restore(s.now);
  world.rng.restore(s.rng);
  world.counters = { ...s.counters };
  world.rules = s.rules;
  // Snapshots before 0.2 kept the docs' placeholder ids on the account (`agentAliases`); the docs key holds them now.
  world.accounts = new Map(s.accounts.map(({ agentAliases: _, ...a }: Account & { agentAliases?: unknown }) => [a.id, a]));
  world.stores = new Map();
  world.callIndex = new Map();
  world.retention?.pause();
  for (const [id, st] of Object.entries(s.stores)) {
    const store = world.store(id);
    for (const k of STORE_KEYS) {
      if (k === 'calls') continue;
      const map = store[k] as Map<string, { id: string }>;
      for (const item of st[k] as Array<{ id: string }>) map.set(item.id, item);
    }
    for (const json of st.calls as Call[]) {
      const call = CallRecord.fromJSON(json, (x) => world.intern(x));
      store.calls.add(call);
      world.callIndex.set(call.id, id);
      // A live media session does not survive a restore: the call it controlled hangs up now.
      if (call.liveControlled && !call.isFinal) {
        const answered = call.status === 'in-progress';
        call.liveControlled = false;
        call.plan = {
          ...call.plan,
          endAt: s.now,
          final: answered ? 'completed' : 'canceled',
          reason: answered ? 'hangup' : 'canceled',
          answeredAt: answered ? call.planAnsweredAt : null,
        };
      }
    }
  }
  world.users = new Map(s.users.map((u) => [u.id, u]));
  world.sessions = new Map(s.sessions.map((x) => [x.token, x]));
  world.inventory = new Map(Object.entries(s.inventory).map(([ns, list]) => [ns, new Map(list.map((n) => [n.e164, n]))]));
  armAll(world);
  world.retention?.rebuild([...world.stores.values()].flatMap((st) => [...st.calls.values()]));
  rearmPendingWork(world);
}

/** SMS still on their way and documents still processing pick up where they were. */
function rearmPendingWork(world: World): void {
  const t = world.timings;
  for (const store of world.stores.values()) {
    // `queued` is what older snapshots held for a message not yet sent: it is sent now, and delivered.
    for (const m of store.smsMessages.values()) {
      if (m.status === 'queued') m.status = 'sent';
      if (m.status === 'sent') scheduleDelivery(world, m);
    }
    for (const d of store.knowledge.values()) {
      if (d.status === 'processing')
        world.scheduler.at(
          d.createdAt + t.knowledgeMs,
          () => {
            d.status = 'ready';
          },
          `knowledge ${d.id}`,
        );
    }
  }
}
