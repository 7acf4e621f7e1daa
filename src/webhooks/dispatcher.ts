import { DELIVERY_HEADER } from '../engine/gate.js';
import type { SimEvent } from '../sim/events.js';
import { Random } from '../sim/random.js';
import type { World } from '../sim/world.js';
import type { VendorSurface } from '../vendors/surface.js';
import type { WebhookMessage } from '../vendors/types.js';
import { PostError, postJson } from './post.js';
import { Semaphore } from './semaphore.js';
import { CALLSIM_SIGNATURE_HEADER, callsimSignature } from './signing.js';
import type { Subscription, SubscriptionStore } from './subscriptions.js';

/** 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: then the delivery is marked failed, never dropped. */
const DEFAULT_RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

interface Attempt {
  attempt: number;
  /** Sim time the attempt started. */
  at: number;
  status: number | null;
  error: string | null;
  latencyMs: number;
}

export interface Delivery {
  id: string;
  subscriptionId: string;
  vendor: string;
  accountId: string;
  event: string;
  url: string;
  body: string;
  orderKey: string;
  state: 'pending' | 'delivering' | 'retrying' | 'succeeded' | 'failed';
  attempts: Attempt[];
  nextAttemptAt: number | null;
  createdAt: number;
  redeliveryOf: string | null;
}

export interface DispatcherOptions {
  timeoutMs: number;
  retryDelaysMs: number[];
  /** Attempts in flight per receiver origin, so one slow receiver never holds the others up. */
  perOrigin: number;
  /** Deliveries kept in the log (oldest finished ones go first). */
  logSize: number;
  /** Why an address may not be posted to (callsim itself); such a delivery fails at once. */
  refuse?: (address: string, port: number) => string | undefined;
  /** Shown every message before it is sent (with `--strict`, its payload is checked against the spec). */
  inspect?: (vendor: VendorSurface, accountId: string, message: WebhookMessage) => void;
}

/**
 * Turns sim events into vendor webhook deliveries: real HTTP POSTs, signed, retried with growing
 * jittered delays on the sim clock. One call's events are sent in order: a delivery waits until
 * the one before it (same subscription, same call) has succeeded or finally failed.
 */
export class WebhookDispatcher {
  readonly deliveries = new Map<string, Delivery>();
  private queues = new Map<string, Delivery[]>();
  private origins = new Map<string, Semaphore>();
  private seq = 0;
  private jitter: Random;
  private unsubscribe: () => void = () => {};
  /** Told whenever a delivery is queued or an attempt starts or ends. */
  readonly changeListeners: Array<(d: Delivery) => void> = [];
  opts: DispatcherOptions;

  constructor(
    private world: () => World,
    private subs: SubscriptionStore,
    private vendors: VendorSurface[],
    seed: number,
    opts: Partial<DispatcherOptions> = {},
  ) {
    this.jitter = new Random(seed ^ 0x5eed);
    this.opts = { timeoutMs: 5000, retryDelaysMs: DEFAULT_RETRY_DELAYS_MS, perOrigin: 8, logSize: 20_000, ...opts };
  }

  attach(): void {
    this.unsubscribe();
    this.unsubscribe = this.world().bus.on((e) => this.onEvent(e));
  }

  clear(): void {
    this.deliveries.clear();
    this.queues.clear();
    this.seq = 0;
  }

  private onEvent(e: SimEvent): void {
    const world = this.world();
    const account = world.accounts.get(e.accountId);
    // Payloads are derived on demand: building them for nobody was most of the clock's cost.
    if (!account || !this.subs.any(account.namespace, account.id)) return;
    const vendor = this.vendors.find((v) => v.name === account.namespace);
    if (!vendor) return;
    const messages = vendor.adapter.webhooks(e, world, vendor.services);
    for (const m of messages) {
      this.opts.inspect?.(vendor, account.id, m);
      for (const sub of this.subs.matching(vendor.name, account.id, m.event)) {
        this.enqueue(sub, m.event, JSON.stringify(m.payload), m.orderKey, null);
      }
    }
  }

  private enqueue(sub: Subscription, event: string, body: string, orderKey: string, redeliveryOf: string | null): Delivery {
    const world = this.world();
    const d: Delivery = {
      id: `whd_${String(++this.seq).padStart(6, '0')}`,
      subscriptionId: sub.id,
      vendor: sub.vendor,
      accountId: sub.accountId === '*' ? '' : sub.accountId,
      event,
      url: sub.url,
      body,
      orderKey,
      state: 'pending',
      attempts: [],
      nextAttemptAt: world.now(),
      createdAt: world.now(),
      redeliveryOf,
    };
    this.deliveries.set(d.id, d);
    this.trimLog();
    this.changed(d);
    const key = `${sub.id}|${redeliveryOf ? d.id : orderKey}`;
    const q = this.queues.get(key) ?? [];
    q.push(d);
    this.queues.set(key, q);
    if (q.length === 1) this.start(key, d);
    return d;
  }

