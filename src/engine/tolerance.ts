import type { OperationDef, Tolerance } from '../contract/spec.js';
import type { Violation } from '../contract/types.js';

/** What the tolerance made of a request's violations: the ones that stand, and the ones only warned about. */
export interface Verdict {
  errors: Violation[];
  warnings: Violation[];
  /** Whether a value was changed (a clamp, a coercion): the request must be checked again. */
  changed: boolean;
}

const UNKNOWN = new Set(['additionalProperties', 'unevaluatedProperties']);

/** The value at a dotted path of a parsed body, with its parent, so it can be replaced. */
function locate(root: unknown, dotted: string): { parent: Record<string, unknown> | unknown[]; key: string } | undefined {
  const parts = dotted.split('.');
  let node: unknown = root;
  for (const p of parts.slice(0, -1)) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[p];
  }
  return node && typeof node === 'object' ? { parent: node as Record<string, unknown>, key: parts[parts.length - 1] } : undefined;
}

/** Sane bounds for a nested free-form value: what a tolerant API would store per field. */
const MAX_NESTED = 16 * 1024;

function nestedSize(body: unknown, field: string): number {
  const at = locate(body, field);
  const value = at && (at.parent as Record<string, unknown>)[at.key];
  return JSON.stringify(value ?? null).length;
}

const under = (field: string, prefixes: string[] | undefined) => !!prefixes?.some((p) => field === p || field.startsWith(`${p}.`));

/**
 * Sorts a request's violations by the spec's tolerance: where the vendor's pages are silent, a
 * tolerant production API answers and callsim says what it let pass. Clamps and coercions change
 * the request in place (the caller validates it again).
 */
export function applyTolerance(t: Tolerance, violations: Violation[], input: { query: Record<string, unknown>; body: unknown }): Verdict {
  const errors: Violation[] = [];
  const warnings: Violation[] = [];
  let changed = false;
  for (const v of violations) {
    if (t.unknownFields && UNKNOWN.has(v.rule) && (v.location === 'body' || v.location === 'query')) {
      warnings.push({ ...v, message: `${v.field} is not a documented field; it was ignored` });
      continue;
    }
    if (t.clampQuery?.includes(v.field) && v.location === 'query' && v.rule === 'maximum' && v.limit !== undefined && v.field in input.query) {
      warnings.push({ ...v, message: `${v.field} above ${v.limit} was taken as ${v.limit}` });
      input.query[v.field] = v.limit;
      changed = true;
      continue;
    }
    if (t.coerceNumbers && v.location === 'body' && v.rule === 'type' && /integer|number/.test(v.expected ?? '')) {
      const at = locate(input.body, v.field);
      const value = at && (at.parent as Record<string, unknown>)[at.key];
      if (
        at &&
        typeof value === 'string' &&
        value.trim() !== '' &&
        Number.isFinite(Number(value)) &&
        (!v.expected?.startsWith('integer') || Number.isInteger(Number(value)))
      ) {
        (at.parent as Record<string, unknown>)[at.key] = Number(value);
        warnings.push({ ...v, message: `${v.field} was sent as the string ${JSON.stringify(value).slice(0, 40)}; taken as a number` });
        changed = true;
        continue;
      }
    }
    if (v.location === 'body' && v.rule === 'type' && under(v.field, t.freeForm) && nestedSize(input.body, v.field) <= MAX_NESTED) {
      warnings.push({ ...v, message: `${v.field} nests a value where the vendor's pages show only flat ones; it was kept as sent` });
      continue;
    }
    errors.push(v);
  }
  return { errors, warnings, changed };
}

/** Query parameters the operation does not declare: ignored by the handler, reported as warnings. */
export function unknownQuery(t: Tolerance, op: OperationDef, query: Record<string, string | string[]>): Violation[] {
  if (!t.unknownFields) return [];
  const known = new Set(op.params.filter((p) => p.in === 'query').map((p) => p.name));
  return Object.keys(query)
    .filter((k) => !known.has(k))
    .slice(0, 20)
    .map((k) => ({ location: 'query' as const, field: k, rule: 'additionalProperties', message: `${k} is not a documented query parameter; it was ignored` }));
}
