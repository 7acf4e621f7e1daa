import type { CallerScript } from '../media/script-caller.js';
import type { TranscriptTurn, TurnLatency } from '../media/turns.js';
import type { CallerEnding, CallerReport } from '../media/verdict.js';

/** What the main thread and a load run's worker threads tell each other (structured clone). */

/** Network and turn-taking conditions of one stream, fixed when it is dialled. */
export interface StreamSettings {
  latencyMs: number;
  jitterMs: number;
  lossPercent: number;
  playoutMs: number;
  silenceMs: number;
  nudgeMs: number;
}

export interface DialOrder {
  type: 'dial';
  id: string;
  url: string;
  headers: Record<string, string>;
  accountSid: string;
  customParameters: Record<string, string>;
  /** The caller script, sent to each worker once (`script` message) and named here. */
  scriptKey: string;
  settings: StreamSettings;
  seed: number;
  record: boolean;
  maxCallMs: number;
}

export type ToWorker =
  | { type: 'script'; key: string; script: CallerScript }
  | DialOrder
  | { type: 'hangup'; id: string; reason: string }
  | { type: 'stats'; reqId: number }
  | { type: 'shutdown' };

export interface StreamResult {
  id: string;
  /** Why the call failed (dial error, abnormal close, cut at maxCallSec); null when it ran to its end. */
  failure: string | null;
  ending: CallerEnding;
  /** From the dial order to the stream's start (ms): where the stream begins in the call. */
  connectMs: number;
  transcript: TranscriptTurn[];
  latencies: TurnLatency[];
  /** Null when the worker running it was lost. */
  report: CallerReport | null;
  agentTurns: number;
  calleeLines: string[];
  linesLeft: number;
  digitsHeard: string;
  stats: {
    streamSid: string;
    framesSent: number;
    framesDropped: number;
    framesLost: number;
    messagesIn: number;
    badMessages: number;
    lastBadMessage: string | null;
    marksEchoed: number;
    clears: number;
    agentFramesPlayed: number;
    agentFramesDropped: number;
    agentFramesLost: number;
    underruns: number;
    underrunMs: number;
  };
  close: { code: number; reason: string } | null;
  /** μ-law of both tracks as the callee heard them, when the run records. */
  audio: { agent: Uint8Array; callee: Uint8Array } | null;
}

export interface WorkerStats {
  streams: number;
  framesSent: number;
  framesDropped: number;
  /** Per stream, |time between two frames written − 20 ms|, in 0.1 ms bins (the last bin: 100 ms and more). */
  jitter: Uint32Array;
  jitterMaxMs: number;
  /** Per echoed mark, how late callsim's timers applied it and sent the echo (beyond the latency), same bins. */
  markLate: Uint32Array;
  pacerLateP99Ms: number;
}

export type FromWorker = { type: 'ended'; result: StreamResult } | { type: 'stats'; reqId: number; stats: WorkerStats } | { type: 'tick'; stats: WorkerStats };

export const JITTER_BINS = 1001;
export const JITTER_BIN_MS = 0.1;

/** Adds `b` into `a`, bin by bin. */
export function mergeJitter(a: Uint32Array, b: Uint32Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}

/** The `p` quantile of a jitter histogram (ms), or null when it is empty. */
export function jitterQuantile(h: Uint32Array, p: number): number | null {
  let total = 0;
  for (const n of h) total += n;
  if (!total) return null;
  const want = Math.min(total, Math.floor(p * total) + 1);
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i];
    if (seen >= want) return Math.round(i * JITTER_BIN_MS * 10) / 10;
  }
  return null;
}

/** The result of a call that never got a stream (a URL that cannot be dialled, a worker lost). */
export function failedResult(id: string, why: string): StreamResult {
  return {
    id,
    failure: why,
    ending: 'other',
    connectMs: 0,
    transcript: [],
    latencies: [],
    report: null,
    agentTurns: 0,
    calleeLines: [],
    linesLeft: 0,
    digitsHeard: '',
    stats: {
      streamSid: '',
      framesSent: 0,
      framesDropped: 0,
      framesLost: 0,
      messagesIn: 0,
      badMessages: 0,
      lastBadMessage: null,
      marksEchoed: 0,
      clears: 0,
      agentFramesPlayed: 0,
      agentFramesDropped: 0,
      agentFramesLost: 0,
      underruns: 0,
      underrunMs: 0,
    },
    close: null,
    audio: null,
  };
}
