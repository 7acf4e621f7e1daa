import type { CallRecord } from './record.js';
import type { World } from './world.js';

/** One account's finished calls, first finished first. */
interface Queue {
  items: Array<CallRecord | undefined>;
  head: number;
}

/**
 * Bounds a long run: calls that have nothing left to happen (ended, transcript and recording
 * ready) queue up per account in the order they finished, and past `limit` the first of them leave
 * the store. Their ids then answer the vendor's 404, as a deleted record would; live calls never
 * leave. Per account, so one account's load rehearsal never takes another account's calls away.
 */
export class Retention {
  private queues = new Map<string, Queue>();
  /** While a snapshot is restored nothing leaves: `rebuild` decides once everything is back. */
  private paused = false;

  constructor(
    private readonly world: World,
    readonly limit: number,
  ) {
    if (!Number.isInteger(limit) || limit < 0) throw new Error(`retainCalls must be a whole number of calls (0 or more), got ${JSON.stringify(limit)}`);
  }

  /** Finished calls held, in all accounts. */
  get size(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.items.length - q.head;
    return n;
  }

  settled(call: CallRecord): void {
    if (this.paused) return;
    let q = this.queues.get(call.accountId);
    if (!q) this.queues.set(call.accountId, (q = { items: [], head: 0 }));
    q.items.push(call);
    this.trim(q);
  }

  clear(): void {
    this.queues.clear();
  }

  pause(): void {
    this.clear();
    this.paused = true;
  }

  /** After a restore: every finished call, in the order they ended, then trimmed to the limit. */
  rebuild(calls: Iterable<CallRecord>): void {
    const done = [...calls].filter((c) => c.isFinal && c.task === null);
    const ended = (c: CallRecord) => c.endedAt ?? c.createdAt;
    done.sort((a, b) => ended(a) - ended(b) || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.clear();
    this.paused = false;
    for (const c of done) this.settled(c);
  }

  /** An account's calls left with the account. */
  forget(accountId: string): void {
    this.queues.delete(accountId);
  }

  private trim(q: Queue): void {
    while (q.items.length - q.head > this.limit) {
      const call = q.items[q.head];
      q.items[q.head++] = undefined;
      if (call) evictCall(this.world, call);
    }
    // Drop the consumed front now and then, so the queue's array does not only grow.
    if (q.head > 4096 && q.head * 2 > q.items.length) {
      q.items = q.items.slice(q.head);
      q.head = 0;
    }
  }
}

/** Takes a call out of the store and the id index, as if it had never been kept. */
function evictCall(world: World, call: CallRecord): void {
  const store = world.stores.get(call.accountId);
  if (!store?.calls.delete(call)) return;
  if (world.callIndex.get(call.id) === call.accountId) world.callIndex.delete(call.id);
}
