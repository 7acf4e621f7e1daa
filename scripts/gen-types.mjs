#!/usr/bin/env node
/**
 * Build step (before tsc): TypeScript types for every spec in specs/, so a handler for
 * `createCall` gets its typed body, params and query, and a missing or extra handler does not
 * compile. Writes src/generated/<spec>.ts (not committed): openapi-typescript's `operations`,
 * plus `defaults`, the query parameters per operation that the validator fills in when absent
 * (ajv `useDefaults`), so handlers may rely on them. Skips a spec whose text has not changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const specsDir = join(root, 'specs');
const outDir = join(root, 'src', 'generated');
mkdirSync(outDir, { recursive: true });

const deref = (doc, node) => {
  let n = node;
  for (let i = 0; n?.$ref && i < 20; i++)
    n = n.$ref
      .slice(2)
      .split('/')
      .reduce((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  return n;
};

/** operationIds served at paths (the spec's `webhooks` are operations too, but nobody handles them). */
function pathOperations(doc) {
  const ids = [];
  for (const item of Object.values(doc.paths ?? {})) for (const op of Object.values(item)) if (op?.operationId) ids.push(JSON.stringify(op.operationId));
  return ids.join(' | ') || 'never';
}

function defaultedQuery(doc) {
  const out = {};
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item)) {
      if (!op?.operationId) continue;
      const names = [...(item.parameters ?? []), ...(op.parameters ?? [])]
        .map((p) => deref(doc, p))
        .filter((p) => p.in === 'query' && deref(doc, p.schema)?.default !== undefined)
        .map((p) => JSON.stringify(p.name));
      out[op.operationId] = names.length ? names.join(' | ') : 'never';
    }
  }
  return out;
}

let written = 0;
for (const file of readdirSync(specsDir).filter((f) => f.endsWith('.yaml'))) {
  const text = readFileSync(join(specsDir, file), 'utf8');
  const hash = createHash('sha256')
    .update(text)
    .update(readFileSync(new URL(import.meta.url)))
    .digest('hex')
    .slice(0, 16);
  const target = join(outDir, file.replace(/\.yaml$/, '.ts'));
  if (existsSync(target) && readFileSync(target, 'utf8').includes(`spec hash ${hash}`)) continue;
  const doc = parse(text);
  const ast = await openapiTS(doc, { defaultNonNullable: true, alphabetize: false });
  const defaults = Object.entries(defaultedQuery(doc))
    .map(([id, names]) => `  ${id}: ${names};`)
    .join('\n');
  writeFileSync(
    target,
    `/* Generated from specs/${file} by scripts/gen-types.mjs (spec hash ${hash}); do not edit. */\n\n${astToString(ast)}\n` +
      `/** Query parameters the validator fills in with their documented default. */\nexport interface defaults {\n${defaults}\n}\n\n` +
      `/** The operations served at the spec's paths: the ones a handler table must answer. */\nexport type endpoints = Pick<operations, ${pathOperations(doc)}>;\n`,
  );
  written++;
}
process.stdout.write(`spec types: ${written} written in src/generated\n`);
