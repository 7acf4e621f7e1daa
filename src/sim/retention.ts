import type { CallRecord } from './record.js';
import type { World } from './world.js';

/**
 * Bounds a long run: calls that have nothing left to happen (ended, transcript and recording
 * ready) queue up in the order they finished, and past `limit` the first of them leave the store.
 * Their ids then answer the vendor's 404, as a deleted record would; live calls never leave.
 */
export class Retention {
  private queue: Array<CallRecord | undefined> = [];
  private head = 0;
  /** While a snapshot is restored nothing leaves: `rebuild` decides once everything is back. */
  private paused = false;

  constructor(
    private readonly world: World,
    readonly limit: number,
  ) {}

  /** Finished calls held (and counted against the limit). */
  get size(): number {
    return this.queue.length - this.head;
  }

  settled(call: CallRecord): void {
    if (this.paused) return;
    this.queue.push(call);
    this.trim();
  }

  clear(): void {
    this.queue = [];
    this.head = 0;
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
    this.queue = done;
    this.head = 0;
    this.paused = false;
    this.trim();
  }

  /** An account's calls left with the account: they no longer count against the limit. */
  forget(accountId: string): void {
    this.queue = this.queue.slice(this.head).filter((c) => c && c.accountId !== accountId);
    this.head = 0;
  }

  private trim(): void {
    while (this.queue.length - this.head > this.limit) {
      const call = this.queue[this.head];
      this.queue[this.head++] = undefined;
      if (call) evictCall(this.world, call);
    }
    // Drop the consumed front now and then, so the queue's array does not only grow.
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

/** Takes a call out of the store and the id index, as if it had never been kept. */
export function evictCall(world: World, call: CallRecord): void {
  const store = world.stores.get(call.accountId);
  if (!store?.calls.delete(call)) return;
  if (world.callIndex.get(call.id) === call.accountId) world.callIndex.delete(call.id);
}
