import { FRAME_BYTES, MULAW_TO_LINEAR } from './codec.js';
import { DTMF_COLS, DTMF_KEYS, DTMF_ROWS } from './tones.js';
import { SAMPLE_RATE } from './wav.js';

const FREQS = [...DTMF_ROWS, ...DTMF_COLS];
const COEF = Float64Array.from(FREQS, (f) => 2 * Math.cos((2 * Math.PI * f) / SAMPLE_RATE));
const WINDOW = FRAME_BYTES;
const HOP = WINDOW / 2;
/**
 * The two tones must hold this share of the window's energy (a clean key press holds about 0.5 in
 * these units; speech peaked at 0.31 over every clip the project ships, so speech is not a key).
 */
const MIN_TONE_SHARE = 0.4;
/** Row and column may differ by at most 8 dB (twist), and each must beat its rivals by as much. */
const MAX_RATIO = 10 ** (8 / 10);
/** Quieter than -45 dBFS is line noise, not a key press. */
const MIN_RMS = 32768 * 10 ** (-45 / 20);
/** Windows in a row (10 ms apart) that must agree: a 40 ms tone, ITU-T Q.24's shortest, is caught. */
const MIN_WINDOWS = 2;
const SILENT = new Uint8Array(WINDOW).fill(0xff);

/**
 * In-band DTMF: hears key presses in the agent's audio, as a carrier's or an IVR's tone detector
 * does (there is no client→server key message in Twilio's protocol; frameworks play the tones).
 * Goertzel filters at the eight keypad frequencies over 20 ms windows every 10 ms; a key is a
 * window whose energy is almost all in one row and one column tone, seen in two windows running,
 * and it is reported once until the tone stops. The Goertzel loop is written here: it is a few
 * lines, and the npm implementations measured 15× slower in this per-frame path (README).
 */
export class DtmfDetector {
  /** The previous frame's second half, then this frame: two windows per frame. */
  private readonly pcm = new Float64Array(HOP + WINDOW);
  private readonly power = new Float64Array(FREQS.length);
  private candidate = '';
  private run = 0;
  private latched = '';

  /** Silence fed since the window last held sound: once it is all silence, more changes nothing. */
  private silentFrames = 0;

  /**
   * Feeds a frame of silence: the same as `push` of a silent frame, but free once the window
   * holds nothing else (most frames of a call, at every stream's 50 frames a second).
   */
  silence(): string {
    if (this.silentFrames >= 2) return '';
    this.silentFrames++;
    return this.analyseFrame(SILENT);
  }

  /** Feeds one 20 ms μ-law frame; returns the keys that began in it ('' mostly). */
  push(buf: Uint8Array, off: number): string {
    this.silentFrames = 0;
    return this.analyseFrame(buf, off);
  }

  private analyseFrame(buf: Uint8Array, off = 0): string {
    const pcm = this.pcm;
    pcm.copyWithin(0, WINDOW);
    for (let i = 0; i < WINDOW; i++) pcm[HOP + i] = MULAW_TO_LINEAR[buf[off + i]];
    return this.window(0) + this.window(HOP);
  }

  private window(start: number): string {
    const key = this.analyse(start);
    if (!key) {
      this.candidate = this.latched = '';
      this.run = 0;
      return '';
    }
    this.run = key === this.candidate ? this.run + 1 : 1;
    this.candidate = key;
    if (this.run < MIN_WINDOWS || key === this.latched) return '';
    this.latched = key;
    return key;
  }

  private analyse(start: number): string {
    const pcm = this.pcm;
    let energy = 0;
    for (let i = start; i < start + WINDOW; i++) energy += pcm[i] * pcm[i];
    if (energy < MIN_RMS * MIN_RMS * WINDOW) return '';
    for (let k = 0; k < FREQS.length; k++) {
      const c = COEF[k];
      let s1 = 0;
      let s2 = 0;
      for (let i = start; i < start + WINDOW; i++) {
        const s0 = pcm[i] + c * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      // Normalised so that a pure tone at the frequency scores 1/2 of the window's energy.
      this.power[k] = (s1 * s1 + s2 * s2 - c * s1 * s2) / (energy * WINDOW);
    }
    const row = strongest(this.power, 0);
    const col = strongest(this.power, 4);
    if (!row || !col) return '';
    if (row.value + col.value < MIN_TONE_SHARE) return '';
    if (row.value > col.value * MAX_RATIO || col.value > row.value * MAX_RATIO) return '';
    return DTMF_KEYS[row.index][col.index];
  }
}

/** The strongest of four filters from `from`, if it beats the other three by MAX_RATIO. */
function strongest(power: Float64Array, from: number): { index: number; value: number } | null {
  let index = 0;
  for (let k = 1; k < 4; k++) if (power[from + k] > power[from + index]) index = k;
  const value = power[from + index];
  for (let k = 0; k < 4; k++) if (k !== index && power[from + k] * MAX_RATIO > value) return null;
  return { index, value };
}
