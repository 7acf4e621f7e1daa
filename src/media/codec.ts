import alawmulaw from 'alawmulaw';
import { clipPcm } from './clips.js';
import { SAMPLE_RATE } from './wav.js';

const { mulaw } = alawmulaw;

/** Twilio Media Streams carry 20 ms of 8 kHz μ-law per message: 160 bytes. */
export const FRAME_MS = 20;
export const FRAME_BYTES = (SAMPLE_RATE * FRAME_MS) / 1000;
export const SAMPLES_PER_MS = SAMPLE_RATE / 1000;
/** μ-law's code for a zero sample: real silence on the wire, not zero bytes (which are loud). */
export const MULAW_SILENCE = 0xff;
export const SILENCE_FRAME: Buffer = Buffer.alloc(FRAME_BYTES, MULAW_SILENCE);
export const SILENCE_B64 = SILENCE_FRAME.toString('base64');

export const encodeMulaw = (pcm: Int16Array): Buffer => {
  const bytes = mulaw.encode(pcm);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
};

export const decodeMulaw = (bytes: Uint8Array): Int16Array => mulaw.decode(bytes);

/**
 * Linear value of every μ-law code, built from the codec library once: per-frame energy for voice
 * activity detection then costs a table look-up per sample instead of a decode call.
 */
export const MULAW_TO_LINEAR: Int16Array = decodeMulaw(Uint8Array.from({ length: 256 }, (_, i) => i));

const clipCache = new Map<string, Buffer>();

/** A fixture clip as μ-law bytes, encoded once and shared by every stream that plays it. */
export function clipMulaw(audioPath: string): Buffer {
  let bytes = clipCache.get(audioPath);
  if (!bytes) {
    bytes = encodeMulaw(clipPcm(audioPath));
    clipCache.set(audioPath, bytes);
  }
  return bytes;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64: Node's decoder skips bad characters silently, which would hide a broken client. */
export function decodeBase64(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return null;
  return Buffer.from(text, 'base64');
}
