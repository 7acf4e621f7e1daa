/**
 * Build step, run by build-validators.ts for each spec: a compiled serialiser (fast-json-stringify,
 * standalone code) for every JSON response the spec documents, each with the ajv check that a value
 * fits it (shape.ts says why both come from one shape). Identical shapes share one module; each
 * module is loaded on the first answer that uses it, so start-up reads none of them.
 */
import standalone from 'ajv/dist/standalone/index.js';
import fastJson from 'fast-json-stringify';
import { fitsSchema, hasShape, shapeAt } from './shape.js';
import type { Doc, OperationDef } from './spec.js';
import { makeFitsAjv } from './validator.js';

// ajv ships CommonJS with `exports.default`: take the function wherever the loader put it.
const standaloneCode = ((standalone as unknown as { default?: unknown }).default ?? standalone) as (ajv: unknown, refs: Record<string, string>) => string;

export interface SerializerModules {
  /** `operationId status` (the documented status key) → the module serialising that answer. */
  index: Record<string, number>;
  /** Each module's text: `module.exports = { fits, write }`. */
  modules: string[];
}

export function serializerModules(doc: Doc, operations: OperationDef[]): SerializerModules {
  const shapes: string[] = [];
  const index: Record<string, number> = {};
  for (const op of operations) {
    for (const [status, pointer] of Object.entries(op.responses)) {
      if (!pointer) continue;
      const shape = shapeAt(doc, pointer);
      // A shape that is "any" at the top gives the serialiser nothing: JSON.stringify it is.
      if (!hasShape(shape)) continue;
      const text = JSON.stringify(shape);
      let i = shapes.indexOf(text);
      if (i === -1) i = shapes.push(text) - 1;
      index[`${op.operationId} ${status}`] = i;
    }
  }
  const modules = shapes.map((text) => {
    const shape = JSON.parse(text);
    const ajv = makeFitsAjv({ source: true });
    ajv.addSchema(fitsSchema(shape), 'fits');
    return `'use strict';
const fits = (() => { const exports = {};
${standaloneCode(ajv, { fits: 'fits' })}
return exports.fits; })();
const write = (() => { const module = { exports: {} };
${fastJson(shape, { mode: 'standalone' })}
return module.exports; })();
module.exports = { fits, write };
`;
  });
  return { index, modules };
}
