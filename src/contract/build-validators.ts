/**
 * Build step (run by `npm run build` after tsc): writes dist/validators/<vendor>.<hash>.json and
 * its ajv standalone validators, so the server starts without parsing YAML or compiling schemas.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { _ } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { parse } from 'yaml';
import { SPECS_DIR } from '../fixtures/index.js';
import { serializerModules } from './build-serializers.js';
import { VALIDATORS_DIR } from './load.js';
import { specHash } from './precompile.js';
import { loadSpecDoc, resolvePointer } from './spec.js';
import { makeAjv, POINTERS_CHECKED, paramsSchema, pointerName, validatorNames } from './validator.js';

// ajv ships CommonJS with `exports.default`: take the function wherever the loader put it.
const standaloneCode = ((standalone as unknown as { default?: unknown }).default ?? standalone) as (ajv: unknown, refs: Record<string, string>) => string;
const OUT = VALIDATORS_DIR;
const code = { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` };

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
for (const file of readdirSync(SPECS_DIR).filter((f) => f.endsWith('.yaml'))) {
  const v = { name: file.replace(/\.yaml$/, '') };
  const text = readFileSync(join(SPECS_DIR, file), 'utf8');
  const hash = specHash(text);
  const doc = parse(text);
  const spec = loadSpecDoc(doc, v.name);
  const bodyAjv = makeAjv(false, code);
  const paramAjv = makeAjv(true, code);
  bodyAjv.addSchema(doc, v.name);
  paramAjv.addSchema(doc, v.name);
  const bodyRefs: Record<string, string> = {};
  const paramRefs: Record<string, string> = {};
  for (const op of spec.operations) {
    const n = validatorNames(op);
    const path = paramsSchema(v.name, op, 'path');
    const query = paramsSchema(v.name, op, 'query');
    if (path) paramAjv.addSchema(path, (paramRefs[n.path] = n.path));
    if (query) paramAjv.addSchema(query, (paramRefs[n.query] = n.query));
    for (const [ct, pointer] of Object.entries(op.body?.pointers ?? {})) {
      if (ct.includes('json')) bodyAjv.addSchema({ $ref: v.name + pointer }, (bodyRefs[n.body(ct)] = n.body(ct)));
    }
  }
  // One module per schema checked by pointer: options are checked at every start, snapshots (a
  // large schema) only on restore, so each is loaded only when used.
  for (const pointer of POINTERS_CHECKED) {
    if (resolvePointer(doc, pointer) === undefined) continue;
    const atAjv = makeAjv(false, code);
    atAjv.addSchema(doc, v.name);
    atAjv.addSchema({ $ref: v.name + pointer }, pointerName(pointer));
    writeFileSync(join(OUT, `${v.name}.${hash}.${pointerName(pointer)}.cjs`), standaloneCode(atAjv, { [pointerName(pointer)]: pointerName(pointer) }));
  }
  writeFileSync(join(OUT, `${v.name}.${hash}.json`), JSON.stringify(doc));
  writeFileSync(join(OUT, `${v.name}.${hash}.body.cjs`), standaloneCode(bodyAjv, bodyRefs));
  writeFileSync(join(OUT, `${v.name}.${hash}.params.cjs`), standaloneCode(paramAjv, paramRefs));
  const serializers = serializerModules(doc, spec.operations);
  const dir = join(OUT, `${v.name}.${hash}.serializers`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.json'), JSON.stringify(serializers.index));
  serializers.modules.forEach((text, i) => writeFileSync(join(dir, `${i}.cjs`), text));
}
process.stdout.write(`precompiled validators: ${readdirSync(OUT).length} files in dist/validators\n`);
