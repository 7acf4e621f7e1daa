/**
 * Sim time. The simulator never reads the wall clock itself: the real clock is built around a
 * time source handed in by the server, so tests and `--clock virtual` control every instant.
 */
export interface Clock {
  readonly mode: 'real' | 'virtual';
  /** Current sim time, epoch milliseconds. */
  now(): number;
}

export type TimeSource = () => number;

/** Runs `speed`× faster than the source, starting at the source's current time. */
export class RealClock implements Clock {
  readonly mode = 'real' as const;
  private readonly base: number;
  private readonly simBase: number;
  constructor(
    private readonly source: TimeSource,
    readonly speed = 1,
    start?: number,
  ) {
    this.base = source();
    this.simBase = start ?? this.base;
  }
  now(): number {
    return Math.floor(this.simBase + (this.source() - this.base) * this.speed);
  }
  /** Real milliseconds until sim time `at`. */
  realDelayUntil(at: number): number {
    return Math.max(0, (at - this.now()) / this.speed);
  }
}

/** Moves only when told to. */
export class VirtualClock implements Clock {
  readonly mode = 'virtual' as const;
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number): void {
    if (t > this.t) this.t = t;
  }
  /** Only for restoring a snapshot: time may go back to the saved instant. */
  restore(t: number): void {
    this.t = t;
  }
}

// Formatting dates is a visible share of a list request; records keep their times, so the same
// instants are printed again and again. A small bounded cache pays for itself.
const memo = (format: (ms: number) => string) => {
  const cache = new Map<number, string>();
  return (ms: number): string => {
    let s = cache.get(ms);
    if (s === undefined) {
      if (cache.size >= 50_000) cache.clear();
      s = format(ms);
      cache.set(ms, s);
    }
    return s;
  };
};

export const isoTime = memo((ms) => new Date(ms).toISOString());
/** ISO time without milliseconds, as several vendors print it. */
export const isoSeconds = memo((ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
