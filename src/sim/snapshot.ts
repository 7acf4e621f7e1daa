import { armAll } from './calls.js';
import { VirtualClock } from './clock.js';
import { CallRecord, STATUSES } from './record.js';
import type { ScenarioRule } from './scenarios.js';
import type { Account, AvailableNumber, Call, Session, User } from './types.js';
import type { AccountStore, World } from './world.js';

export const SNAPSHOT_FORMAT = 'callsim-state';
export const SNAPSHOT_VERSION = 1;

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

/** Problems that make a snapshot unusable, before anything is touched. */
export function checkWorldSnapshot(s: any, namespaces: string[]): string | undefined {
  if (!s || typeof s !== 'object') return 'world must be an object';
  if (!Number.isFinite(s.now)) return 'world.now must be a number (epoch ms)';
  if (!Array.isArray(s.rng) || s.rng.length !== 4 || !s.rng.every(Number.isInteger)) return 'world.rng must be four integers';
  for (const k of ['accounts', 'users', 'sessions', 'rules'] as const) if (!Array.isArray(s[k])) return `world.${k} must be an array`;
  if (!s.stores || typeof s.stores !== 'object') return 'world.stores must be an object keyed by account id';
  if (!s.inventory || typeof s.inventory !== 'object') return 'world.inventory must be an object keyed by vendor';
  const ids = new Set<string>();
  for (const [i, a] of s.accounts.entries()) {
    if (!a || typeof a.id !== 'string' || typeof a.namespace !== 'string') return `world.accounts[${i}] needs id and namespace`;
    if (!namespaces.includes(a.namespace)) return `world.accounts[${i}].namespace ${a.namespace} is not a vendor this server runs`;
    if (!Array.isArray(a.keys) || !a.billing || !a.idScheme) return `world.accounts[${i}] needs keys, billing and idScheme`;
    ids.add(a.id);
  }
  for (const [id, st] of Object.entries<any>(s.stores)) {
    if (!ids.has(id)) return `world.stores.${id} belongs to no account`;
    for (const k of STORE_KEYS) if (!Array.isArray(st?.[k])) return `world.stores.${id}.${k} must be an array`;
    for (const [i, c] of st.calls.entries()) {
      if (!c || typeof c.id !== 'string' || !c.plan || !Array.isArray(c.timeline)) return `world.stores.${id}.calls[${i}] is not a call`;
      // The store packs these into small codes: a value it does not know cannot be kept.
      if (!STATUSES.includes(c.status) || !STATUSES.includes(c.plan.final)) return `world.stores.${id}.calls[${i}] has an unknown status`;
      if (!Number.isFinite(c.createdAt) || !Number.isFinite(c.plan.endAt)) return `world.stores.${id}.calls[${i}] needs createdAt and plan.endAt (epoch ms)`;
    }
  }
  for (const [i, x] of s.sessions.entries())
    if (!x || typeof x.token !== 'string' || !ids.has(x.accountId)) return `world.sessions[${i}] must name a token and a known account`;
  for (const [i, u] of s.users.entries())
    if (!u || typeof u.id !== 'string' || !Array.isArray(u.accountIds)) return `world.users[${i}] needs id and accountIds`;
  for (const [ns, list] of Object.entries<any>(s.inventory)) {
    if (!Array.isArray(list) || list.some((n) => !n || typeof n.e164 !== 'string')) return `world.inventory.${ns} must be an array of numbers`;
  }
  if (!s.counters || typeof s.counters !== 'object' || Object.values(s.counters).some((v) => !Number.isInteger(v)))
    return 'world.counters must map names to integers';
  for (const [id, st] of Object.entries<any>(s.stores)) {
    for (const k of STORE_KEYS)
      if (st[k].some((x: any) => !x || typeof x !== 'object' || typeof x.id !== 'string')) return `world.stores.${id}.${k} must hold records with string ids`;
  }
  return undefined;
}

export function restoreWorld(world: World, s: WorldSnapshot): void {
  world.scheduler.clear();
  if (world.clock instanceof VirtualClock) world.clock.restore(s.now);
  world.rng.restore(s.rng);
  world.counters = { ...s.counters };
  world.rules = s.rules;
  world.accounts = new Map(s.accounts.map((a) => [a.id, a]));
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
    for (const m of store.smsMessages.values()) {
      if (m.status === 'queued')
        world.scheduler.at(
          m.createdAt + t.smsSentMs,
          () => {
            m.status = 'sent';
          },
          `sms ${m.id}`,
        );
      if (m.status === 'queued' || m.status === 'sent')
        world.scheduler.at(
          m.createdAt + t.smsDeliveredMs,
          () => {
            m.status = 'delivered';
          },
          `sms ${m.id}`,
        );
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
