/**
 * Request generators and response oracles of the robustness suite, shared by the vitest suite
 * (test/robustness/*.test.ts) and the soak bench (bench/soak.ts). No vitest import here: the bench
 * builds with the production tsconfig.
 *
 * Every spec operation gets requests built from its own schemas (json-schema-faker, seeded), with
 * path ids, body ids and phone numbers taken from the running world so that a good share of the
 * generated requests reach real records. The local copy of the server's contract validator is the
 * oracle that says whether a generated request is valid; the server must then answer:
 *   valid   → a status the operation documents explicitly (not just `default`), below 500, with a
 *             body that matches the spec for that status;
 *   invalid → exactly the status the vendor's error writer gives a validation failure, documented,
 *             in the vendor's error envelope.
 */
import { generateSync, type JsonSchema } from 'json-schema-faker';
import type { Callsim } from '../../src/app.js';
import { type Doc, type OperationDef, resolvePointer } from '../../src/contract/spec.js';
import type { SimRequest, Violation } from '../../src/contract/types.js';
import { applyTolerance } from '../../src/engine/tolerance.js';
import type { VendorSurface } from '../../src/vendors/surface.js';

export interface Exchange {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface SendOptions {
  raw?: string | Buffer;
  headers?: Record<string, string>;
  /** undefined: the vendor's demo key; null: none. */
  key?: string | null;
}

/** How requests reach the server: the test suite goes through `sim.api`, the bench through fetch. */
export interface Harness {
  sim: Callsim;
  send(vendor: string, method: string, path: string, o?: SendOptions): Promise<Exchange>;
  advance(ms: number): Promise<void>;
  reset(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------------------------

export interface Rng {
  next(): number;
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/** Mulberry32: small, seedable, good enough to pick among candidates. */
export function rng(seed: number): Rng {
  let a = seed >>> 0 || 1;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

const derefCache = new WeakMap<Doc, Map<string, any>>();

/** Keywords whose value maps names to schemas: their keys are names, never keywords to drop. */
const NAME_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/** A schema with every local `$ref` inlined; a cycle becomes `{}` (anything) at its second visit. */
export function derefSchema(doc: Doc, node: any, seen: string[] = [], names = false): any {
  if (Array.isArray(node)) return node.map((n) => derefSchema(doc, n, seen));
  if (!node || typeof node !== 'object') return node;
  if (!names && typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
    const ref: string = node.$ref;
    if (seen.includes(ref)) return {};
    const { $ref: _drop, ...rest } = node;
    return derefSchema(doc, { ...resolvePointer(doc, ref), ...rest }, [...seen, ref]);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    // Documentation-only keywords: the faker would copy examples verbatim, which narrows the search.
    if (!names && (k === 'example' || k === 'examples' || k === 'description')) continue;
    out[k] = derefSchema(doc, v, seen, !names && NAME_MAPS.has(k));
  }
  return out;
}

export function schemaAt(doc: Doc, pointer: string): any {
  let cache = derefCache.get(doc);
  if (!cache) derefCache.set(doc, (cache = new Map()));
  if (!cache.has(pointer)) cache.set(pointer, derefSchema(doc, resolvePointer(doc, pointer)));
  return cache.get(pointer);
}

/** Webhook URLs point at a closed local port: generated subscriptions must never reach the internet. */
const FORMATS = {
  uri: (r: { int(a: number, b: number): number }) => `http://127.0.0.1:9/hook/${r.int(1, 1_000_000)}`,
  url: (r: { int(a: number, b: number): number }) => `http://127.0.0.1:9/hook/${r.int(1, 1_000_000)}`,
};

function fake(schema: any, seed: number): unknown {
  try {
    return generateSync(schema as JsonSchema, {
      seed,
      formats: FORMATS,
      optionalsProbability: 0.6,
      maxDefaultItems: 3,
      maxDepth: 6,
      minDateTime: '2025-01-01T00:00:00Z',
      maxDateTime: '2026-12-31T00:00:00Z',
    });
  } catch {
    return undefined;
  }
}

/** The request body examples the spec gives an operation (`example` and `examples.*.value`). */
function requestExamples(doc: Doc, op: OperationDef, ct: string): unknown[] {
  const rb = resolvePointer(doc, op.pointer)?.requestBody;
  const media = (rb?.$ref ? resolvePointer(doc, rb.$ref) : rb)?.content?.[ct];
  if (!media) return [];
  const out: unknown[] = [];
  if (media.example !== undefined) out.push(media.example);
  for (const e of Object.values<any>(media.examples ?? {})) {
    const ex = e?.$ref ? resolvePointer(doc, e.$ref) : e;
    if (ex && 'value' in ex) out.push(ex.value);
  }
  return out;
}

const jsonBodyType = (op: OperationDef): string | undefined => op.body?.contentTypes.find((ct) => ct.includes('json'));

/** Operations whose body the generators can write (JSON, or no body at all). */
export const generatable = (op: OperationDef): boolean => !op.body || jsonBodyType(op) !== undefined;

// ---------------------------------------------------------------------------------------------
// Ids from the running world
// ---------------------------------------------------------------------------------------------

export type IdKind = 'agent' | 'call' | 'number' | 'campaign' | 'conversation' | 'knowledge' | 'webhook' | 'version' | 'tenant' | 'e164' | 'inventory';

function accountOf(sim: Callsim, runtime: VendorSurface, which: 'demo' | 'other'): string | undefined {
  const key = which === 'demo' ? runtime.adapter.demoKey : runtime.adapter.otherKey;
  return sim.world.sessions.get(key)?.accountId;
}

/** Live ids of one kind in one account (the world changes as requests create and delete). */
function idsOf(sim: Callsim, runtime: VendorSurface, accountId: string | undefined, kind: IdKind): string[] {
  if (!accountId || !sim.world.accounts.has(accountId)) return [];
  const s = sim.world.store(accountId);
  switch (kind) {
    case 'agent':
      return [...s.agents.keys()];
    case 'call':
      return [...s.calls.keys()];
    case 'number':
      return [...s.numbers.keys()];
    case 'campaign':
      return [...s.campaigns.keys()];
    case 'conversation':
      return [...s.smsConversations.keys()];
    case 'knowledge':
      return [...s.knowledge.keys()];
    case 'webhook':
      return runtime.services.webhooks.list(accountId).map((w) => w.id);
    case 'version': {
      const max = Math.max(1, ...[...s.agents.values()].map((a) => a.version ?? 1));
      return Array.from({ length: max + 1 }, (_, i) => String(i + 1));
    }
    // A vendor that names its accounts by a public tenant number keeps it in the account settings.
    case 'tenant':
      return [...sim.world.accounts.values()].filter((a) => a.namespace === runtime.adapter.name).map((a) => String(a.settings.tenantId ?? a.id));
    case 'e164':
      return [...s.numbers.values()].map((n) => n.e164);
    case 'inventory':
      return [...(sim.world.inventory.get(sim.world.accounts.get(accountId)!.namespace)?.keys() ?? [])].slice(0, 50);
  }
}

/** What a path parameter names, from its name and the literal segment before it. */
function pathParamKind(op: OperationDef, name: string): IdKind | undefined {
  const segs = op.template.split('/');
  const i = segs.indexOf(`{${name}}`);
  const before = (segs[i - 1] ?? '').toLowerCase();
  const n = name.toLowerCase();
  if (n.includes('version')) return 'version';
  if (n.includes('number')) return 'number';
  const key = `${n} ${before}`;
  if (/number/.test(before)) return 'number';
  if (/agent|assistant/.test(key)) return 'agent';
  if (/campaign/.test(key)) return 'campaign';
  if (/conversation/.test(key)) return 'conversation';
  if (/knowledge/.test(key)) return 'knowledge';
  if (/webhook/.test(key)) return 'webhook';
  if (/tenant/.test(key)) return 'tenant';
  if (/call/.test(key)) return 'call';
  return undefined;
}

/** What a body or query field holds, from its name (and the operation, for phone numbers). */
export function fieldKind(op: OperationDef, name: string): IdKind | undefined {
  const n = name.toLowerCase();
  if (/^(agent|assistant)_?id$/.test(n)) return 'agent';
  if (/^(phone_)?number_?id$/.test(n)) return 'number';
  if (/^call_?id$/.test(n)) return 'call';
  if (/^campaign_?id$/.test(n)) return 'campaign';
  if (/^tenant_?id$/.test(n)) return 'tenant';
  if (n === 'from') return 'e164';
  if ((n === 'phone_number' || n === 'number' || n === 'phonenumber') && /purchase|provision|buy/i.test(op.operationId)) return 'inventory';
  return undefined;
}

/** A live id in place of a generated one, most of the time; the other account's sometimes. */
function realize(sim: Callsim, runtime: VendorSurface, kind: IdKind, generated: unknown, r: Rng, own: string | undefined, other: string | undefined): unknown {
  // `from` is a phone number in a body and a date in a list filter: only numbers are swapped.
  if ((kind === 'e164' || kind === 'inventory') && !(typeof generated === 'string' && generated.startsWith('+'))) return generated;
  const roll = r.next();
  const pool = roll < 0.75 ? idsOf(sim, runtime, own, kind) : roll < 0.85 ? idsOf(sim, runtime, other, kind) : [];
  if (!pool.length) return generated;
  const id = r.pick(pool);
  if (typeof generated === 'number' && /^\d+$/.test(id)) return Number(id);
  if (typeof generated === 'number') return generated;
  return id;
}

// ---------------------------------------------------------------------------------------------
// Planned requests
// ---------------------------------------------------------------------------------------------

export interface Plan {
  op: OperationDef;
  /** Decoded path parameters. */
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  /** JSON body, or undefined for none. */
  body?: unknown;
  /** What was done to make it invalid (empty for a generated valid request). */
  mutation: string;
}

const asQueryValue = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function pathOf(p: Plan): string {
  const path = p.op.template.replace(/\{([^}]+)\}/g, (_, n: string) => encodeURIComponent(p.params[n] ?? ''));
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(p.query)) for (const one of Array.isArray(v) ? v : [v]) qs.append(k, one);
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

function filledPath(p: Plan): string {
  return pathOf(p).split('?')[0];
}

/** Cursor parameters (CallingBox's lists): they must name an item of the list they page. */
const CURSORS = new Set(['starting_after', 'ending_before']);

/** An item of the list `op` answers, to page from; undefined when the list is empty. */
function cursorOf(sim: Callsim, runtime: VendorSurface, op: OperationDef, accountId: string | undefined, r: Rng): string | undefined {
  const id = op.operationId.toLowerCase();
  const pool = id.includes('available')
    ? [...(sim.world.inventory.get(runtime.name)?.keys() ?? [])]
    : idsOf(sim, runtime, accountId, id.includes('call') ? 'call' : id.includes('agent') ? 'agent' : 'number');
  return pool.length ? r.pick(pool) : undefined;
}

/** A request the spec allows, as far as the faker manages (the local validator has the last word). */
export function planValid(sim: Callsim, runtime: VendorSurface, op: OperationDef, seed: number): Plan {
  const r = rng(seed);
  const own = accountOf(sim, runtime, 'demo');
  const other = accountOf(sim, runtime, 'other');
  const doc = runtime.spec.doc;
  const params: Record<string, string> = {};
  const query: Record<string, string | string[]> = {};
  let k = 0;
  for (const p of op.params) {
    k++;
    const schema = derefSchema(doc, p.schema);
    if (p.in === 'path') {
      const kind = pathParamKind(op, p.name);
      let v: unknown = fake(schema, seed + k);
      if (kind) v = realize(sim, runtime, kind, v, r, own, other);
      else if (typeof v === 'string' && r.chance(0.2)) v = trickyString(schema, r) || v;
      params[p.name] = asQueryValue(v ?? 'x');
    } else if (p.in === 'query') {
      if (!p.required && !r.chance(0.5)) continue;
      if (CURSORS.has(p.name)) {
        // A cursor names an item of the list (CallingBox): one of them, and one cursor at a time.
        const id = Object.keys(query).some((q) => CURSORS.has(q)) ? undefined : cursorOf(sim, runtime, op, own, r);
        if (id !== undefined) query[p.name] = id;
        continue;
      }
      let v: unknown = fake(schema, seed + k);
      // Pages and sizes near their minimum half of the time: a uniform pick is nearly always past the end.
      if (typeof v === 'number' && typeof schema.minimum === 'number' && r.chance(0.5)) v = Math.min(schema.minimum + r.int(0, 3), schema.maximum ?? Infinity);
      const kind = fieldKind(op, p.name);
      if (kind && kind !== 'inventory') v = realize(sim, runtime, kind, v, r, own, other);
      else if (typeof v === 'string' && r.chance(0.2)) v = trickyString(schema, r) || v;
      if (v === undefined || v === null) continue;
      query[p.name] = Array.isArray(v) ? v.map(asQueryValue) : asQueryValue(v);
    }
  }
  let body: unknown;
  const ct = jsonBodyType(op);
  if (ct) {
    const schema = schemaAt(doc, op.body!.pointers[ct]);
    const examples = requestExamples(doc, op, ct);
    // The spec's own examples now and then (they name the fixtures: logins, real ids), else the faker.
    body = examples.length && r.chance(0.2) ? clone(r.pick(examples)) : fake(schema, seed);
    if (r.chance(0.35)) body = spice(schema, body, r);
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
        const kind = fieldKind(op, name);
        if (kind && (typeof value === 'string' || typeof value === 'number'))
          (body as Record<string, unknown>)[name] = realize(sim, runtime, kind, value, r, own, other);
      }
    }
  }
  return steer(runtime, { op, params, query, body, mutation: '' });
}

/** Strings that tend to break things; each is cut to the field's maxLength (in code points). */
const TRICKY_STRINGS = [
  'şğüİı 日本語 🎉👩‍👩‍👧',
  'مرحبا بالعالم',
  '\u202Eevil\u202C',
  'nul\u0000byte',
  '   ',
  'O\'Brien "quoted" \\ back',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  '%00%2e%2e%2f',
  '\r\nX-Injected: 1',
  'ﬀ\uFEFF\u200B',
  '𝕳𝖊𝖑𝖑𝖔',
  'a'.repeat(5000),
  '{"json":"in a string"}',
  'null',
  '0',
  '-1',
  '1e309',
  'NaN',
  'true',
];

function trickyString(schema: any, r: Rng): string | undefined {
  if (schema.pattern || schema.format || schema.enum || schema.const !== undefined) return undefined;
  const chars = [...r.pick(TRICKY_STRINGS)];
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 5000;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  let out = chars.slice(0, max);
  while (out.length < min) out = out.concat(chars.length ? chars : ['x']).slice(0, Math.max(min, 1));
  return out.join('');
}

const allowsType = (schema: any, t: string): boolean => schema.type === t || (Array.isArray(schema.type) && schema.type.includes(t));

/** Swaps some generated strings for hostile ones and some numbers for their bounds, in place. */
function spice(schema: any, value: unknown, r: Rng, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > 5) return value;
  if (typeof value === 'string' && allowsType(schema, 'string') && r.chance(0.3)) return trickyString(schema, r) ?? value;
  if (typeof value === 'number' && r.chance(0.3)) {
    const bounds = [schema.minimum, schema.maximum].filter((n) => typeof n === 'number');
    if (bounds.length) return r.pick(bounds);
  }
  if (Array.isArray(value) && schema.items) return value.map((v) => spice(schema.items, v, r, depth + 1));
  if (value && typeof value === 'object' && schema.properties) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (schema.properties[k]) (value as Record<string, unknown>)[k] = spice(schema.properties[k], v, r, depth + 1);
    }
  }
  return value;
}

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