  /** First attempts go out at once; advance() waits for them through the scheduler. */
  private start(key: string, d: Delivery): void {
    void this.world().scheduler.track(this.attempt(key, d));
  }

  private async attempt(key: string, d: Delivery): Promise<void> {
    const world = this.world();
    const sub = this.subs.get(d.subscriptionId);
    const vendor = this.vendors.find((v) => v.name === d.vendor);
    const startedAt = world.now();
    d.state = 'delivering';
    d.nextAttemptAt = null;
    this.changed(d);
    const n = d.attempts.length + 1;
    const origin = safeOrigin(d.url);
    const sem = this.origins.get(origin) ?? new Semaphore(this.opts.perOrigin);
    this.origins.set(origin, sem);
    const release = await sem.acquire();
    const t0 = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const ts = Math.floor(Date.now() / 1000);
      const secret = sub?.secret ?? '';
      const signature = vendor?.adapter.signatureHeaders?.(d.body, secret, ts) ?? { [CALLSIM_SIGNATURE_HEADER]: callsimSignature(d.body, secret, ts) };
      status = await postJson(
        d.url,
        {
          'content-type': 'application/json',
          'user-agent': 'callsim-webhooks/0.1',
          'x-callsim-event': d.event,
          [DELIVERY_HEADER]: d.id,
          'x-callsim-attempt': String(n),
          ...signature,
        },
        d.body,
        this.opts.timeoutMs,
        this.opts.refuse,
      );
      if (status < 200 || status >= 300) error = status >= 300 && status < 400 ? `redirect ${status} not followed` : `HTTP ${status}`;
    } catch (err) {
      error = err instanceof PostError ? err.reason : String((err as Error)?.message ?? err);
    } finally {
      release();
    }
    d.attempts.push({ attempt: n, at: startedAt, status, error, latencyMs: Math.round(performance.now() - t0) });
    if (!error) return this.finish(key, d, 'succeeded');
    const delay = error.startsWith('refused:') ? undefined : this.opts.retryDelaysMs[n - 1];
    if (delay === undefined) return this.finish(key, d, 'failed');
    d.state = 'retrying';
    d.nextAttemptAt = startedAt + Math.round(delay * (0.8 + 0.4 * this.jitter.next()));
    this.changed(d);
    world.scheduler.at(d.nextAttemptAt, () => this.attempt(key, d), `webhook ${d.id}`);
  }

  private changed(d: Delivery): void {
    for (const l of this.changeListeners) l(d);
  }

  private finish(key: string, d: Delivery, state: 'succeeded' | 'failed'): void {
    d.state = state;
    d.nextAttemptAt = null;
    this.changed(d);
    const q = this.queues.get(key);
    if (!q) return;
    q.shift();
    if (q.length) this.start(key, q[0]);
    else this.queues.delete(key);
  }

  /** Deliveries still to be sent (queued, in flight or waiting to retry), oldest first: a snapshot keeps them. */
  pending(): Delivery[] {
    return [...this.deliveries.values()].filter((d) => d.state !== 'succeeded' && d.state !== 'failed');
  }

  /** Where the delivery id sequence stands, for snapshots. */
  get sequence(): number {
    return this.seq;
  }

  /**
   * Picks up a snapshot's queue where it stood: each call's deliveries keep their order, a retry
   * waits for its time, an attempt that was in flight when the state was saved goes out again.
   */
  restore(pending: Delivery[], sequence: number): void {
    this.clear();
    this.seq = sequence;
    const world = this.world();
    for (const saved of pending) {
      const d: Delivery = { ...saved, attempts: saved.attempts.map((a) => ({ ...a })) };
      if (!this.subs.get(d.subscriptionId)) continue;
      this.deliveries.set(d.id, d);
      const key = `${d.subscriptionId}|${d.redeliveryOf ? d.id : d.orderKey}`;
      const q = this.queues.get(key) ?? [];
      q.push(d);
      this.queues.set(key, q);
      if (q.length > 1) continue;
      if (d.state === 'retrying' && d.nextAttemptAt !== null && d.nextAttemptAt > world.now()) {
        world.scheduler.at(d.nextAttemptAt, () => this.attempt(key, d), `webhook ${d.id}`);
      } else {
        d.state = 'pending';
        this.start(key, d);
      }
    }
  }

  redeliver(id: string): Delivery | undefined {
    const d = this.deliveries.get(id);
    const sub = d && this.subs.get(d.subscriptionId);
    if (!d || !sub) return undefined;
    return this.enqueue(sub, d.event, d.body, d.orderKey, d.id);
  }

  private trimLog(): void {
    if (this.deliveries.size <= this.opts.logSize) return;
    for (const [id, d] of this.deliveries) {
      if (this.deliveries.size <= this.opts.logSize) break;
      if (d.state === 'succeeded' || d.state === 'failed') this.deliveries.delete(id);
    }
  }
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
