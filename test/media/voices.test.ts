/**
 * Where a simulated caller's voice comes from: a project clip that says the line, the user's WAV
 * file (any rate, stereo too), or the speech placeholder, which the VAD hears as speech and the
 * DTMF detector never takes for a key. And the callers folder: every file checked at start-up.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import wavefile from 'wavefile';
import { Callsim } from '../../src/app.js';
import { loadLibrary } from '../../src/fixtures/index.js';
import { clipMulaw, FRAME_BYTES } from '../../src/media/codec.js';
import { DtmfDetector } from '../../src/media/dtmf.js';
import { frameDb, Vad } from '../../src/media/vad.js';
import { nearestClip, speechPlaceholder } from '../../src/media/voices.js';

const lib = loadLibrary();

function dir(files: Record<string, string | Buffer>): string {
  const d = mkdtempSync(join(tmpdir(), 'callsim-callers-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(d, name), body);
  return d;
}

/** A 16 kHz stereo PCM WAV: a 440 Hz tone on the left, silence on the right. */
function stereoWav(ms: number): Buffer {
  const n = (16_000 * ms) / 1000;
  const left = Int16Array.from({ length: n }, (_, i) => Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / 16_000)));
  const wav = new wavefile.WaveFile();
  wav.fromScratch(2, 16_000, '16', [left, new Int16Array(n)]);
  return Buffer.from(wav.toBuffer());
}

describe('voices', () => {
  it('finds the project clip that says a line, whatever its case and punctuation, in the callee voice first', () => {
    expect(nearestClip(lib, 'yes this is jane', 'en')).toBe('en-booking/03-callee.wav');
    expect(nearestClip(lib, 'Thank you, bye!', 'en')).toBe('en-booking/09-callee.wav');
    expect(nearestClip(lib, 'Hello? Is anyone there', 'en')).toBe('prompts/en-nudge.wav');
    expect(nearestClip(lib, 'I would like to cancel my gym membership', 'en')).toBeNull();
    // Only the caller's language: the English words have no Turkish clip.
    expect(nearestClip(lib, 'yes this is jane', 'tr')).toBeNull();
  });

  it('voices any other line with a placeholder the VAD hears as one utterance and no detector takes for a key', () => {
    const text = 'I would like to cancel my gym membership please';
    const audio = Buffer.from(speechPlaceholder(text));
    const ms = audio.length / 8;
    expect(ms).toBeGreaterThan(2000);
    expect(ms).toBeLessThan(4000);
    expect(Buffer.from(speechPlaceholder(text)).equals(audio)).toBe(true);
    const vad = new Vad();
    const dtmf = new DtmfDetector();
    let starts = 0;
    let keys = '';
    let quietFrames = 0;
    for (let off = 0; off + FRAME_BYTES <= audio.length; off += FRAME_BYTES) {
      if (vad.push(audio, off) !== null) starts++;
      if (frameDb(audio, off) <= -40) quietFrames++;
      keys += dtmf.push(audio, off);
    }
    expect(starts).toBe(1);
    // Only the fade-in and fade-out frames are quiet.
    expect(quietFrames).toBeLessThanOrEqual(2);
    expect(keys).toBe('');
  });
});

describe('the callers folder', () => {
  const good = 'language: en\nlines:\n  - { text: "Yes, this is Jane.", after: 0 }\n  - { audio: hello.wav, hangup: true }\n';

  it('loads every caller at start, with users’ WAV files resampled to 8 kHz (first channel)', () => {
    const d = dir({ 'jane.yaml': good, 'hello.wav': stereoWav(500), 'other.json': JSON.stringify({ language: 'tr', lines: [{ silentMs: 100 }] }) });
    const sim = new Callsim({ clock: 'virtual', callers: d });
    const jane = sim.callers.get('jane')!;
    expect(jane.file).toBe(join(d, 'jane.yaml'));
    expect(jane.voices.map((v) => [v.kind, v.source])).toEqual([
      ['clip', 'en-booking/03-callee.wav'],
      ['wav', join(d, 'hello.wav')],
    ]);
    expect(Buffer.from(jane.voices[0].audio).equals(clipMulaw('en-booking/03-callee.wav'))).toBe(true);
    const wav = Buffer.from(jane.voices[1].audio);
    expect(wav.length).toBe(4000);
    expect(frameDb(wav, 1600)).toBeGreaterThan(-20);
    expect(sim.callers.list().map((c) => c.name)).toEqual(['jane', 'other']);
    expect(sim.callers.script('other')!.prompts!.nudge.text).toBe('Alo? Kimse yok mu?');
  });

  it("README's and docs/media.md's example callers load as written", () => {
    const root = join(import.meta.dirname, '..', '..');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const docs = readFileSync(join(root, 'docs', 'media.md'), 'utf8');
    const example = (text: string, marker: string) => /```yaml\n([\s\S]*?)```/.exec(text.slice(text.indexOf(marker) - 20))![1];
    const d = dir({
      'readme.yaml': example(readme, '# callers/reschedule.yaml'),
      'docs.yaml': example(docs, 'persona: A patient who wants'),
      'goodbye.wav': stereoWav(300),
    });
    const sim = new Callsim({ clock: 'virtual', callers: d });
    expect(sim.callers.get('readme')!.doc.lines).toHaveLength(5);
    expect(sim.callers.get('docs')!.voices.map((v) => v.kind)).toEqual(['clip', 'placeholder', 'placeholder', 'none', 'wav']);
  });

  it('refuses to start on a bad file, naming the file and the field', () => {
    const cases: Array<[Record<string, string | Buffer>, RegExp]> = [
      [{ 'a.yaml': 'language: en\nlines:\n  - { text: hi, after: soon }\n' }, /caller file .*a\.yaml: lines\.0\.after/],
      [{ 'b.yaml': 'language: en\nlines: []\n' }, /caller file .*b\.yaml: lines: must NOT have fewer than 1 items/],
      [{ 'c.yaml': 'language: en\nlines:\n  - { text: hi, volume: 11 }\n' }, /caller file .*c\.yaml: lines\.0\.volume: is not a known field/],
      [{ 'd.yaml': good }, /caller file .*d\.yaml: lines\.1\.audio: cannot read .*hello\.wav: no such file/],
      [{ 'e.yaml': good, 'hello.wav': 'not a wav' }, /caller file .*e\.yaml: lines\.1\.audio: cannot read .*not a WAV file/],
      [{ 'f.json': '{"language": "en", "lines": [' }, /caller file .*f\.json: not valid JSON/],
      [{ 'bad name.yaml': good }, /caller file .*bad name\.yaml: the file name must be/],
    ];
    for (const [files, message] of cases) expect(() => new Callsim({ clock: 'virtual', callers: dir(files) })).toThrow(message);
    expect(() => new Callsim({ clock: 'virtual', callers: join(tmpdir(), 'no-such-callers-folder') })).toThrow(/invalid callers folder: cannot read/);
  });
});