/** What the server's own contract check says of a plan: empty means valid. */
/**
 * What the server must refuse: the spec's violations, less what the spec's own tolerance
 * (`x-callsim-tolerance`) lets pass with a warning (an unknown field, a page size over its maximum,
 * a number sent as a string), checked again after the tolerance's clamps and coercions.
 */
export function violationsOf(runtime: VendorSurface, p: Plan): Violation[] {
  const ct = jsonBodyType(p.op);
  const query = clone(p.query) as Record<string, unknown>;
  const body = clone(p.body);
  const check = () => runtime.validator.validateRequest(p.op, { ...p.params }, query, body, p.body === undefined ? undefined : ct);
  const verdict = applyTolerance(runtime.spec.tolerance, check(), { query, body });
  return verdict.changed ? applyTolerance(runtime.spec.tolerance, check(), { query, body }).errors : verdict.errors;
}

// ---------------------------------------------------------------------------------------------
// Invalid mutations
// ---------------------------------------------------------------------------------------------

type Mutation = { where: 'body' | 'query' | 'path'; path: string[]; drop?: boolean; value?: unknown; why: string };

const SKIP = Symbol('skip');

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function otherTypes(v: unknown): unknown[] {
  switch (typeOf(v)) {
    case 'string':
      return [12345, true, ['x'], { x: 1 }];
    case 'number':
      return ['not-a-number', '12', true, [1]];
    case 'boolean':
      return ['yes', 1, null];
    case 'array':
      return ['x', { x: 1 }, 7];
    case 'object':
      return ['x', [1], 7];
    default:
      return [12345, 'x', { x: 1 }];
  }
}

