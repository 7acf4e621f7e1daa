import { FRAME_BYTES, MULAW_SILENCE, SAMPLES_PER_MS } from './codec.js';
import { dtmfTone } from './tones.js';

type Entry = { kind: 'audio'; buf: Buffer; pos: number; tone: boolean } | { kind: 'mark'; name: string } | { kind: 'digit'; digit: string };

export interface Played {
  /** Bytes of agent audio in this frame (the rest is silence). */
  audioBytes: number;
  /** Bytes of it that are tones of `dtmf` messages (already announced as digits, not to be detected again). */
  toneBytes: number;
  /** Marks whose preceding audio has now played, with the moment it finished. */
  marks: Array<{ name: string; at: number }>;
  digits: string;
}

const NOTHING_PLAYED: Readonly<Played> = Object.freeze({ audioBytes: 0, toneBytes: 0, marks: Object.freeze([]) as unknown as Played['marks'], digits: '' });

/** A minute of agent audio may wait to be played; a message that would queue more is refused. */
const MAX_QUEUED_MS = 60_000;
export const MAX_QUEUED_BYTES = MAX_QUEUED_MS * SAMPLES_PER_MS;
/**
 * Audio that runs out and resumes within this long was one utterance with a hole in it (an
 * underrun); a longer gap is the sender pausing between utterances.
 */
const UNDERRUN_GAP_MS = 200;

/**
 * The agent's side of the call as the callee hears it: audio the client sent, played 20 ms at a
 * time in the order it arrived, with its marks and key presses in line. Like a carrier's jitter
 * buffer it holds the start of each burst until `targetMs` of audio is queued (or its first
 * packet has waited that long), so a sender paced in real time, whose packets arrive a little
 * early or late, plays without holes. When the audio runs out mid-utterance anyway, the hole is
 * silence on the line and counted as an underrun.
 */
export class Playout {
  private q: Entry[] = [];
  private queued = 0;
  /** When the last audio played so far ends (ms, pacer clock). */
  private playingUntil = -Infinity;
  private state: 'idle' | 'buffering' | 'playing' = 'idle';
  private bufferingSince = 0;
  /** When the audio last ran out while playing, and whether the burst now buffering resumes it. */
  private dryAt = -Infinity;
  private resuming = false;
  droppedFrames = 0;
  underruns = 0;
  /** Silence inserted by underruns: from the audio running out to its playing again. */
  underrunMs = 0;

  constructor(private readonly targetMs: () => number = () => 0) {}

  get queuedBytes(): number {
    return this.queued;
  }

  /** Queues audio that reached callsim at `at`; answers why it was refused, or null. */
  audio(buf: Buffer, at: number, tone = false): string | null {
    if (!buf.length) return null;
    if (this.queued + buf.length > MAX_QUEUED_BYTES) {
      this.droppedFrames += Math.ceil(buf.length / FRAME_BYTES);
      const queuedS = Math.round(this.queued / SAMPLES_PER_MS / 100) / 10;
      return `media: ${queuedS} s of audio already waits to be played and this message holds ${Math.round(buf.length / SAMPLES_PER_MS)} ms more; at most ${MAX_QUEUED_MS / 1000} s may be queued`;
    }
    if (this.state === 'idle') {
      this.state = 'buffering';
      this.bufferingSince = at;
      this.resuming = at - this.dryAt < UNDERRUN_GAP_MS;
      if (this.resuming) this.underruns++;
    }
    this.q.push({ kind: 'audio', buf, pos: 0, tone });
    this.queued += buf.length;
    return null;
  }

  /** Queues a key press: the digit is heard when its tone starts playing. */
  digit(digit: string, at: number): string | null {
    const tone = dtmfTone(digit);
    if (this.queued + tone.length > MAX_QUEUED_BYTES) return this.audio(tone, at, true);
    this.q.push({ kind: 'digit', digit });
    return this.audio(tone, at, true);
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
    this.state = 'idle';
    this.dryAt = -Infinity;
    return marks;
  }

  /**
   * Plays the frame starting at `frameAt` into `out` (padded with silence). With nothing queued
   * (most frames of most calls) it answers a shared empty frame and leaves `out` untouched.
   */
  next(frameAt: number, out: Buffer): Played {
    if (!this.q.length && this.state === 'idle') return NOTHING_PLAYED;
    const played: Played = { audioBytes: 0, toneBytes: 0, marks: [], digits: '' };
    if (this.state === 'buffering' && !this.ready(frameAt)) {
      out.fill(MULAW_SILENCE);
      return played;
    }
    if (this.state === 'buffering') {
      this.state = 'playing';
      if (this.resuming) this.underrunMs += Math.max(0, frameAt - this.dryAt);
    }
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
      if (e.tone) played.toneBytes += n;
      this.queued -= n;
      if (e.pos < e.buf.length) break;
    }
    if (i) this.q.splice(0, i);
    if (filled) this.playingUntil = frameAt + filled / SAMPLES_PER_MS;
    // A frame the audio did not fill is where it ran out: the end of an utterance, or a hole if
    // more comes soon.
    if (this.state === 'playing' && filled < FRAME_BYTES) {
      this.state = 'idle';
      this.dryAt = frameAt + filled / SAMPLES_PER_MS;
    }
    out.fill(MULAW_SILENCE, filled);
    played.audioBytes = filled;
    return played;
  }

  /** A burst starts once the target depth is queued, or its first packet has waited that long. */
  private ready(frameAt: number): boolean {
    const target = this.targetMs();
    return this.queued >= target * SAMPLES_PER_MS || frameAt + 1 >= this.bufferingSince + target;
  }
}
