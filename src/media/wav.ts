import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import wavefile from 'wavefile';

const { WaveFile } = wavefile as unknown as { WaveFile: typeof import('wavefile').WaveFile };

export const SAMPLE_RATE = 8000;

/**
 * A clip's length from its RIFF header alone: start-up reads ~80 clips and needs only their
 * durations, so samples are decoded later, on first use.
 */
export function wavDurationMs(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(512);
    const n = readSync(fd, head, 0, head.length, 0);
    let off = 12;
    let byteRate = SAMPLE_RATE;
    while (off + 8 <= n) {
      const id = head.toString('ascii', off, off + 4);
      const size = head.readUInt32LE(off + 4);
      if (id === 'fmt ') byteRate = head.readUInt32LE(off + 16);
      if (id === 'data') return Math.round((size / byteRate) * 1000);
      off += 8 + size + (size % 2);
    }
    throw new Error(`${file}: no data chunk in the WAV header`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Decodes a clip (μ-law or PCM, any rate, mono; of a stereo file the first channel) to 8 kHz 16-bit
 * PCM samples: the project's clips, and users' own WAV files for simulated callers.
 */
export function readClipPcm(file: string): Int16Array {
  const wav = new WaveFile(readFileSync(file));
  if (wav.bitDepth === '8m') wav.fromMuLaw();
  else if (wav.bitDepth !== '16') wav.toBitDepth('16');
  if ((wav.fmt as { sampleRate: number }).sampleRate !== SAMPLE_RATE) wav.toSampleRate(SAMPLE_RATE);
  const samples = wav.getSamples(false, Int16Array) as unknown as Int16Array | Int16Array[];
  return Int16Array.from(Array.isArray(samples) ? samples[0] : samples);
}
