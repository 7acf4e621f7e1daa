import { encodeMulaw } from './codec.js';
import { SAMPLE_RATE } from './wav.js';

/** Row and column frequencies of the DTMF keypad (ITU-T Q.23). */
export const DTMF_ROWS = [697, 770, 852, 941];
export const DTMF_COLS = [1209, 1336, 1477, 1633];
export const DTMF_KEYS = ['123A', '456B', '789C', '*0#D'];

export const DTMF_DIGIT = /^[0-9*#A-D]$/;
const TONE_MS = 100;
const GAP_MS = 60;

const cache = new Map<string, Buffer>();

/**
 * A key press as real in-band audio (100 ms tone, 60 ms gap), so a digit the agent sends is heard,
 * recorded and timed like any other sound it makes.
 */
export function dtmfTone(digit: string): Buffer {
  let tone = cache.get(digit);
  if (tone) return tone;
  const row = DTMF_KEYS.findIndex((k) => k.includes(digit));
  if (row < 0) throw new Error(`not a DTMF digit: ${digit}`);
  const [f1, f2] = [DTMF_ROWS[row], DTMF_COLS[DTMF_KEYS[row].indexOf(digit)]];
  const toneSamples = (SAMPLE_RATE * TONE_MS) / 1000;
  const pcm = new Int16Array(toneSamples + (SAMPLE_RATE * GAP_MS) / 1000);
  for (let i = 0; i < toneSamples; i++) {
    const t = i / SAMPLE_RATE;
    pcm[i] = Math.round(8000 * (Math.sin(2 * Math.PI * f1 * t) + Math.sin(2 * Math.PI * f2 * t)));
  }
  tone = encodeMulaw(pcm);
  cache.set(digit, tone);
  return tone;
}
