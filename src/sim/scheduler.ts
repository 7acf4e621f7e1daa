import { type Clock, RealClock, VirtualClock } from './clock.js';

export type Action = () => void | Promise<unknown>;

export interface Task {
  /** When it runs; ties run in `seq` order, the order they were scheduled in. */
  at: number;
  seq: number;
  readonly label: string;
  cancelled: boolean;
  run(): void | Promise<unknown>;
  /** How many steps it stands for in `size()`: a call's one task stands for all its remaining steps. */
  weight?(): number;
}

/**
 * The one queue of due actions that drives every transition. Real mode keeps one timer armed for
 * the earliest deadline; virtual mode moves only through `advance`, which runs every action falling
 * due in time order and waits for the async ones (webhook attempts) before it answers.
 */
export class Scheduler {
  private heap: Task[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private inflight = new Set<Promise<unknown>>();
  private stopped = false;
  onError: (err: unknown, task: Task) => void = () => {};
  /** Told after every virtual-clock advance (the dashboard pushes the new time). */
  readonly advanceListeners: Array<(now: number) => void> = [];

  constructor(readonly clock: Clock) {}

  at(time: number, run: Action, label = 'task'): Task {
    const task: Task = { at: Math.max(time, this.clock.now()), seq: this.seq++, label, cancelled: false, run };
    this.push(task);
    if (this.clock instanceof RealClock) this.arm();
    return task;
  }

  after(ms: number, run: Action, label?: string): Task {
    return this.at(this.clock.now() + ms, run, label);
  }

  cancel(task: Task | undefined): void {
    if (task) task.cancelled = true;
  }

  /** Hands out `n` consecutive sequence numbers for steps that will be queued later (`requeue`). */
  reserve(n: number): number {
    const first = this.seq;
    this.seq += n;
    return first;
  }

  /**
   * Queues a task again, ordered as if it had been queued when `seq` was handed out: one task per
   * call walks through the call's steps instead of one queued object per step. Only for a task that
   * is not queued (it has just run, or is new); `at` is taken as given.
   */
  requeue(task: Task, at: number, seq: number): void {
    task.at = at;
    task.seq = seq;
    task.cancelled = false;
    this.push(task);
    if (this.clock instanceof RealClock) this.arm();
  }

  /** Steps still queued (not cancelled). */
  size(): number {
    let n = 0;
    for (const t of this.heap) if (!t.cancelled) n += t.weight ? t.weight() : 1;
    return n;
  }

  nextAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /**
   * How long one `advance` may wait, in real time, for async work it started (webhook attempts): a
   * receiver that hangs must not hold the clock up for more than one attempt's window. Work still
   * running then goes on in the background and `advance` says how much (`inFlight`).
   */
  waitBudgetMs = Number.POSITIVE_INFINITY;

  /** Virtual clock only: run everything due up to now + ms, in order, waiting for async work within the budget. */
  async advance(ms: number): Promise<{ ran: number; now: number; inFlight: number }> {
    if (!(this.clock instanceof VirtualClock)) throw new Error('advance needs the virtual clock');
    const clock = this.clock;
    const target = clock.now() + ms;
    let ran = 0;
    let budgetLeft = true;
    let timer: NodeJS.Timeout | undefined;
    const budget =
      this.waitBudgetMs === Number.POSITIVE_INFINITY
        ? new Promise<void>(() => {})
        : new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              budgetLeft = false;
              resolve();
            }, this.waitBudgetMs);
          });
    try {
      for (;;) {
        this.dropCancelled();
        while (this.heap.length && this.heap[0].at <= target) {
          const task = this.pop()!;
          if (task.cancelled) continue;
          clock.set(task.at);
          this.execute(task);
          ran++;
        }
        if (!this.inflight.size || !budgetLeft) break;
        await Promise.race([Promise.allSettled([...this.inflight]), budget]);
      }
    } finally {
      clearTimeout(timer);
    }
    clock.set(target);
    for (const l of this.advanceListeners) l(clock.now());
    return { ran, now: clock.now(), inFlight: this.inflight.size };
  }

  /** Work started outside a task (a first webhook attempt) that `advance` must also wait for. */
  track<T>(p: Promise<T>): Promise<T> {
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.inflight.add(settled);
    void settled.finally(() => this.inflight.delete(settled));
    return p;
  }

  /** Waits for async actions already started (webhook attempts), e.g. before a snapshot. */
  async settle(maxWaitMs = Number.POSITIVE_INFINITY): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let waiting = true;
    const budget =
      maxWaitMs === Number.POSITIVE_INFINITY
        ? undefined
        : new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              waiting = false;
              resolve();
            }, maxWaitMs);
          });
    try {
      while (this.inflight.size && waiting) await Promise.race([Promise.allSettled([...this.inflight]), budget].filter(Boolean));
    } finally {
      clearTimeout(timer);
    }
  }

  clear(): void {
    this.heap = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private execute(task: Task): void {
    try {
      const out = task.run();
      if (out && typeof (out as Promise<unknown>).then === 'function') {
        const p = (out as Promise<unknown>).catch((err) => this.onError(err, task));
        this.inflight.add(p);
        void p.finally(() => this.inflight.delete(p));
      }
    } catch (err) {
      this.onError(err, task);
    }
  }

  private runDue(): void {
    const now = this.clock.now();
    while (this.heap.length && this.heap[0].at <= now) {
      const task = this.pop()!;
      if (!task.cancelled) this.execute(task);
    }
  }

  private arm(): void {
    if (this.stopped) return;
    this.dropCancelled();
    const next = this.heap[0];
    if (!next) return;
    if (this.timer && next.at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    const clock = this.clock as RealClock;
    const delay = Math.min(clock.realDelayUntil(next.at), 2 ** 31 - 1);
    this.timerAt = next.at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.runDue();
      this.arm();
    }, Math.ceil(delay));
    this.timer.unref();
  }

  private dropCancelled(): void {
    while (this.heap.length && this.heap[0].cancelled) this.pop();
  }

  // A binary heap moving a hole rather than swapping: one write per level.
  private push(task: Task): void {
    const h = this.heap;
    let i = h.length;
    h.push(task);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p];
      if (!less(task, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = task;
  }

  private pop(): Task | undefined {
    const h = this.heap;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    const n = h.length;
    if (n) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && less(h[c + 1], h[c])) c++;
        if (!less(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

const less = (a: Task, b: Task): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);
