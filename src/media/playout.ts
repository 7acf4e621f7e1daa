import { FRAME_BYTES, MULAW_SILENCE, SAMPLES_PER_MS } from './codec.js';
import { dtmfTone } from './tones.js';

type Entry = { kind: 'audio'; buf: Buffer; pos: number } | { kind: 'mark'; name: string } | { kind: 'digit'; digit: string };

export interface Played {
  /** Bytes of agent audio in this frame (the rest is silence). */
  audioBytes: number;
  /** Marks whose preceding audio has now played, with the moment it finished. */
  marks: Array<{ name: string; at: number }>;
  digits: string;
}

/** A minute of agent audio may wait to be played; more is dropped (and counted), not buffered. */
export const MAX_QUEUED_BYTES = 60 * 8000;

/**
 * The agent's side of the call as the callee hears it: audio the client sent, played 20 ms at a
 * time in the order it arrived, with its marks and key presses in line. Like a carrier's jitter
 * buffer it plays ahead of nothing: a gap in what the client sends is silence on the line.
 */
export class Playout {
  private q: Entry[] = [];
  private queued = 0;
  /** When the last audio played so far ends (ms, pacer clock). */
  private playingUntil = -Infinity;
  droppedFrames = 0;

  get queuedBytes(): number {
    return this.queued;
  }

  audio(buf: Buffer): boolean {
    if (!buf.length) return true;
    if (this.queued + buf.length > MAX_QUEUED_BYTES) {
      this.droppedFrames += Math.ceil(buf.length / FRAME_BYTES);
      return false;
    }
    this.q.push({ kind: 'audio', buf, pos: 0 });
    this.queued += buf.length;
    return true;
  }

  /** Queues a key press: the digit is heard when its tone starts playing. */
  digit(digit: string): void {
    this.q.push({ kind: 'digit', digit });
    this.audio(dtmfTone(digit));
  }

  /**
   * Queues a mark. When nothing is queued ahead of it, it is reached as soon as the audio already
   * playing ends: that moment is returned, otherwise null (it comes out of `next` later).
   */
  mark(name: string, now: number): number | null {
    if (this.q.length) {
      this.q.push({ kind: 'mark', name });
      return null;
    }
    return Math.max(now, this.playingUntil);
  }

  /** Barge-in: drops everything not yet played; the marks that were waiting are returned. */
  clear(): string[] {
    const marks = this.q.flatMap((e) => (e.kind === 'mark' ? [e.name] : []));
    this.q = [];
    this.queued = 0;
    return marks;
  }

  /** Plays the frame starting at `frameAt` into `out` (padded with silence). */
  next(frameAt: number, out: Buffer): Played {
    const played: Played = { audioBytes: 0, marks: [], digits: '' };
    let filled = 0;
    let i = 0;
    for (; i < this.q.length; i++) {
      const e = this.q[i];
      if (e.kind === 'mark') {
        played.marks.push({ name: e.name, at: frameAt + filled / SAMPLES_PER_MS });
        continue;
      }
      if (e.kind === 'digit') {
        if (filled === FRAME_BYTES) break;
        played.digits += e.digit;
        continue;
      }
      if (filled === FRAME_BYTES) break;
      const n = Math.min(FRAME_BYTES - filled, e.buf.length - e.pos);
      e.buf.copy(out, filled, e.pos, e.pos + n);
      e.pos += n;
      filled += n;
      this.queued -= n;
      if (e.pos < e.buf.length) break;
    }
    if (i) this.q.splice(0, i);
    if (filled) this.playingUntil = frameAt + filled / SAMPLES_PER_MS;
    out.fill(MULAW_SILENCE, filled);
    played.audioBytes = filled;
    return played;
  }
}
