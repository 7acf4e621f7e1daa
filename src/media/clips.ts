import { join } from 'node:path';
import { FIXTURES_DIR } from '../fixtures/index.js';
import { readClipPcm } from './wav.js';

const cache = new Map<string, Int16Array>();

/** A fixture clip as 8 kHz 16-bit PCM, decoded once and kept. */
export function clipPcm(audioPath: string): Int16Array {
  let pcm = cache.get(audioPath);
  if (!pcm) {
    pcm = readClipPcm(join(FIXTURES_DIR, 'conversations', 'audio', audioPath));
    cache.set(audioPath, pcm);
  }
  return pcm;
}
