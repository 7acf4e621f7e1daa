/**
 * A first-in first-out line of items that become due at a time. Times never go backwards (an item
 * is never due before the one ahead of it), so jitter delays packets but never reorders them, as
 * on the TCP connection a media stream rides on.
 */
export class DelayLine<T> {
  private times: number[] = [];
  private items: T[] = [];
  private head = 0;
  private last = -Infinity;

  get length(): number {
    return this.items.length - this.head;
  }

  push(at: number, item: T): number {
    const t = Math.max(at, this.last);
    this.last = t;
    this.times.push(t);
    this.items.push(item);
    return t;
  }

  /** When the first item is due; Infinity when empty. */
  nextAt(): number {
    return this.head < this.items.length ? this.times[this.head] : Infinity;
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T;
    if (this.head === this.items.length) this.clear(false);
    else if (this.head > 256 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes the oldest item matching `pred` (bounded buffering drops old frames, not control). */
  dropOldest(pred: (item: T) => boolean): boolean {
    for (let i = this.head; i < this.items.length; i++) {
      if (!pred(this.items[i])) continue;
      this.items.splice(i, 1);
      this.times.splice(i, 1);
      return true;
    }
    return false;
  }

  clear(resetTime = true): void {
    this.items.length = 0;
    this.times.length = 0;
    this.head = 0;
    if (resetTime) this.last = -Infinity;
  }
}