/** Values that break one keyword of `schema` (given the current value), best effort. */
function breakers(schema: any, value: unknown): Array<{ value: unknown; why: string }> {
  const out: Array<{ value: unknown; why: string }> = [];
  if (!schema || typeof schema !== 'object') return out;
  for (const t of otherTypes(value)) out.push({ value: t, why: `wrong type ${typeOf(t)}` });
  if (typeof schema.maximum === 'number') out.push({ value: schema.maximum + 1, why: 'above maximum' }, { value: 1e12, why: 'huge number' });
  if (typeof schema.minimum === 'number') out.push({ value: schema.minimum - 1, why: 'below minimum' });
  if (typeof schema.exclusiveMaximum === 'number') out.push({ value: schema.exclusiveMaximum, why: 'at exclusiveMaximum' });
  if (schema.type === 'integer' || (Array.isArray(schema.type) && schema.type.includes('integer'))) out.push({ value: 1.5, why: 'fraction for integer' });
  if (typeof schema.maxLength === 'number') out.push({ value: 'x'.repeat(schema.maxLength + 1), why: 'longer than maxLength' });
  if (typeof schema.minLength === 'number' && schema.minLength > 0) out.push({ value: '', why: 'shorter than minLength' });
  if (Array.isArray(schema.enum)) out.push({ value: 'not-in-enum', why: 'not in enum' });
  if (schema.pattern) out.push({ value: '!!not matching!!', why: 'pattern mismatch' });
  if (schema.format) out.push({ value: `not a ${schema.format}`, why: `bad ${schema.format}` });
  if (typeof schema.maxItems === 'number' && Array.isArray(value)) out.push({ value: Array(schema.maxItems + 1).fill(value[0] ?? 'x'), why: 'too many items' });
  if (typeof schema.minItems === 'number' && schema.minItems > 0) out.push({ value: [], why: 'too few items' });
  return out;
}

