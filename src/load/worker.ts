import { parentPort } from 'node:worker_threads';
import { Pacer } from '../media/pacer.js';
import type { CallerScript } from '../media/script-caller.js';
import { type FromWorker, failedResult, JITTER_BIN_MS, JITTER_BINS, type ToWorker, type WorkerStats } from './messages.js';
import { LoadStream, type StreamHost } from './stream.js';

/**
 * A load run's worker thread: a shard of its calls, with their own pacing loop, sockets and
 * encoding, so the frames of one shard never wait on another shard or on the main thread. It
 * reports each call when it ends and its frame timing once a second.
 */
const port = parentPort!;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

const pacer = new Pacer();
const scripts = new Map<string, CallerScript>();
const streams = new Map<string, LoadStream>();

class Timing {
  jitter = new Uint32Array(JITTER_BINS);
  jitterMaxMs = 0;
  markLate = new Uint32Array(JITTER_BINS);
  framesSent = 0;
  framesDropped = 0;

  add(ms: number | null): void {
    this.framesSent++;
    if (ms === null) return;
    this.jitter[Math.min(JITTER_BINS - 1, Math.floor(ms / JITTER_BIN_MS))]++;
    if (ms > this.jitterMaxMs) this.jitterMaxMs = ms;
  }

  take(): WorkerStats {
    const s: WorkerStats = {
      streams: streams.size,
      framesSent: this.framesSent,
      framesDropped: this.framesDropped,
      jitter: this.jitter,
      jitterMaxMs: Math.round(this.jitterMaxMs * 10) / 10,
      markLate: this.markLate,
      pacerLateP99Ms: pacer.summary().lateP99Ms,
    };
    this.jitter = new Uint32Array(JITTER_BINS);
    this.markLate = new Uint32Array(JITTER_BINS);
    this.jitterMaxMs = this.framesSent = this.framesDropped = 0;
    return s;
  }
}

/** Since the last tick (the runs' own figures), and since the last `stats` request (the benchmark's window). */
const perTick = new Timing();
const perWindow = new Timing();

const host: StreamHost = {
  pacer,
  sent(ms) {
    perTick.add(ms);
    perWindow.add(ms);
  },
  markLate(ms) {
    for (const t of [perTick, perWindow]) t.markLate[Math.min(JITTER_BINS - 1, Math.floor(ms / JITTER_BIN_MS))]++;
  },
  dropped() {
    perTick.framesDropped++;
    perWindow.framesDropped++;
  },
  ended(s, result) {
    streams.delete(s.id);
    const transfer = result.audio ? [result.audio.agent.buffer as ArrayBuffer, result.audio.callee.buffer as ArrayBuffer] : [];
    post({ type: 'ended', result }, transfer);
  },
};

/** Buffers crossed the thread as plain Uint8Arrays; the audio code reads Buffers. */
function revive(script: CallerScript): CallerScript {
  const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  return {
    ...script,
    lines: script.lines.map((l) => ({ ...l, audio: buf(l.audio) })),
    prompts: script.prompts && {
      nudge: { ...script.prompts.nudge, audio: buf(script.prompts.nudge.audio) },
      goodbye: { ...script.prompts.goodbye, audio: buf(script.prompts.goodbye.audio) },
    },
  };
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'script':
      scripts.set(m.key, revive(m.script));
      return;
    case 'dial': {
      const script = scripts.get(m.scriptKey);
      // One call that cannot start (a URL ws cannot parse) fails alone; the worker and its other calls go on.
      try {
        if (!script) throw new Error(`no caller script ${m.scriptKey}`);
        streams.set(m.id, new LoadStream(host, m, script));
      } catch (err) {
        post({ type: 'ended', result: failedResult(m.id, `dial: ${(err as Error).message}`) });
      }
      return;
    }
    case 'hangup':
      streams.get(m.id)?.end('other', m.reason);
      return;
    case 'stats':
      post({ type: 'stats', reqId: m.reqId, stats: perWindow.take() });
      return;
    case 'shutdown':
      for (const s of streams.values()) s.end('other', 'callsim is shutting down');
      setTimeout(() => process.exit(0), 200).unref();
      return;
  }
});

setInterval(() => post({ type: 'tick', stats: perTick.take() }), 1000).unref();
