import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Doc } from './spec.js';
import type { Precompiled } from './validator.js';

/**
 * Start-up cost: parsing four YAML specs and compiling ~75 operations' validators takes most of a
 * second. The build (`npm install` → prepare) writes each spec as JSON and its validators as ajv
 * standalone code under dist/; at start we use them when the spec's hash still matches, and fall
 * back to parsing and compiling when it does not (editing a spec never serves stale validators).
 */
export const specHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

const require = createRequire(import.meta.url);

export interface CachedSpec {
  doc: Doc;
  precompiled?: Precompiled;
}

export function readSpec(specFile: string, distDir: string, id: string): CachedSpec {
  const text = readFileSync(specFile, 'utf8');
  const hash = specHash(text);
  const json = join(distDir, `${id}.${hash}.json`);
  const body = join(distDir, `${id}.${hash}.body.cjs`);
  const params = join(distDir, `${id}.${hash}.params.cjs`);
  if (existsSync(json) && existsSync(body) && existsSync(params)) {
    return { doc: JSON.parse(readFileSync(json, 'utf8')), precompiled: { body: require(body), params: require(params) } };
  }
  return { doc: parse(text) as Doc };
}
