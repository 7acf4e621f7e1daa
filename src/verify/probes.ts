import { type Doc, deref, type OperationDef, resolvePointer } from '../contract/spec.js';

/** One request a drift check sends: an operation of the spec with its path filled. */
export interface Probe {
  op: OperationDef;
  path: string;
  query: Record<string, string>;
  body?: unknown;
}

/** Records seen in answers, by the collection path they were listed (or created) under. */
export type Harvest = Map<string, Array<Record<string, unknown>>>;

const paramNames = (template: string) => [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);

/** Operations a drift check may send: reads, and creates when writes are allowed; fewest path parameters first. */
export function probeOrder(ops: OperationDef[], allowWrites: boolean): OperationDef[] {
  return ops
    .filter((op) => (op.method === 'GET' && !op.body) || (allowWrites && op.method === 'POST'))
    .sort((a, b) => paramNames(a.template).length - paramNames(b.template).length || a.template.length - b.template.length);
}

/** A value the document gives for a parameter or schema: its example, a default, the first enum value. */
function documented(p: { schema: Doc; example?: unknown; examples?: Record<string, Doc> }, doc: Doc): unknown {
  const s = deref(doc, p.schema) ?? {};
  const fromExamples = p.examples && Object.values(p.examples).map((e) => deref(doc, e)?.value)[0];
  for (const v of [p.example, fromExamples, s.example, s.examples?.[0], s.default, s.enum?.[0], s.const]) if (v !== undefined) return v;
  return undefined;
}

/** The raw parameter objects of an operation (the loader keeps only what validation needs). */
function rawParams(doc: Doc, op: OperationDef): Doc[] {
  const opNode = resolvePointer(doc, op.pointer);
  const pathNode = deref(doc, resolvePointer(doc, op.pointer.replace(/\/[a-z]+$/, '')));
  return [...(pathNode?.parameters ?? []), ...(opNode?.parameters ?? [])].map((p: Doc) => deref(doc, p));
}

/** The request body the document shows for a create: its first example. */
function exampleBody(doc: Doc, op: OperationDef): unknown {
  const rb = deref(doc, resolvePointer(doc, op.pointer)?.requestBody);
  const media = rb?.content?.['application/json'] ?? Object.values<Doc>(rb?.content ?? {})[0];
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  const first = Object.values<Doc>(media.examples ?? {})[0];
  return first === undefined ? undefined : deref(doc, first)?.value;
}

/**
 * The request for one operation, or why there is none: each path parameter takes an id seen in an
 * earlier answer of its collection (`/v1/agents/{id}` ← `GET /v1/agents`), else the document's
 * example; required query parameters take their documented values; a create sends its example body.
 */
export function buildProbe(doc: Doc, op: OperationDef, harvest: Harvest): Probe | { skipped: string } {
  const params = rawParams(doc, op);
  let path = op.template;
  for (const name of paramNames(op.template)) {
    const collection = op.template.slice(0, op.template.indexOf(`{${name}}`)).replace(/\/$/, '');
    // The record's own field of that name (`agentId`), else its `id`.
    const record = harvest.get(collection)?.[0];
    const own = record?.[name] ?? record?.id;
    const seen = typeof own === 'string' || typeof own === 'number' ? own : undefined;
    const p = params.find((x) => x.in === 'path' && x.name === name);
    const value = seen ?? (p ? documented(p as never, doc) : undefined);
    if (value === undefined) return { skipped: `no ${name} to probe with: list ${collection} first, or document an example` };
    path = path.replace(`{${name}}`, encodeURIComponent(String(value)));
  }
  const query: Record<string, string> = {};
  for (const p of params.filter((x) => x.in === 'query' && x.required)) {
    const value = documented(p as never, doc);
    if (value === undefined) return { skipped: `no value for the required query parameter ${p.name}` };
    query[p.name] = String(value);
  }
  if (op.method !== 'POST') return { op, path, query };
  const body = exampleBody(doc, op);
  if (body === undefined && op.body?.required) return { skipped: 'no documented example body to create with' };
  return { op, path, query, body };
}

type Rec = Record<string, unknown>;
const isRecord = (x: unknown): x is Rec => !!x && typeof x === 'object' && !Array.isArray(x);

/** The records of an answer: its first array of objects (top level, or a level or two down as `data`), else the object itself. */
function recordsIn(body: unknown): Rec[] {
  const records = (items: unknown[]) => items.filter(isRecord).slice(0, 5);
  if (Array.isArray(body)) return records(body);
  if (!isRecord(body)) return [];
  for (const v of Object.values(body)) if (Array.isArray(v) && v.length) return records(v);
  for (const v of Object.values(body)) if (isRecord(v)) for (const w of Object.values(v)) if (Array.isArray(w) && w.length) return records(w);
  // `{data: {...}}` envelopes (Calleague) hold the one record.
  if (isRecord(body.data)) return [body.data];
  return [body];
}

/** Remembers the ids a successful list or create answered, under the collection they belong to. */
export function harvest(into: Harvest, probe: Probe, status: number, body: unknown): void {
  if (status < 200 || status >= 300) return;
  if (probe.op.template.endsWith('}')) return;
  const records = recordsIn(body);
  if (!records.length) return;
  // A list at `/agent/list` or a create at `/agent/call` names records of `/agent/{id}` too.
  const collection = probe.op.template.replace(/\/$/, '');
  for (const key of [collection, collection.slice(0, collection.lastIndexOf('/'))]) {
    if (key) into.set(key, [...(into.get(key) ?? []), ...records]);
  }
}
