import { type Doc, resolvePointer } from './spec.js';

/**
 * The serialisation shape of a response schema: only what decides how a value is written as JSON
 * — types, properties, items, whether other keys may appear — with `$ref`s inlined and the
 * combinators a serialiser cannot follow without validating (anyOf, oneOf, allOf) reduced to one
 * schema where that is exact, or to "any" (`{}`: written as JSON.stringify writes it) where not.
 *
 * Both the compiled serialiser (fast-json-stringify) and the check that a value fits it (ajv) are
 * generated from the same shape, so a value that fits is written exactly as JSON.stringify would
 * write it, keys in the schema's order; a value that does not fit is written by JSON.stringify. No
 * `format`, `default` or `const` reaches the serialiser: those change what it writes.
 */
export interface Shape {
  type?: string | string[];
  properties?: Record<string, Shape>;
  /** false: no other keys (a value with one does not fit); a shape: other keys, each written by it. */
  additionalProperties?: false | Shape;
  items?: Shape;
}

const ANY: Shape = {};
const isAny = (s: Shape) => s.type === undefined;
const typesOf = (s: Shape): string[] => (s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]);

/** Keywords that only annotate or constrain values (never how they are written). */
const INERT = new Set([
  'description',
  'title',
  'example',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'required',
  'propertyNames',
  'externalDocs',
  'xml',
  '$comment',
  'contentMediaType',
  'contentEncoding',
]);

/** The shape of the schema at `pointer` in `doc`. */
export function shapeAt(doc: Doc, pointer: string): Shape {
  return shapeOf(doc, { $ref: pointer }, []);
}

function shapeOf(doc: Doc, node: unknown, refs: string[]): Shape {
  if (node === true || node === undefined) return ANY;
  if (!node || typeof node !== 'object' || Array.isArray(node)) return ANY;
  const s = node as Doc;
  if (typeof s.$ref === 'string') {
    // A recursive schema has no finite shape: JSON.stringify writes that part.
    if (refs.includes(s.$ref) || !s.$ref.startsWith('#/')) return ANY;
    const { $ref, ...siblings } = s;
    const target = shapeOf(doc, resolvePointer(doc, $ref), [...refs, $ref]);
    return Object.keys(siblings).some((k) => !INERT.has(k)) ? merge([target, shapeOf(doc, siblings, refs)]) : target;
  }
  // Anything this reducer does not model makes the node "any": never a guess.
  for (const k of Object.keys(s)) {
    if (
      !INERT.has(k) &&
      ![
        'type',
        'properties',
        'additionalProperties',
        'unevaluatedProperties',
        'items',
        'allOf',
        'anyOf',
        'oneOf',
        'enum',
        'const',
        'default',
        'nullable',
      ].includes(k)
    )
      return ANY;
  }
  let own = ownShape(doc, s, refs);
  if (s.allOf) own = merge([own, ...(s.allOf as unknown[]).map((b) => shapeOf(doc, b, refs))]);
  if (s.anyOf) own = merge([own, union((s.anyOf as unknown[]).map((b) => shapeOf(doc, b, refs)))]);
  if (s.oneOf) own = merge([own, union((s.oneOf as unknown[]).map((b) => shapeOf(doc, b, refs)))]);
  return own;
}

/** The node's own keywords (without its combinators). */
function ownShape(doc: Doc, s: Doc, refs: string[]): Shape {
  let types: string[] = s.type === undefined ? [] : Array.isArray(s.type) ? [...s.type] : [s.type];
  if (!types.length) {
    const values: unknown[] | undefined = s.const !== undefined ? [s.const] : s.enum;
    if (values) types = [...new Set(values.map(jsonType))];
    else if (s.properties || s.additionalProperties !== undefined) types = ['object'];
    else if (s.items) types = ['array'];
  }
  if (s.nullable === true && types.length && !types.includes('null')) types.push('null');
  // No type at all, or `integer` and `number` together (they overlap): JSON.stringify writes it.
  if (!types.length || (types.includes('integer') && types.includes('number'))) return ANY;
  const out: Shape = { type: types.length === 1 ? types[0] : types };
  if (types.includes('object')) {
    if (s.patternProperties) return ANY;
    out.properties = Object.fromEntries(Object.entries<unknown>(s.properties ?? {}).map(([k, v]) => [k, shapeOf(doc, v, refs)]));
    const extra = s.additionalProperties ?? s.unevaluatedProperties;
    // Other keys are not in the schema (absent, false): a value with one does not fit, and goes to
    // JSON.stringify whole, so no key a client gets today is ever dropped.
    out.additionalProperties = extra === undefined || extra === false ? false : shapeOf(doc, extra, refs);
  }
  if (types.includes('array')) {
    if (s.prefixItems) return ANY;
    out.items = shapeOf(doc, s.items, refs);
  }
  return out;
}

