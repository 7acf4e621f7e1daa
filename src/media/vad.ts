import { FRAME_BYTES, FRAME_MS, MULAW_TO_LINEAR } from './codec.js';

export interface VadOptions {
  /** A frame louder than this (dBFS, RMS) counts as speech. */
  thresholdDb: number;
  /** Speech must last this long to count, so clicks and line noise do not. */
  minSpeechMs: number;
}

const DEFAULT_VAD: VadOptions = { thresholdDb: -40, minSpeechMs: 40 };

/** RMS level of one μ-law frame in dBFS (-100 for digital silence). */
export function frameDb(buf: Uint8Array, off: number): number {
  let sum = 0;
  for (let i = off; i < off + FRAME_BYTES; i++) {
    const v = MULAW_TO_LINEAR[buf[i]];
    sum += v * v;
  }
  const rms = Math.sqrt(sum / FRAME_BYTES) / 32768;
  return rms > 0 ? Math.max(-100, 20 * Math.log10(rms)) : -100;
}

/**
 * Energy-based voice activity detection over 20 ms frames. It only says when speech started and
 * how long it has been quiet since; turn-taking policy (how much silence ends a turn) is the
 * caller's.
 */
export class Vad {
  private loudRun = 0;
  speaking = false;
  /** Milliseconds of non-speech since the last speech frame (0 while speaking). */
  quietMs = Infinity;
  constructor(private readonly opts: VadOptions = DEFAULT_VAD) {}

  /** Feeds one frame; returns the frame index offset (≤ 0) where speech began, when it just began. */
  push(buf: Uint8Array, off: number): number | null {
    return this.frame(frameDb(buf, off) > this.opts.thresholdDb);
  }

  private frame(loud: boolean): number | null {
    if (!loud) {
      this.loudRun = 0;
      this.speaking = false;
      this.quietMs = this.quietMs === Infinity ? Infinity : this.quietMs + FRAME_MS;
      return null;
    }
    this.loudRun++;
    const needed = Math.max(1, Math.ceil(this.opts.minSpeechMs / FRAME_MS));
    if (this.loudRun < needed) return null;
    const began = !this.speaking && this.quietMs !== 0;
    this.speaking = true;
    this.quietMs = 0;
    return began ? -(needed - 1) : null;
  }

  /** The last frame was loud (speech the VAD may not have confirmed yet). */
  get loud(): boolean {
    return this.loudRun > 0;
  }

  /** Counts a frame nobody sent as quiet (digital silence is below any threshold: no need to measure it). */
  silent(): void {
    this.frame(false);
  }
}
