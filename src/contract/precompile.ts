import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { parseYaml } from '../fixtures/data.js';
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
  /** The build's folder of compiled response serialisers for this spec. */
  serializers?: string;
}

/** A module required on first call, then kept. */
function lazy<T>(file: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(file) as T);
}

export function readSpec(specFile: string, distDir: string, id: string): CachedSpec {
  const text = readFileSync(specFile, 'utf8');
  const hash = specHash(text);
  const json = join(distDir, `${id}.${hash}.json`);
  const body = join(distDir, `${id}.${hash}.body.cjs`);
  const params = join(distDir, `${id}.${hash}.params.cjs`);
  if (existsSync(json) && existsSync(body) && existsSync(params)) {
    const at = new Map<string, () => Record<string, ValidateFunction>>();
    const atModule = (name: string) => {
      const file = join(distDir, `${id}.${hash}.${name}.cjs`);
      if (!at.has(name)) at.set(name, existsSync(file) ? lazy(file) : () => ({}));
      return at.get(name)!()[name];
    };
    const serializers = join(distDir, `${id}.${hash}.serializers`);
    return {
      doc: JSON.parse(readFileSync(json, 'utf8')),
      precompiled: { body: lazy(body), params: lazy(params), at: atModule },
      serializers: existsSync(serializers) ? serializers : undefined,
    };
  }
  return { doc: parseYaml(text) as Doc };
}