const jsonType = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;

/**
 * Branches told apart by their JSON type alone (`string | null`, `object | null`): one shape with a
 * type list. Anything else (two object branches, a branch that is "any") stays "any".
 */
function union(branches: Shape[]): Shape {
  if (branches.some(isAny)) return ANY;
  const seen = new Set<string>();
  const out: Shape = { type: [] };
  for (const b of branches) {
    for (const t of typesOf(b)) {
      if (seen.has(t)) return ANY;
      seen.add(t);
    }
    (out.type as string[]).push(...typesOf(b));
    if (b.properties) out.properties = b.properties;
    if (b.additionalProperties !== undefined) out.additionalProperties = b.additionalProperties;
    if (b.items) out.items = b.items;
  }
  if (seen.has('integer') && seen.has('number')) return ANY;
  if ((out.type as string[]).length === 1) out.type = (out.type as string[])[0];
  return out;
}

/**
 * All of several shapes at once (allOf, or a node's own keywords with its combinator). Branches
 * that are "any" add nothing a serialiser can use and are left out (whatever a shape says, a value
 * is only written by it after it was checked to fit it); the rest must agree on one type set, and
 * objects combine their properties.
 */
function merge(shapes: Shape[]): Shape {
  const parts = shapes.filter((s) => !isAny(s));
  if (!parts.length) return ANY;
  if (parts.length === 1) return parts[0];
  const types = typesOf(parts[0]).slice().sort().join();
  if (parts.some((p) => typesOf(p).slice().sort().join() !== types)) return ANY;
  const out: Shape = { type: parts[0].type };
  if (typesOf(parts[0]).includes('object')) {
    const props: Record<string, Shape> = {};
    for (const p of parts) {
      // allOf with its own additional properties: which keys are "other" depends on every branch.
      if (p.additionalProperties !== false && p.additionalProperties !== undefined) return ANY;
      for (const [k, v] of Object.entries(p.properties ?? {})) {
        if (k in props && JSON.stringify(props[k]) !== JSON.stringify(v)) props[k] = ANY;
        else props[k] = v;
      }
    }
    out.properties = props;
    out.additionalProperties = false;
  }
  if (typesOf(parts[0]).includes('array')) {
    const items = parts.map((p) => JSON.stringify(p.items ?? ANY));
    out.items = items.every((i) => i === items[0]) ? (parts[0].items ?? ANY) : ANY;
  }
  return out;
}

/** Every JSON type: what "any" means in a fits check (a function, a symbol or undefined is not one). */
const JSON_TYPES = ['null', 'boolean', 'object', 'array', 'number', 'string'];

/**
 * The JSON Schema a value must satisfy to be written by the shape's serialiser exactly as
 * JSON.stringify writes it: each type exactly (finite numbers: ajv `strictNumbers`), no key the
 * shape does not write, and no object that writes itself differently (`toJSON`, as a Date does).
 */
export function fitsSchema(shape: Shape): object {
  if (isAny(shape)) return { type: JSON_TYPES };
  const out: Record<string, unknown> = { type: shape.type };
  if (shape.properties) out.properties = Object.fromEntries(Object.entries(shape.properties).map(([k, v]) => [k, fitsSchema(v)]));
  if (shape.additionalProperties !== undefined)
    out.additionalProperties = shape.additionalProperties === false ? false : fitsSchema(shape.additionalProperties);
  if (shape.items) out.items = fitsSchema(shape.items);
  if (typesOf(shape).includes('object')) out.not = { type: 'object', required: ['toJSON'] };
  return out;
}

/** Whether the shape gives a serialiser anything to go on (a top-level "any" is JSON.stringify anyway). */
export const hasShape = (shape: Shape): boolean => !isAny(shape);
