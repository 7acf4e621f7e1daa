import { readFileSync } from 'node:fs';
import { parseYaml } from '../fixtures/data.js';

export type Doc = Record<string, any>;

interface ParamDef {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: Doc;
}

export interface OperationDef {
  operationId: string;
  method: string;
  /** Documented template, e.g. `/v1/agents/{id}`. */
  template: string;
  secured: boolean;
  params: ParamDef[];
  body?: { required: boolean; contentTypes: string[]; pointers: Record<string, string> };
  /** Status (or `default`) → JSON pointer of the response's JSON schema, if any. */
  responses: Record<string, string | null>;
  /** Status (or `default`) → the media types documented for it. */
  responseTypes: Record<string, string[]>;
  /** Pointer to the operation object itself. */
  pointer: string;
}

export interface LoadedSpec {
  id: string;
  doc: Doc;
  operations: OperationDef[];
  /** What the spec says callsim tolerates where the vendor's pages are silent (`x-callsim-tolerance`). */
  tolerance: Tolerance;
}

/**
 * The spec's own statement (root `x-callsim-tolerance`) of what a tolerant production API would
 * accept where the vendor's pages say nothing; the engine answers such requests and reports each
 * deviation as a warning (`--strict` makes them errors). A spec without it is strict.
 */
export interface Tolerance {
  /** Unknown body fields and query parameters are ignored, with a warning. */
  unknownFields?: boolean;
  /** Query parameters (page sizes) whose value above the maximum is taken as the maximum. */
  clampQuery?: string[];
  /** A number sent as a string (`"42"`) where the spec wants a number is taken as that number. */
  coerceNumbers?: boolean;
  /** Body fields (dotted paths) whose values may nest, where the pages show only flat ones. */
  freeForm?: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export function resolvePointer(doc: Doc, ref: string): any {
  if (!ref.startsWith('#/')) throw new Error(`only local refs are supported: ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .reduce((node, part) => node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

/** Follows `$ref`s on non-schema objects (parameters, responses, request bodies). */
export function deref(doc: Doc, node: any): any {
  let n = node;
  for (let i = 0; n?.$ref && i < 20; i++) n = resolvePointer(doc, n.$ref);
  return n;
}

/** Reads one OpenAPI 3.1 document and lists its operations; schemas stay in place, referred to by pointer. */
export function loadSpec(file: string, id: string): LoadedSpec {
  return loadSpecDoc(parseYaml(readFileSync(file, 'utf8')) as Doc, id);
}

export function loadSpecDoc(doc: Doc, id: string): LoadedSpec {
  const globalSecured = Array.isArray(doc.security) && doc.security.length > 0;
  const operations: OperationDef[] = [];
  for (const [template, item] of Object.entries<Doc>(doc.paths ?? {})) {
    const pathItem = deref(doc, item);
    const shared: Doc[] = pathItem.parameters ?? [];
    for (const method of METHODS) {
      const op = pathItem[method];
      if (!op) continue;
      const pointer = `#/paths/${esc(template)}/${method}`;
      const params = new Map<string, ParamDef>();
      for (const raw of [...shared, ...(op.parameters ?? [])]) {
        const p = deref(doc, raw);
        params.set(`${p.in}:${p.name}`, { name: p.name, in: p.in, required: !!p.required || p.in === 'path', schema: p.schema ?? {} });
      }
      let body: OperationDef['body'];
      if (op.requestBody) {
        const rb = deref(doc, op.requestBody);
        const rbPointer = op.requestBody.$ref ?? `${pointer}/requestBody`;
        const contentTypes = Object.keys(rb.content ?? {});
        body = {
          required: !!rb.required,
          contentTypes,
          pointers: Object.fromEntries(contentTypes.map((ct) => [ct, `${rbPointer}/content/${esc(ct)}/schema`])),
        };
      }
      const responses: Record<string, string | null> = {};
      const responseTypes: Record<string, string[]> = {};
      for (const [status, r] of Object.entries<Doc>(op.responses ?? {})) {
        const resolved = deref(doc, r);
        const base = r.$ref ?? `${pointer}/responses/${esc(status)}`;
        responseTypes[status] = Object.keys(resolved.content ?? {});
        const json = responseTypes[status].find((ct) => ct.includes('json'));
        responses[status] = json ? `${base}/content/${esc(json)}/schema` : null;
      }
      const secured = op.security ? op.security.length > 0 && op.security.some((s: Doc) => Object.keys(s).length > 0) : globalSecured;
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        template,
        secured,
        params: [...params.values()],
        body,
        responses,
        responseTypes,
        pointer,
      });
    }
  }
  return { id, doc, operations, tolerance: toleranceOf(doc, id) };
}

/** A spec's `x-callsim-tolerance`, refused at load when malformed (a typo must not turn tolerance off silently). */
function toleranceOf(doc: Doc, id: string): Tolerance {
  const t = doc['x-callsim-tolerance'];
  if (t === undefined) return {};
  const flags = ['unknownFields', 'coerceNumbers'];
  const lists = ['clampQuery', 'freeForm'];
  const bad =
    !t || typeof t !== 'object' || Array.isArray(t)
      ? ['(not an object)']
      : Object.entries(t)
          .filter(
            ([k, v]) => !(flags.includes(k) && typeof v === 'boolean') && !(lists.includes(k) && Array.isArray(v) && v.every((x) => typeof x === 'string')),
          )
          .map(([k]) => k);
  if (bad.length) throw new Error(`${id}: x-callsim-tolerance: ${bad.join(', ')} — expected booleans ${flags.join(', ')} and string lists ${lists.join(', ')}`);
  return t as Tolerance;
}

/** The response key an answer's status is documented under (`201`, `4XX`, `default`), or undefined. */
export function documentedStatus(op: OperationDef, status: number): string | undefined {
  const s = String(status);
  if (s in op.responses) return s;
  if (`${s[0]}XX` in op.responses) return `${s[0]}XX`;
  return 'default' in op.responses ? 'default' : undefined;
}
