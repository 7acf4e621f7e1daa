#!/usr/bin/env node
/**
 * Build step (after tsc): the command line as one ES module, dist/cli/cli.js (the package's `bin`),
 * so a start loads one file of callsim's own code instead of ~150: Node 20's module loader costs
 * about a millisecond a module, the largest share of start-up once nothing is parsed or compiled.
 * Packages stay external and load as they are; the library entry (dist/src/index.js) is not
 * bundled. A dynamic import (the cluster) becomes a chunk of its own, loaded only when used.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'cli');
rmSync(out, { recursive: true, force: true });
await build({
  input: join(root, 'dist', 'src', 'cli.js'),
  platform: 'node',
  // Anything not a relative or absolute path is a package (or a node: builtin): left to Node.
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  output: { dir: out, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name].js', sourcemap: false },
  logLevel: 'warn',
});
process.stdout.write('command line bundled: dist/cli/cli.js\n');
