import { statSync } from 'node:fs';
import type { ConversationLibrary } from '../sim/conversations.js';
import { clipMulaw, encodeMulaw, SAMPLES_PER_MS } from './codec.js';
import { readClipPcm } from './wav.js';

/** Where a simulated caller's line gets its voice (docs/media.md, "Simulated callers"). */
export type VoiceKind = 'clip' | 'wav' | 'placeholder' | 'none';

export interface Voice {
  kind: VoiceKind;
  /** The project clip (path under fixtures/conversations/audio) or the user's WAV file. */
  source: string | null;
  /** 8 kHz μ-law, ready to be played 20 ms at a time. */
  audio: Uint8Array;
}

/**
 * Words only: case, punctuation and spacing do not make two sayings of a line different
 * ("Thank you, bye." and "thank you bye" are the same clip).
 */
function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}\s']/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * How alike two texts are: the Dice coefficient of their word sets (1 = the same words). A clip
 * is only used for a line whose words it (nearly) says; anything looser would put words in the
 * caller's mouth that the report and the transcript do not show.
 */
function similarity(a: Set<string>, b: Set<string>): number {
  if (!a.size || !b.size) return 0;
  let common = 0;
  for (const w of a) if (b.has(w)) common++;
  return (2 * common) / (a.size + b.size);
}

const MIN_SIMILARITY = 0.8;

interface IndexedClip {
  language: string;
  callee: boolean;
  words: Set<string>;
  exact: string;
  audio: string;
}

const indexes = new WeakMap<ConversationLibrary, IndexedClip[]>();

function clipIndex(lib: ConversationLibrary): IndexedClip[] {
  let index = indexes.get(lib);
  if (index) return index;
  index = [];
  const add = (language: string, callee: boolean, text: string, audio: string) => {
    const exact = normalizeText(text);
    index!.push({ language, callee, exact, words: new Set(exact.split(' ').filter(Boolean)), audio });
  };
  for (const c of lib.conversations) for (const l of c.lines) add(c.language, l.speaker === 'callee', l.text, l.audio);
  for (const [language, p] of Object.entries(lib.prompts)) for (const clip of [p.nudge, p.goodbye]) add(language, true, clip.text, clip.audio);
  indexes.set(lib, index);
  return index;
}

/**
 * The project clip (espeak-ng, made by scripts/make-audio.sh) that says this text in this
 * language: the same words, or nearly (Dice ≥ 0.8); the callee's voice wins a tie over the agent's.
 */
export function nearestClip(lib: ConversationLibrary, text: string, language: string): string | null {
  const exact = normalizeText(text);
  const words = new Set(exact.split(' ').filter(Boolean));
  const base = language.split('-')[0].toLowerCase();
  let best: { score: number; clip: IndexedClip } | null = null;
  for (const clip of clipIndex(lib)) {
    if (clip.language !== base) continue;
    const score = clip.exact === exact ? 2 : similarity(words, clip.words);
    if (score < MIN_SIMILARITY) continue;
    if (!best || score > best.score || (score === best.score && clip.callee && !best.clip.callee)) best = { score, clip };
  }
  return best?.clip.audio ?? null;
}

/** How long a text takes to say at the pace of the project's callee voice (160 words a minute). */
function speakingMs(text: string): number {
  const chars = normalizeText(text).length;
  return Math.min(60_000, Math.max(600, Math.round(chars * 62)));
}

const PLACEHOLDER_RMS = 0.1;

/**
 * A speech stand-in for a line no clip says: a voiced buzz (a 120 Hz glottal tone with falling
 * harmonics) shaped into syllables of about 200 ms that never fall silent, as long as the text
 * takes to say. Energy VAD hears it as one utterance (every frame is above −40 dBFS), and its
 * energy is spread over many harmonics, so the DTMF detector never takes it for a key.
 * Deterministic: the same text always sounds the same.
 */
