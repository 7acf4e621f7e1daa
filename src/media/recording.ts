import { Readable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { findConversation, linesWithin } from '../sim/conversations.js';
import type { Call } from '../sim/types.js';
import type { World } from '../sim/world.js';
import { clipPcm } from './clips.js';
import { SAMPLE_RATE } from './wav.js';

/**
 * Audio that actually flowed on a live media stream, per call: it wins over the script. Shorter
 * tracks end in silence (a load run that keeps no audio leaves them empty).
 */
export const streamedAudio = new WeakMap<Call, { agent: Int16Array; callee: Int16Array }>();

const CHANNELS = 2;
const BYTES_PER_FRAME = CHANNELS * 2;
const HEADER_BYTES = 44;
/** Samples rendered per chunk: one second, so a chunk costs the same whatever the call's length. */
const CHUNK_SAMPLES = SAMPLE_RATE;

/** Where each party's audio comes from: the stream that really flowed, or the script's clips. */
export interface RecordingSource {
  samples: number;
  /** Fills `agent`/`callee` (zeroed, `n` long) with the samples from `from` on. */
  fill(from: number, n: number, agent: Int16Array, callee: Int16Array): void;
}

/** The call's two tracks, exactly its talk time long, rendered on demand (WAV and MP3 alike). */
export function recordingSource(world: World, call: Call): RecordingSource {
  const streamed = streamedAudio.get(call);
  if (streamed) {
    return {
      samples: Math.round((call.talkMs / 1000) * SAMPLE_RATE),
      fill(from, n, agent, callee) {
        agent.set(streamed.agent.subarray(from, from + n));
        callee.set(streamed.callee.subarray(from, from + n));
      },
    };
  }
  const samples = Math.round((call.talkMs / 1000) * SAMPLE_RATE);
  const conv = findConversation(world.library, call.conversationId);
  const lines = conv
    ? linesWithin(conv, call.talkMs).map((l) => ({ start: Math.round((l.startMs / 1000) * SAMPLE_RATE), audio: l.audio, agent: l.speaker === 'agent' }))
    : [];
  return {
    samples,
    fill(from, n, agent, callee) {
      for (const line of lines) {
        const pcm = clipPcm(line.audio);
        const a = Math.max(from, line.start);
        const b = Math.min(from + n, line.start + pcm.length, samples);
        if (a >= b) continue;
        (line.agent ? agent : callee).set(pcm.subarray(a - line.start, b - line.start), a - from);
      }
    },
  };
}

/** The 44-byte header of a 16-bit PCM stereo WAV holding `samples` frames. */
function wavHeader(samples: number): Buffer {
  const data = samples * BYTES_PER_FRAME;
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(CHANNELS, 22);
  h.writeUInt32LE(SAMPLE_RATE, 24);
  h.writeUInt32LE(SAMPLE_RATE * BYTES_PER_FRAME, 28);
  h.writeUInt16LE(BYTES_PER_FRAME, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data, 40);
  return h;
}

export interface RecordingBody {
  /** Size of the whole file in bytes. */
  total: number;
  /** The bytes [start, end] (inclusive) of the file, rendered as they are read. */
  stream(start: number, end: number): Readable;
}

/**
 * The call's recording as a WAV file (stereo: agent left, callee right; exactly the answered talk
 * time long), rendered a second at a time as the client reads it, with the event loop free between
 * chunks: a 24-hour call costs what one chunk costs, and any byte range can be served.
 */
export function recording(world: World, call: Call): RecordingBody {
  const source = recordingSource(world, call);
  const total = HEADER_BYTES + source.samples * BYTES_PER_FRAME;
  return {
    total,
    stream: (start, end) =>
      Readable.from(
        (async function* () {
          const header = wavHeader(source.samples);
          if (start < HEADER_BYTES) yield header.subarray(start, Math.min(end + 1, HEADER_BYTES));
          const firstSample = Math.floor(Math.max(0, start - HEADER_BYTES) / BYTES_PER_FRAME);
          const lastByte = end - HEADER_BYTES;
          const agent = new Int16Array(CHUNK_SAMPLES);
          const callee = new Int16Array(CHUNK_SAMPLES);
          for (let s = firstSample; s * BYTES_PER_FRAME <= lastByte && s < source.samples; s += CHUNK_SAMPLES) {
            const n = Math.min(CHUNK_SAMPLES, source.samples - s);
            agent.fill(0);
            callee.fill(0);
            source.fill(s, n, agent, callee);
            const out = Buffer.allocUnsafe(n * BYTES_PER_FRAME);
            for (let i = 0; i < n; i++) {
              out.writeInt16LE(agent[i], i * BYTES_PER_FRAME);
              out.writeInt16LE(callee[i], i * BYTES_PER_FRAME + 2);
            }
            const chunkStart = HEADER_BYTES + s * BYTES_PER_FRAME;
            yield out.subarray(Math.max(0, start - chunkStart), Math.min(out.length, end + 1 - chunkStart));
            await yieldToLoop();
          }
        })(),
        { objectMode: false },
      ),
  };
}

/** A whole recording in memory: for the handful of callers that need bytes, not a stream (tests, the dashboard). */
export async function renderRecording(world: World, call: Call): Promise<Buffer> {
  const r = recording(world, call);
  const chunks: Buffer[] = [];
  for await (const c of r.stream(0, r.total - 1)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
