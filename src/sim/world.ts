import { CallStore } from './callstore.js';
import { type Clock, VirtualClock } from './clock.js';
import type { ConversationLibrary } from './conversations.js';
import { EventBus } from './events.js';
import { Random } from './random.js';
import type { CallRecord } from './record.js';
import { Retention } from './retention.js';
import type { ScenarioRule } from './scenarios.js';
import { Scheduler } from './scheduler.js';
import type { Account, Agent, AvailableNumber, Campaign, KnowledgeDoc, PhoneNumber, Session, SmsConversation, SmsMessage, User } from './types.js';

/** Everything one account owns: handlers start by picking the caller's store. */
export interface AccountStore {
  agents: Map<string, Agent>;
  numbers: Map<string, PhoneNumber>;
  calls: CallStore;
  campaigns: Map<string, Campaign>;
  smsConversations: Map<string, SmsConversation>;
  smsMessages: Map<string, SmsMessage>;
  knowledge: Map<string, KnowledgeDoc>;
}

export interface Prices {
  perMinuteCents: number;
  smsCents: number;
  monthlyNumberCents: number;
}

export interface Timings {
  queueMs: [number, number];
  ringMs: [number, number];
  noAnswerMs: number;
  busyMs: [number, number];
  voicemailRingMs: [number, number];
  transcriptDelayMs: number;
  recordingDelayMs: number;
  smsDeliveredMs: number;
  knowledgeMs: number;
}

const DEFAULT_TIMINGS: Timings = {
  queueMs: [500, 1500],
  ringMs: [3000, 8000],
  noAnswerMs: 30_000,
  busyMs: [2000, 4000],
  voicemailRingMs: [15_000, 20_000],
  transcriptDelayMs: 1500,
  recordingDelayMs: 2500,
  smsDeliveredMs: 3000,
  knowledgeMs: 5000,
};

export interface WorldOptions {
  clock: Clock;
  seed: number;
  library: ConversationLibrary;
  /** Available numbers per namespace (a vendor's carrier pool). */
  inventory: Record<string, AvailableNumber[]>;
  prices: Record<string, Prices>;
  /** Fills a fresh world with accounts and records; run on start and on every reset. */
  seeders: Array<(world: World) => void>;
  timings?: Partial<Timings>;
  rules?: ScenarioRule[];
  /** Campaign dialling concurrency when a campaign does not say. */
  campaignConcurrency?: number;
  /**
   * Keep at most this many finished calls (ended, transcript and recording ready) per account: the
   * ones that finished first leave the store. Unset: keep every call.
   */
  retainCalls?: number;
}

/**
 * Told when records other processes must be able to find are made: accounts with their keys, login
 * tokens, calls (a cluster records their owner; a single process sets none).
 */
export interface WorldObserver {
  accountCreated?(account: Account): void;
  sessionCreated?(token: string, accountId: string): void;
  callCreated?(callId: string, accountId: string): void;
}

/** Which of an account's maps holds the records of each id kind (calls are indexed apart). */
const ID_FIELDS: Record<string, Exclude<keyof AccountStore, 'calls'>> = {
  agent: 'agents',
  number: 'numbers',
  campaign: 'campaigns',
  sms: 'smsMessages',
  conversation: 'smsConversations',
};

/** Numbers and ids repeat across calls; past this many distinct ones the table starts afresh. */
const INTERN_LIMIT = 10_000;

export class World {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly bus = new EventBus();
  readonly library: ConversationLibrary;
  readonly timings: Timings;
  rng: Random;
  rules: ScenarioRule[];
  accounts = new Map<string, Account>();
  stores = new Map<string, AccountStore>();
  users = new Map<string, User>();
  sessions = new Map<string, Session>();
  /** Available numbers left per namespace, keyed by E.164. */
  inventory = new Map<string, Map<string, AvailableNumber>>();
  counters: Record<string, number> = {};
  /** Where each call lives, so media and admin lookups need no account. */
  callIndex = new Map<string, string>();
  /** Which finished calls leave the store first, when calls are retained by count. */
  readonly retention: Retention | undefined;
  private interned = new Map<string, string>();
  /**
   * What makes this process's new ids its own when several share one world (a cluster): generated
   * hex ids, keys and tokens start with `idTag`, integer ids start `idOffset` higher. Empty and 0
   * alone: ids exactly as they always were.
   */
  idTag = '';
  idOffset = 0;
  observer: WorldObserver = {};

