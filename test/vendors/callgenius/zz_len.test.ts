import { it } from 'vitest';
import { loadLibrary } from '../../../src/fixtures/index.js';
it('len', () => {
  const lib = loadLibrary();
  for (const c of lib.conversations) console.log(c.id, c.totalMs, c.lines.map(l=>l.speaker[0]).join(''));
});
