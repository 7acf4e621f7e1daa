import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type Doc, resolvePointer } from '../contract/spec.js';

/** A start-up error about one mounted document: names the file and what is wrong with it. */
export class DocumentError extends Error {
  constructor(file: string, problem: string) {
    super(`--spec ${file}: ${problem}`);
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** Every `$ref` in the document must point inside it: the engine resolves local pointers only. */
function checkRefs(file: string, doc: Doc): void {
  const stack: unknown[] = [doc];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        if (!v.startsWith('#/'))
          throw new DocumentError(file, `$ref "${v}" points outside the document; bundle it into one file first (e.g. \`npx @redocly/cli bundle\`)`);
        if (resolvePointer(doc, v) === undefined) throw new DocumentError(file, `$ref "${v}" points at nothing in the document`);
      } else if (v && typeof v === 'object') stack.push(v);
    }
  }
}

/**
 * OpenAPI 3.0 schemas are not quite JSON Schema: `nullable: true` and boolean `exclusiveMinimum` /
 * `exclusiveMaximum` mean what 2020-12 writes as a `null` type and numeric bounds. The converters on
 * npm target draft-04, which keeps the boolean form that Ajv's 2020 dialect does not read, so the
 * two rewrites are done here, in place, on every schema object reachable from the document.
 */
function upgrade30Schemas(doc: Doc): void {
  const stack: unknown[] = [doc];
  while (stack.length) {
    const node = stack.pop() as Doc | undefined;
    if (!node || typeof node !== 'object') continue;
    if (node.nullable === true && node.type !== undefined && !Array.isArray(node.type)) {
      node.type = [node.type, 'null'];
      if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...node.enum, null];
    }
    for (const [flag, bound] of [
      ['exclusiveMinimum', 'minimum'],
      ['exclusiveMaximum', 'maximum'],
    ] as const) {
      if (typeof node[flag] !== 'boolean') continue;
      if (node[flag] && typeof node[bound] === 'number') {
        node[flag] = node[bound];
        delete node[bound];
      } else delete node[flag];
    }
    for (const v of Object.values(node)) if (v && typeof v === 'object') stack.push(v);
  }
}

/** What a mount serves: the document as the user wrote it (for Prism) and the engine's copy of it. */
export interface MountDocument {
  /** As parsed, for Prism. */
  original: Doc;
  /** Schemas in the 2020-12 dialect, every operation with an operationId: what src/contract reads. */
  contract: Doc;
  version: '3.0' | '3.1';
}

/** Reads, checks and prepares one OpenAPI 3.0/3.1 document; every problem names the file. */
export function readMountDocument(file: string): MountDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DocumentError(file, `cannot read it: ${(err as Error).message}`);
  }
  let original: Doc;
  try {
    original = (file.endsWith('.json') ? JSON.parse(text) : parse(text)) as Doc;
  } catch (err) {
    throw new DocumentError(file, `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!original || typeof original !== 'object' || Array.isArray(original)) throw new DocumentError(file, 'the top level must be an OpenAPI object');
  const version = /^3\.([01])\.\d+/.exec(String(original.openapi ?? ''))?.[1];
  if (!version) {
    const found = original.swagger ? `swagger ${original.swagger}` : original.openapi ? `openapi ${original.openapi}` : 'no `openapi` field';
    throw new DocumentError(file, `not an OpenAPI 3.0 or 3.1 document (${found})`);
  }
  if (!original.paths || typeof original.paths !== 'object' || !Object.keys(original.paths).length) throw new DocumentError(file, 'it has no `paths`');
  checkRefs(file, original);
  const contract = structuredClone(original);
  if (version === '0') upgrade30Schemas(contract);
  const ids = new Set<string>();
  for (const [template, item] of Object.entries<Doc>(contract.paths)) {
    if (!template.startsWith('/')) throw new DocumentError(file, `path "${template}" must start with /`);
    const pathItem = item?.$ref ? resolvePointer(contract, item.$ref) : item;
    for (const method of METHODS) {
      const op = pathItem?.[method];
      if (!op) continue;
      // The engine keys operations by id; a document without ids gets `get /pets/{id}`-style ones.
      op.operationId ??= `${method} ${template}`;
      if (ids.has(op.operationId)) throw new DocumentError(file, `operationId "${op.operationId}" is used twice`);
      ids.add(op.operationId);
    }
  }
  return { original, contract, version: version === '0' ? '3.0' : '3.1' };
}