  constructor(readonly options: WorldOptions) {
    this.clock = options.clock;
    this.scheduler = new Scheduler(options.clock);
    this.library = options.library;
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.rng = new Random(options.seed);
    this.rules = options.rules ?? [];
    this.retention = options.retainCalls !== undefined ? new Retention(this, options.retainCalls) : undefined;
    this.seed();
  }

  get seedValue(): number {
    return this.options.seed;
  }

  /** Back to the fixtures: same seed, same ids as a fresh start. */
  reset(): void {
    this.scheduler.clear();
    this.accounts.clear();
    this.stores.clear();
    this.users.clear();
    this.sessions.clear();
    this.callIndex.clear();
    this.retention?.clear();
    this.interned.clear();
    this.counters = {};
    this.rng = new Random(this.options.seed);
    this.seed();
  }

  private seed(): void {
    this.inventory.clear();
    for (const [ns, list] of Object.entries(this.options.inventory)) {
      this.inventory.set(ns, new Map(list.map((n) => [n.e164, n])));
    }
    for (const seeder of this.options.seeders) seeder(this);
  }

  now(): number {
    return this.clock.now();
  }

  isVirtual(): boolean {
    return this.clock instanceof VirtualClock;
  }

  prices(namespace: string): Prices {
    return this.options.prices[namespace] ?? this.options.prices.default ?? { perMinuteCents: 10, smsCents: 1, monthlyNumberCents: 200 };
  }

  store(accountId: string): AccountStore {
    let s = this.stores.get(accountId);
    if (!s) {
      s = {
        agents: new Map(),
        numbers: new Map(),
        calls: new CallStore(),
        campaigns: new Map(),
        smsConversations: new Map(),
        smsMessages: new Map(),
        knowledge: new Map(),
      };
      this.stores.set(accountId, s);
    }
    return s;
  }

  account(accountId: string): Account {
    const a = this.accounts.get(accountId);
    if (!a) throw new Error(`no account ${accountId}`);
    return a;
  }

  /** The next id of `kind` in an account's id scheme; int ids are unique per namespace. */
  nextId(accountId: string, kind: string): string {
    const account = this.account(accountId);
    const scheme = account.idScheme[kind] ?? { style: 'hex', prefix: `${kind.slice(0, 3)}_`, length: 8 };
    if (scheme.style === 'int') {
      const key = `${account.namespace}:${kind}`;
      const start = scheme.start + this.idOffset;
      const next = Math.max(this.counters[key] ?? start, start);
      this.counters[key] = next + 1;
      return String(next);
    }
    for (;;) {
      const id = scheme.prefix + this.tagged(scheme.length);
      if (!this.idTaken(kind, id)) return id;
    }
  }

  private idTaken(kind: string, id: string): boolean {
    if (kind === 'call') return this.callIndex.has(id);
    const field = ID_FIELDS[kind] ?? 'knowledge';
    for (const s of this.stores.values()) if (s[field].has(id)) return true;
    return false;
  }

  /** `length` random hex digits, the first of them this process's tag (see `idTag`). */
  tagged(length: number): string {
    return this.idTag + this.rng.hex(length - this.idTag.length);
  }

  /** Makes sure later generated int ids do not collide with a fixture's explicit id. */
  reserveId(namespace: string, kind: string, id: string): void {
    const n = Number(id);
    if (!Number.isInteger(n)) return;
    const key = `${namespace}:${kind}`;
    if ((this.counters[key] ?? 0) <= n) this.counters[key] = n + 1;
  }

  /** One shared copy of a string many records hold (a number dialled again and again). */
  intern(s: string): string {
    const known = this.interned.get(s);
    if (known !== undefined) return known;
    if (this.interned.size >= INTERN_LIMIT) this.interned.clear();
    this.interned.set(s, s);
    return s;
  }

  findCall(callId: string): CallRecord | undefined {
    const accountId = this.callIndex.get(callId);
    return accountId ? this.stores.get(accountId)?.calls.get(callId) : undefined;
  }
}