export function speechPlaceholder(text: string): Uint8Array {
  const ms = speakingMs(text);
  const n = Math.round(ms * SAMPLES_PER_MS);
  const pcm = new Int16Array(n);
  const rate = SAMPLES_PER_MS * 1000;
  const wave = glottalWave();
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    // A gentle pitch contour and syllable envelope (floor 0.45: the words run together).
    const f0 = 120 + 15 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += f0 / rate;
    phase -= Math.floor(phase);
    const at = phase * WAVE_POINTS;
    const j = Math.floor(at);
    const v = wave[j] + (wave[j + 1] - wave[j]) * (at - j);
    const syllable = 0.45 + 0.55 * Math.sin(Math.PI * ((t * 5) % 1)) ** 2;
    // 20 ms fades at each end: no click.
    const fade = Math.min(1, i / 160, (n - i) / 160);
    pcm[i] = Math.round(v * syllable * fade * PLACEHOLDER_RMS * 32767 * 0.9);
  }
  return encodeMulaw(pcm);
}

const WAVE_POINTS = 4096;
let wavetable: Float64Array | undefined;

/**
 * One period of the glottal tone (ten harmonics falling as 1/k), sampled once: a placeholder is then
 * one table lookup a sample instead of ten sines, so a minute of it takes milliseconds, not a second.
 */
function glottalWave(): Float64Array {
  if (wavetable) return wavetable;
  wavetable = new Float64Array(WAVE_POINTS + 1);
  for (let j = 0; j <= WAVE_POINTS; j++) {
    const phase = (2 * Math.PI * j) / WAVE_POINTS;
    for (let k = 1; k <= 10; k++) wavetable[j] += Math.sin(k * phase) / k;
  }
  return wavetable;
}

export class VoiceError extends Error {
  constructor(
    message: string,
    /** The line's field the problem is in. */
    readonly field: 'audio' | 'text' = 'audio',
  ) {
    super(message);
  }
}

/** A voice longer than what its caller has left of its audio budget. */
export class OverBudget extends VoiceError {}

/** A user's WAV file larger than this is refused before it is read (a minute of 48 kHz stereo is 11 MB). */
const MAX_WAV_BYTES = 32 * 1024 * 1024;
const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

/** A user's WAV file as 8 kHz μ-law (PCM or μ-law, any rate, mono or the first channel). */
function wavVoice(file: string): Uint8Array {
  let pcm: Int16Array;
  try {
    const size = statSync(file).size;
    if (size > MAX_WAV_BYTES)
      throw new VoiceError(`${file} is ${Math.round(size / 1048576)} MB; a line's WAV file may be at most ${MAX_WAV_BYTES / 1048576} MB`);
    pcm = readClipPcm(file);
  } catch (err) {
    if (err instanceof VoiceError) throw err;
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'a folder, not a file' : `not a WAV file callsim can read (${e.message})`;
    throw new VoiceError(`cannot read ${file}: ${why}`);
  }
  if (!pcm.length) throw new VoiceError(`${file} holds no audio`);
  return encodeMulaw(pcm);
}

/**
 * The voice of one line: its own WAV file, else the matching project clip, else the placeholder.
 * `leftMs` is what the caller may still hold: a longer voice is refused (a placeholder before it is
 * made), so one document cannot make the server render and keep hours of audio.
 */
export function voiceFor(lib: ConversationLibrary, line: { text?: string; audioFile?: string }, language: string, leftMs = Number.POSITIVE_INFINITY): Voice {
  const over = (ms: number, field: 'audio' | 'text', what: string) => {
    if (ms > leftMs) throw new OverBudget(`${what} takes ${minutes(ms)}, more than the ${minutes(Math.max(0, leftMs))} of audio this caller has left`, field);
  };
  if (line.audioFile) {
    const audio = wavVoice(line.audioFile);
    over(audio.length / SAMPLES_PER_MS, 'audio', line.audioFile);
    return { kind: 'wav', source: line.audioFile, audio };
  }
  if (!line.text) return { kind: 'none', source: null, audio: new Uint8Array(0) };
  const clip = nearestClip(lib, line.text, language);
  if (clip) {
    const audio = clipMulaw(clip);
    over(audio.length / SAMPLES_PER_MS, 'text', 'the clip for this line');
    return { kind: 'clip', source: clip, audio };
  }
  over(speakingMs(line.text), 'text', 'saying this line');
  return { kind: 'placeholder', source: null, audio: speechPlaceholder(line.text) };
}
