import { FRAME_MS } from './codec.js';

/** Something the pacing loop drives: every call's audio engine and every socket. */
export interface Paced {
  /** One 20 ms frame is due; `frameAt` is its deadline on the shared grid (performance.now ms). */
  tick(frameAt: number): void;
  /** Sends or applies whatever is due by `now` (latency-delayed packets between frames). */
  flush(now: number): void;
  /** Next moment `flush` has something to do; Infinity when nothing is waiting. */
  nextDue(): number;
}

/** Deadlines this close are served now: a timer cannot be armed for less than a millisecond. */
const EARLY_MS = 1;
/** After a stall longer than this the grid skips ahead instead of bursting a backlog of frames. */
const MAX_CATCH_UP = 25;
/** While a frame is made for every member, members with a message due are served every this many. */
const URGENT_EVERY = 32;

export interface PacerStats {
  members: number;
  ticks: number;
  /** Frames served more than 2 ms after their deadline, and the worst lateness seen. */
  lateTicks: number;
  maxLateMs: number;
  /** Frames skipped after a stall (the event loop was blocked for more than half a second). */
  skippedTicks: number;
}

/**
 * One loop for every stream. Frames fall on an absolute 20 ms grid (origin + k·20 ms), so timer
 * lateness never accumulates into drift, and one timer wakes for the earliest thing due — the next
 * frame or a latency-delayed packet — instead of a timer per stream.
 */
export class Pacer {
  private readonly members = new Set<Paced>();
  private origin = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private armedFor = Infinity;
  readonly stats: PacerStats = { members: 0, ticks: 0, lateTicks: 0, maxLateMs: 0, skippedTicks: 0 };
  /** How late each of the last 150 frames (3 s) was served, for percentiles. */
  private readonly recent = new Float64Array(150);
  /** Members that said a message of theirs falls due soon (a mark, a packet behind latency). */
  private readonly urgent = new Set<Paced>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  add(m: Paced): void {
    this.members.add(m);
    this.stats.members = this.members.size;
    if (!this.running) {
      this.running = true;
      this.origin = this.now();
      this.frame = 1;
    }
    this.wake();
  }

  delete(m: Paced): void {
    this.members.delete(m);
    this.urgent.delete(m);
    this.stats.members = this.members.size;
    if (!this.members.size) this.stop();
  }

  /** Re-arms the timer: a member has something due sooner than the loop expects. */
  wake(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.arm();
  }

  /** The counters, with the lateness percentiles of the last 3 s of frames (ms, rounded to 0.1). */
  summary(): PacerStats & { lateP50Ms: number; lateP99Ms: number } {
    const n = Math.min(this.stats.ticks, this.recent.length);
    const sorted = Array.from(this.recent.subarray(0, n)).sort((a, b) => a - b);
    const at = (p: number) => (n ? Math.round(sorted[Math.min(n - 1, Math.floor(p * n))] * 10) / 10 : 0);
    return { ...this.stats, maxLateMs: Math.round(this.stats.maxLateMs * 10) / 10, lateP50Ms: at(0.5), lateP99Ms: at(0.99) };
  }

  /**
   * A member now has something due at `at`; re-arms only if the loop would wake too late. Naming
   * the member also gets it served in the middle of making a frame for every member, which at a
   * thousand streams takes milliseconds: a mark's echo does not wait for the last stream's frame.
   */
  wakeBy(at: number, m?: Paced): void {
    if (m) this.urgent.add(m);
    if (this.timer && at < this.armedFor) this.wake();
  }

  /** Serves the members with a message due by now; forgets those with nothing left waiting. */
  private serveUrgent(): void {
    const t = this.now();
    for (const m of this.urgent) {
      const due = m.nextDue();
      if (due === Infinity) this.urgent.delete(m);
      else if (due <= t + EARLY_MS) m.flush(t);
    }
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    let due = this.origin + this.frame * FRAME_MS;
    for (const m of this.members) {
      const at = m.nextDue();
      if (at < due) due = at;
    }
    this.armedFor = due;
    const wait = Math.max(0, Math.floor(due - this.now() - EARLY_MS / 2));
    this.timer = setTimeout(this.loop, wait);
    this.timer.unref();
  }

  private readonly loop = (): void => {
    this.timer = undefined;
    if (!this.running) return;
    const now = this.now();
    let deadline = this.origin + this.frame * FRAME_MS;
    if (now - deadline > MAX_CATCH_UP * FRAME_MS) {
      const skip = Math.floor((now - deadline) / FRAME_MS);
      this.frame += skip;
      this.stats.skippedTicks += skip;
      deadline = this.origin + this.frame * FRAME_MS;
    }
    // Packets that have arrived join their streams before any frame is made, so audio that came
    // in just before a deadline plays in that frame rather than the next.
    for (const m of this.members) if (m.nextDue() <= now + EARLY_MS) m.flush(now);
    while (deadline <= now + EARLY_MS) {
      const late = now - deadline;
      if (late > 2) this.stats.lateTicks++;
      if (late > this.stats.maxLateMs) this.stats.maxLateMs = late;
      this.recent[this.stats.ticks % this.recent.length] = Math.max(0, late);
      this.stats.ticks++;
      let i = 0;
      for (const m of this.members) {
        m.tick(deadline);
        if (++i % URGENT_EVERY === 0 && this.urgent.size) this.serveUrgent();
      }
      this.frame++;
      deadline = this.origin + this.frame * FRAME_MS;
    }
    const t = this.now();
    for (const m of this.members) if (m.nextDue() <= t + EARLY_MS) m.flush(t);
    if (this.running) this.arm();
  };
}