/** Branches of a composed schema that could describe `value`. */
function branches(schema: any): any[] {
  if (!schema || typeof schema !== 'object') return [];
  const alts = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])];
  return [schema, ...alts.flatMap(branches)];
}

function collectBodyMutations(schema: any, value: unknown, path: string[], out: Mutation[], depth = 0): void {
  if (depth > 4) return;
  for (const s of branches(schema)) {
    for (const b of breakers(s, value)) out.push({ where: 'body', path, value: b.value, why: `${path.join('.') || 'body'}: ${b.why}` });
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const req of s.required ?? [])
        if (req in (value as object)) out.push({ where: 'body', path: [...path, req], drop: true, why: `${[...path, req].join('.')}: dropped required` });
      out.push({ where: 'body', path: [...path, 'zz_unknown_field'], value: 'surprise', why: `${path.join('.') || 'body'}: unknown property` });
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const sub = s.properties?.[k];
        if (sub) collectBodyMutations(sub, v, [...path, k], out, depth + 1);
      }
    }
    if (Array.isArray(value) && value.length && s.items) collectBodyMutations(s.items, value[0], [...path, '0'], out, depth + 1);
  }
}

function setAt(root: unknown, path: string[], m: Mutation): unknown {
  if (!path.length) return m.drop ? SKIP : m.value;
  const copy = clone(root) as any;
  let node = copy;
  for (const part of path.slice(0, -1)) node = node?.[part];
  if (!node || typeof node !== 'object') return copy;
  const last = path[path.length - 1];
  if (m.drop) delete node[last];
  else node[last] = m.value;
  return copy;
}

