/**
 * The network between callsim and a media client: one-way latency, jitter and loss, drawn from a
 * per-stream seeded source. No imports: load runs' worker threads use it too.
 */

/** Small seeded generator (mulberry32): jitter and loss never touch the world's seeded ids. */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** One network leg: how much later something arrives, or null when the packet is lost. */
export interface Leg {
  latencyMs: number;
  jitterMs: number;
  lossPercent: number;
}

/** Jitter only ever adds delay (0…jitterMs on top of the latency): a packet is never early. */
export function legDelay(leg: Leg, rand: () => number): number {
  return leg.latencyMs + (leg.jitterMs > 0 ? rand() * leg.jitterMs : 0);
}

export function legLost(leg: Leg, rand: () => number): boolean {
  return leg.lossPercent > 0 && rand() * 100 < leg.lossPercent;
}
