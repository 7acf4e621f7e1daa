import type { Conversation } from '../sim/conversations.js';
import { withOffsets } from '../sim/conversations.js';
import { clipPcm } from './clips.js';
import { decodeMulaw, FRAME_BYTES, SAMPLES_PER_MS } from './codec.js';

/** One side of the call as it flowed, kept as the μ-law bytes that went over the wire. */
export class Recorder {
  private buf = Buffer.alloc(FRAME_BYTES * 50);
  length = 0;

  append(src: Buffer, off: number): void {
    if (this.length + FRAME_BYTES > this.buf.length) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    src.copy(this.buf, this.length, off, off + FRAME_BYTES);
    this.length += FRAME_BYTES;
  }

  /** The μ-law bytes recorded so far. */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  /**
   * The track as 16-bit PCM, exactly `totalSamples` long: what played before the stream began
   * (`before`, from the call's answer), then what streamed from `startSample` on.
   */
  pcm(totalSamples: number, startSample: number, before?: Int16Array): Int16Array {
    const out = new Int16Array(totalSamples);
    if (before) out.set(before.subarray(0, Math.min(before.length, totalSamples)));
    const n = Math.max(0, Math.min(this.length, totalSamples - startSample));
    if (n) out.set(decodeMulaw(this.buf.subarray(0, n)), startSample);
    return out;
  }
}

/** The script as it played before a listener joined mid-call (both tracks, up to `untilMs`). */
export function scriptedPrefix(conv: Conversation | undefined, untilMs: number): { agent: Int16Array; callee: Int16Array } {
  const n = Math.round(untilMs * SAMPLES_PER_MS);
  const agent = new Int16Array(n);
  const callee = new Int16Array(n);
  for (const line of conv ? withOffsets(conv) : []) {
    const start = Math.round(line.startMs * SAMPLES_PER_MS);
    if (start >= n) break;
    const pcm = clipPcm(line.audio);
    (line.speaker === 'agent' ? agent : callee).set(pcm.subarray(0, Math.min(pcm.length, n - start)), start);
  }
  return { agent, callee };
}