/** Every mutation of a valid plan the generators know of (not all of them are really invalid). */
function mutations(runtime: VendorSurface, valid: Plan): Mutation[] {
  const out: Mutation[] = [];
  const doc = runtime.spec.doc;
  const ct = jsonBodyType(valid.op);
  if (ct && valid.body !== undefined) {
    const schema = schemaAt(doc, valid.op.body!.pointers[ct]);
    collectBodyMutations(schema, valid.body, [], out);
    for (const whole of [[], 'just a string', 42, null, true]) out.push({ where: 'body', path: [], value: whole, why: `body is ${JSON.stringify(whole)}` });
  }
  for (const p of valid.op.params) {
    if (p.in !== 'query' && p.in !== 'path') continue;
    const schema = derefSchema(doc, p.schema);
    const current: unknown = p.in === 'query' ? (valid.query[p.name] ?? fake(schema, 7)) : valid.params[p.name];
    for (const s of branches(schema)) {
      for (const b of breakers(s, current)) {
        if (b.value === null || typeof b.value === 'object') continue;
        const v = String(b.value);
        // A path value the router cannot take is a 404 (no route), not a contract violation.
        if (p.in === 'path' && (!v || v.includes('/'))) continue;
        out.push({ where: p.in, path: [p.name], value: v, why: `${p.in} ${p.name}: ${b.why}` });
      }
    }
    if (p.in === 'query' && p.required) out.push({ where: 'query', path: [p.name], drop: true, why: `query ${p.name}: dropped required` });
  }
  return out;
}

