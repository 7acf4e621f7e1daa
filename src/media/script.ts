import type { ScriptLine } from '../sim/conversations.js';
import { clipMulaw, FRAME_BYTES, MULAW_SILENCE, SAMPLES_PER_MS, SILENCE_FRAME } from './codec.js';

/** Where one track's 20 ms frame is: a slice of a shared clip, or a scratch buffer. */
export interface FrameRef {
  buf: Buffer;
  off: number;
}

export const silence = (f: FrameRef): void => {
  f.buf = SILENCE_FRAME;
  f.off = 0;
};

/** A clip being spoken, read out in 20 ms pieces. */
export class Clip {
  readonly bytes: Buffer;
  pos = 0;
  /** A fixture clip by path, or μ-law bytes (a simulated caller's voice). */
  constructor(audio: string | Uint8Array, startMs = 0) {
    this.bytes = typeof audio === 'string' ? clipMulaw(audio) : Buffer.isBuffer(audio) ? audio : Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength);
    this.pos = Math.min(this.bytes.length, Math.round(startMs * SAMPLES_PER_MS));
  }

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  /**
   * The next frame into `f`: a view of the clip when a whole frame is left (no copy), else the
   * tail copied into `scratch` and padded with silence. Returns the bytes of speech in it.
   */
  read(f: FrameRef, scratch: Buffer): number {
    const left = this.bytes.length - this.pos;
    if (left >= FRAME_BYTES) {
      f.buf = this.bytes;
      f.off = this.pos;
      this.pos += FRAME_BYTES;
      return FRAME_BYTES;
    }
    this.bytes.copy(scratch, 0, this.pos);
    scratch.fill(MULAW_SILENCE, left);
    this.pos = this.bytes.length;
    f.buf = scratch;
    f.off = 0;
    return left;
  }
}

export interface LineMark {
  kind: 'start' | 'end';
  index: number;
  line: ScriptLine;
  /** Call time (ms since answer) the line started or ended. */
  atMs: number;
}

/**
 * Both parties of a scripted call, as the built-in agent and the callee play it live: the lines in
 * order, each after the previous one's pause, except that the built-in agent answers the callee
 * after its response delay (`agentDelayMs`, read when the callee stops, so a change applies at
 * once). A line always starts on a frame boundary.
 */
export class ScriptPlayer {
  private index = 0;
  private clip: Clip | null = null;
  private gapFrames = 0;
  done = false;
  private readonly scratch = Buffer.alloc(FRAME_BYTES);

  constructor(
    private readonly lines: ScriptLine[],
    startMs: number,
    private readonly agentDelayMs: () => number,
  ) {
    let t = 0;
    for (; this.index < lines.length; this.index++) {
      const l = lines[this.index];
      if (startMs < t + l.durationMs) {
        // A line starting right now is left to `frame`, which reports its start.
        if (startMs > t) this.clip = new Clip(l.audio, startMs - t);
        else this.gapFrames = Math.round((t - startMs) / 20);
        return;
      }
      t += l.durationMs + l.pauseAfterMs;
    }
    this.done = true;
  }

  /** The index of the line being spoken, or of the next one during a pause. */
  get position(): { index: number; clip: Clip | null } {
    return { index: this.index, clip: this.clip };
  }

  frame(callMs: number, agent: FrameRef, callee: FrameRef, marks: LineMark[]): void {
    silence(agent);
    silence(callee);
    if (this.done) return;
    if (!this.clip) {
      if (this.gapFrames > 0) {
        this.gapFrames--;
        return;
      }
      this.clip = new Clip(this.lines[this.index].audio);
      marks.push({ kind: 'start', index: this.index, line: this.lines[this.index], atMs: callMs });
    }
    const line = this.lines[this.index];
    const spoken = this.clip.read(line.speaker === 'agent' ? agent : callee, this.scratch);
    if (!this.clip.done) return;
    marks.push({ kind: 'end', index: this.index, line, atMs: callMs + spoken / SAMPLES_PER_MS });
    this.clip = null;
    const next = this.lines[this.index + 1];
    if (!next) {
      this.done = true;
      return;
    }
    const pause = line.speaker === 'callee' && next.speaker === 'agent' ? this.agentDelayMs() : line.pauseAfterMs;
    this.gapFrames = Math.max(0, Math.round(pause / 20));
    this.index++;
  }
}
