import { Readable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Mp3Encoder } from '@breezystack/lamejs';
import type { Call } from '../sim/types.js';
import type { World } from '../sim/world.js';
import { recordingSource } from './recording.js';
import { SAMPLE_RATE } from './wav.js';

/**
 * A call's recording as an MP3 (CallGeni.us documents MP3), encoded by LAME (lamejs, pure
 * JavaScript) as it streams, a second of audio at a time: mono — both parties mixed, as a phone
 * recording is —, 8 kHz (MPEG-2.5 Layer III), 32 kbit/s CBR.
 *
 * MP3 cuts audio into frames of 576 samples and LAME adds its encoder delay, so the audio frames
 * hold a little more than the call. The first frame is a Xing "Info" frame with a LAME tag that
 * declares the encoder delay and the padding at the end, so a decoder that honours it (mpg123,
 * ffmpeg, browsers) plays exactly the call's talk time, sample for sample; it also declares the
 * frame and byte counts, so players show the duration before reading the whole file.
 */

const KBPS = 32;
/** Samples per MPEG-2.5 Layer III frame. */
const FRAME_SAMPLES = 576;
/** 72 × bit rate / sample rate: exactly 288 bytes, so no frame ever needs a padding byte. */
const FRAME_BYTES = (72 * KBPS * 1000) / SAMPLE_RATE;
/** LAME's encoder delay (ENCDELAY), declared in the LAME tag. */
const ENCODER_DELAY = 576;
const CHUNK = SAMPLE_RATE;

/** LAME emits the delay's frame and a final flushed frame besides the frames the samples fill. */
export const audioFrames = (samples: number): number => Math.ceil(samples / FRAME_SAMPLES) + 2;

/** The frame header lamejs writes for this format: MPEG-2.5, Layer III, no CRC, 32 kbit/s, 8 kHz, mono, "original". */
const HEADER = [0xff, 0xe3, 0x48, 0xc4];
/** Side information of an MPEG-2.5 mono frame: the Xing tag starts after it. */
const SIDE_INFO = 9;

/** CRC-16 (poly 0x8005, reflected), as the LAME tag's own checksum is computed. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** The Xing "Info" frame with its LAME tag, for a recording of `samples` samples. */
export function infoFrame(samples: number): Buffer {
  const frames = audioFrames(samples);
  const total = (frames + 1) * FRAME_BYTES;
  const padding = frames * FRAME_SAMPLES - samples - ENCODER_DELAY;
  const f = Buffer.alloc(FRAME_BYTES);
  f.set(HEADER, 0);
  let o = 4 + SIDE_INFO;
  o = f.write('Info', o, 'latin1') + o;
  o = f.writeUInt32BE(0x0f, o); // frames, bytes, TOC and quality present
  o = f.writeUInt32BE(frames, o);
  o = f.writeUInt32BE(total, o);
  for (let i = 0; i < 100; i++) f[o + i] = Math.floor((i * 256) / 100); // CBR: a straight line
  o += 100;
  o = f.writeUInt32BE(0, o);
  const lame = o;
  o += f.write('LAME3.100', o, 'latin1');
  f[o++] = 0x01; // tag revision 0, CBR
  o += 1 + 4 + 2 + 2 + 1; // lowpass, peak, radio and audiophile gain, flags: unset
  f[o++] = KBPS;
  f[o++] = ENCODER_DELAY >> 4;
  f[o++] = ((ENCODER_DELAY & 0x0f) << 4) | (padding >> 8);
  f[o++] = padding & 0xff;
  o += 1 + 1 + 2; // misc, MP3 gain, preset
  o = f.writeUInt32BE(total, o);
  o += 2; // music CRC: unset
  f.writeUInt16BE(crc16(f.subarray(0, o)), o);
  if (o + 2 - lame !== 36) throw new Error('LAME tag layout');
  return f;
}

export interface Mp3Body {
  /** Size of the whole file in bytes (known before encoding: every frame is the same size). */
  total: number;
  stream(): Readable;
}

/** The call's recording as an MP3, exactly its talk time long (see above). */
export function mp3Recording(world: World, call: Call): Mp3Body {
  const source = recordingSource(world, call);
  const samples = source.samples;
  return {
    total: (audioFrames(samples) + 1) * FRAME_BYTES,
    stream: () =>
      Readable.from(
        (async function* () {
          yield infoFrame(samples);
          const encoder = new Mp3Encoder(1, SAMPLE_RATE, KBPS);
          const agent = new Int16Array(CHUNK);
          const callee = new Int16Array(CHUNK);
          const mixed = new Int16Array(CHUNK);
          for (let s = 0; s < samples; s += CHUNK) {
            const n = Math.min(CHUNK, samples - s);
            agent.fill(0);
            callee.fill(0);
            source.fill(s, n, agent, callee);
            for (let i = 0; i < n; i++) mixed[i] = Math.max(-32768, Math.min(32767, agent[i] + callee[i]));
            const out = encoder.encodeBuffer(mixed.subarray(0, n));
            if (out.length) yield Buffer.from(out);
            await yieldToLoop();
          }
          const tail = encoder.flush();
          if (tail.length) yield Buffer.from(tail);
        })(),
        { objectMode: false },
      ),
  };
}