function applyMutation(valid: Plan, m: Mutation): Plan {
  const p: Plan = { ...valid, params: { ...valid.params }, query: { ...valid.query }, mutation: m.why };
  if (m.where === 'body') {
    const b = setAt(valid.body, m.path, m);
    p.body = b === SKIP ? undefined : b;
  } else if (m.where === 'query') {
    if (m.drop) delete p.query[m.path[0]];
    else p.query[m.path[0]] = String(m.value);
  } else p.params[m.path[0]] = String(m.value);
  return p;
}

/** A plan the contract rejects, made by breaking a generated valid one; undefined if none could be made. */
export function planInvalid(sim: Callsim, runtime: VendorSurface, op: OperationDef, seed: number): Plan | undefined {
  const r = rng(seed ^ 0x5bd1e995);
  const valid = planValid(sim, runtime, op, seed);
  const all = mutations(runtime, valid);
  for (let tries = 0; tries < 12 && all.length; tries++) {
    const i = r.int(0, all.length - 1);
    const m = all.splice(i, 1)[0];
    let p = applyMutation(valid, m);
    // Now and then break two things at once.
    if (all.length && r.chance(0.25)) {
      const m2 = r.pick(all);
      p = applyMutation(p, { ...m2, why: `${m.why} + ${m2.why}` });
    }
    if (p.body === undefined && valid.body !== undefined && m.where === 'body' && m.path.length === 0) continue;
    if (violationsOf(runtime, steer(runtime, p)).length) return p;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Oracles
// ---------------------------------------------------------------------------------------------

/** Explicitly documented (its own status or its `4XX` range), not just covered by `default`. */
export function documented(op: OperationDef, status: number): boolean {
  return String(status) in op.responses || `${String(status)[0]}XX` in op.responses;
}

const errorPointerCache = new WeakMap<VendorSurface, string[]>();

/** Every schema the spec gives a 4xx answer: an error body must match one of them. */
function errorSchemaPointers(runtime: VendorSurface): string[] {
  let out = errorPointerCache.get(runtime);
  if (!out) {
    const set = new Set<string>();
    for (const op of runtime.spec.operations) {
      for (const [status, pointer] of Object.entries(op.responses)) if (/^4/.test(status) && pointer) set.add(pointer);
    }
    // Resolve each to the schema it ends in, so equal envelopes are checked once.
    const bySchema = new Map<string, string>();
    for (const p of set) {
      const node = resolvePointer(runtime.spec.doc, p);
      bySchema.set(typeof node?.$ref === 'string' ? node.$ref : p, p);
    }
    out = [...bySchema.values()];
    errorPointerCache.set(runtime, out);
  }
  return out;
}

export function isVendorError(runtime: VendorSurface, body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  return errorSchemaPointers(runtime).some((p) => runtime.validator.validateAt(p, body).length === 0);
}

/** The status the vendor's own error writer gives these violations: what the server must answer. */
function validationStatus(runtime: VendorSurface, p: Plan, violations: Violation[]): number {
  const req: SimRequest = { method: p.op.method, path: filledPath(p), query: p.query, headers: {} };
  // An id that breaks its own pattern names no record: the pipeline answers it like an unknown id.
  if (violations.every((v) => v.location === 'path')) return runtime.adapter.error({ kind: 'not_found', message: 'not found' }, req).status;
  return runtime.adapter.error({ kind: 'validation', message: violations.map((v) => v.message).join('; '), violations }, req).status;
}

export interface Verdict {
  plan: Plan;
  path: string;
  status: number;
  violations: Violation[];
  problems: string[];
  /** Problems that match a reported bug (see KNOWN_BUGS), kept apart so the suite stays green. */
  known: string[];
  text: string;
}

/**
 * Server bugs already reported and not yet fixed: a matching case is kept out of the failing
 * problems (and counted) so the suite stays green but honest. Each entry says what is wrong.
 */
interface KnownBug {
  vendor: string;
  operationId?: string;
  note: string;
  /** A problem this bug explains. */
  matches?(v: { plan: Plan; status: number; body: any; problem: string }): boolean;
  /** Steers a generated plan away from a bug whose effects would spread (bad data other answers repeat). */
  steer?(plan: Plan): void;
}

const KNOWN_BUGS: KnownBug[] = [];

function steer(runtime: VendorSurface, plan: Plan): Plan {
  for (const b of KNOWN_BUGS) if (b.steer && b.vendor === runtime.adapter.name && (!b.operationId || b.operationId === plan.op.operationId)) b.steer(plan);
  return plan;
}

function judge(runtime: VendorSurface, plan: Plan, res: Exchange): Verdict {
  const path = pathOf(plan);
  const violations = violationsOf(runtime, plan);
  const problems: string[] = [];
  const op = plan.op;
  const { status } = res;
  if (status >= 500) problems.push(`5xx: ${status} (${res.headers.get('x-callsim-error') ?? 'no diagnostic'})`);
  if (!documented(op, status)) problems.push(`status ${status} is not documented for ${op.operationId} (documents ${Object.keys(op.responses).join(', ')})`);
  const body = status === 204 || res.text === '' ? undefined : res.body;
  const type = res.headers.get('content-type') ?? undefined;
  for (const v of runtime.validator.validateResponse(op, status, body, type)) problems.push(`response does not match spec: ${v.field || 'body'} ${v.message}`);
  // A documented non-JSON answer (the checkout's HTML 404 page) is its own shape, checked above.
  const json = !type || type.includes('json');
  if (status >= 400 && status < 500 && json && !isVendorError(runtime, res.body)) problems.push(`4xx body is not the vendor's error envelope`);
  if (violations.length) {
    const want = validationStatus(runtime, plan, violations);
    if (status !== want)
      problems.push(`invalid request (${violations.map((v) => `${v.location}:${v.field}:${v.rule}`).join(', ')}) answered ${status}, want ${want}`);
  }
  const known: string[] = [];
  const left = problems.filter((problem) => {
    const bug = KNOWN_BUGS.find(
      (b) =>
        b.vendor === runtime.adapter.name && (!b.operationId || b.operationId === op.operationId) && b.matches?.({ plan, status, body: res.body, problem }),
    );
    if (bug) known.push(`${problem} [known bug: ${bug.note}]`);
    return !bug;
  });
  return { plan, path, status, violations, problems: left, known, text: res.text };
}

/** Longest a generated request may wait for its answer: an unanswered request is a server bug too. */
const ANSWER_TIMEOUT_MS = 10_000;

export async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function run(h: Harness, runtime: VendorSurface, plan: Plan): Promise<Verdict> {
  const ct = jsonBodyType(plan.op);
  const withBody = plan.body !== undefined;
  const path = pathOf(plan);
  const res = await withDeadline(
    h.send(runtime.adapter.name, plan.op.method, path, {
      raw: withBody ? JSON.stringify(plan.body) : undefined,
      headers: withBody ? { 'content-type': ct ?? 'application/json' } : {},
    }),
    ANSWER_TIMEOUT_MS,
    `${runtime.adapter.name} ${plan.op.method} ${path}${withBody ? ` ${JSON.stringify(plan.body).slice(0, 300)}` : ''}`,
  );
  return judge(runtime, plan, res);
}

export function describeVerdict(runtime: VendorSurface, v: Verdict): string {
  const body = v.plan.body === undefined ? '' : ` body=${JSON.stringify(v.plan.body).slice(0, 600)}`;
  return (
    `${runtime.adapter.name} ${v.plan.op.operationId}: ${v.plan.op.method} ${v.path}${body}${v.plan.mutation ? ` [mutation: ${v.plan.mutation}]` : ''}\n` +
    `  → ${v.status} ${v.text.slice(0, 400)}\n  problems: ${v.problems.join(' | ')}`
  );
}

// ---------------------------------------------------------------------------------------------
// Sequences (the mixed property and the soak)
// ---------------------------------------------------------------------------------------------

export interface Tally {
  requests: number;
  valid: number;
  invalid: number;
  byStatus: Record<string, number>;
  serverErrors: number;
  violations: number;
  knownBugs: number;
  failures: string[];
}

export const emptyTally = (): Tally => ({ requests: 0, valid: 0, invalid: 0, byStatus: {}, serverErrors: 0, violations: 0, knownBugs: 0, failures: [] });

function count(t: Tally, runtime: VendorSurface, v: Verdict): void {
  t.requests++;
  if (v.violations.length) t.invalid++;
  else t.valid++;
  t.byStatus[v.status] = (t.byStatus[v.status] ?? 0) + 1;
  if (v.status >= 500) t.serverErrors++;
  if (v.problems.length) {
    t.violations++;
    if (t.failures.length < 50) t.failures.push(describeVerdict(runtime, v));
  }
  if (v.known.length) t.knownBugs++;
}

/**
 * Records for an operation's path ids: a `DELETE /x/{id}` on a collection the fixtures leave empty
 * (webhooks) would only ever see 404s, so the collection's create (`POST /x`) runs a few times first.
 */
export async function warmUp(h: Harness, runtime: VendorSurface, op: OperationDef, seed: number): Promise<void> {
  if (!op.template.includes('{')) return;
  const parent = op.template.replace(/\/\{[^}]+\}(\/.*)?$/, '');
  const creates = runtime.spec.operations.filter((o) => o.method === 'POST' && o.template === parent && generatable(o));
  for (const create of creates) for (let i = 0; i < 3; i++) await run(h, runtime, planValid(h.sim, runtime, create, seed + i));
  // State changes on the same record first (`start` before `pause`, `start`+`pause` before `resume`).
  const m = /^(.*\/\{[^}]+\})\/[^/{}]+$/.exec(op.template);
  if (!m || op.method !== 'POST') return;
  const siblings = runtime.spec.operations.filter(
    (o) => o !== op && o.method === 'POST' && generatable(o) && new RegExp(`^${m[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[^/{}]+$`).test(o.template),
  );
  for (let i = 0; i < 3; i++) for (const s of siblings) await run(h, runtime, planValid(h.sim, runtime, s, seed + 10 + i));
}

/** One random step against one vendor: a valid or broken request to any operation, or a clock tick. */
export async function step(h: Harness, runtime: VendorSurface, seed: number, t: Tally): Promise<Verdict | undefined> {
  const r = rng(seed);
  const ops = runtime.spec.operations.filter(generatable);
  if (r.chance(0.08)) {
    await h.advance(r.pick([500, 2_000, 10_000, 60_000]));
    return undefined;
  }
  const op = r.pick(ops);
  const plan = r.chance(0.7) ? planValid(h.sim, runtime, op, seed) : (planInvalid(h.sim, runtime, op, seed) ?? planValid(h.sim, runtime, op, seed));
  const v = await run(h, runtime, plan);
  count(t, runtime, v);
  return v;
}
