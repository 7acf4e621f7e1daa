import { Readable } from 'node:stream';
import type { OperationDef } from '../contract/spec.js';
import type { SimRequest, SimResponse, Violation } from '../contract/types.js';
import { parseBody } from './body.js';
import { type ApiError, ApiFailure } from './errors.js';
import type { RawInput, Surface } from './surface.js';
import { applyTolerance, unknownQuery } from './tolerance.js';

/** What one request did, for the journal, the logs and the dashboard. */
export interface Outcome {
  response: SimResponse;
  op?: OperationDef;
  accountId?: string;
  /** What the client got wrong (at most MAX_KEPT; `violationCount` says how many in all). */
  violations: Violation[];
  violationCount: number;
  /** What the answer got wrong (checked with `strict`). */
  responseViolations: Violation[];
  /** What a tolerant API let pass where the vendor's pages are silent (at most MAX_KEPT; `warningCount` counts them all). */
  warnings: Violation[];
  warningCount: number;
}

export interface PipelineOptions {
  /** Check every response against the spec (`--strict`, and always on the proxy). */
  strict: () => boolean;
  /** Turns a domain error thrown by a handler into an API error (the sim's SimError), or undefined. */
  mapError?: (err: unknown) => ApiError | undefined;
  /** Told about a handler that threw something unexpected (a bug): the answer is a 500 in the surface's shape. */
  onCrash?: (err: unknown, op: OperationDef) => void;
}

/** Error bodies, journal rows and logs keep this many violations of one request, plus the count. */
const MAX_KEPT = 20;
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const shown = (vs: Violation[]) => vs.slice(0, MAX_KEPT).map((v) => ({ ...v, field: cut(v.field, 200), message: cut(v.message, 300) }));

/**
 * route → auth → guards → body → validate → dispatch → self-check. Transport-free. Synchronous
 * unless the handler answers with a promise (most answer at once).
 */
export function runPipeline<P>(surface: Surface<P>, req: SimRequest, o: PipelineOptions): Outcome | Promise<Outcome> {
  const outcome = stages(surface, req, o);
  return isThenable(outcome) ? outcome.then(withWarnings) : withWarnings(outcome);
}

function withWarnings(outcome: Outcome): Outcome {
  if (outcome.warningCount) {
    // On errors too: a refused request that also carried an unknown field says so. Header values
    // must be printable Latin-1 without CR/LF.
    const text = cut(outcome.warnings.map((w) => w.message).join('; '), 1000).replace(/[^\x20-\x7e]/g, '?');
    outcome.response.headers = Object.assign({}, outcome.response.headers, { 'x-callsim-warnings': `${outcome.warningCount}; ${text}` });
  }
  return outcome;
}

function stages<P>(surface: Surface<P>, req: SimRequest, o: PipelineOptions): Outcome | Promise<Outcome> {
  const outcome: Outcome = { response: { status: 500 }, violations: [], violationCount: 0, responseViolations: [], warnings: [], warningCount: 0 };
  const fail = (e: ApiError): Outcome => {
    outcome.response = surface.error(e, req);
    return outcome;
  };
  const report = surface.onInvalid === 'report';
  const match = surface.router.match(req.method, req.path);
  const auth = surface.authenticate(req);
  const principal = 'principal' in auth ? auth.principal : undefined;
  if (principal !== undefined) outcome.accountId = surface.accountOf?.(principal);
  if (match.kind !== 'found') {
    // An unknown path still demands credentials first, as the vendors' gateways do.
    if ('refusal' in auth) return fail(auth.refusal);
    if (!report) {
      if (match.kind === 'method')
        return fail({ kind: 'method_not_allowed', message: `${req.method} is not allowed on ${cut(req.path, 200)}`, allowed: match.allowed });
      return fail({ kind: 'route_not_found', message: `No route for ${req.method} ${cut(req.path, 200)}` });
    }
  }
  const op = match.kind === 'found' ? match.op : undefined;
  outcome.op = op;
  if (op?.secured && 'refusal' in auth) return fail(auth.refusal);
  let delayMs = 0;
  if (op && principal !== undefined && surface.guards.length) {
    const input = { surface, req, op, principal, delayMs: 0 };
    for (const guard of surface.guards) {
      const g = guard(input);
      if (!g) continue;
      outcome.response = 'kind' in g ? surface.error(g, req) : g;
      if (input.delayMs) outcome.response.delayMs = input.delayMs;
      return outcome;
    }
    delayMs = input.delayMs;
  }
  const params: Record<string, unknown> = match.kind === 'found' ? { ...match.params } : {};
  const query: Record<string, unknown> = {};
  let body: unknown;
  if (op) {
    const parsed = parseBody(req, op, surface.bodyLimit);
    if (parsed.error && !report) {
      if (parsed.error.violations) setViolations(outcome, parsed.error.violations);
      return fail(parsed.error);
    }
    body = parsed.body;
    for (const p of op.params) if (p.in === 'query' && req.query[p.name] !== undefined) query[p.name] = req.query[p.name];
    const aliases = principal !== undefined ? surface.aliasesOf?.(principal) : undefined;
    if (aliases) body = applyAliases(aliases, { params, query, body });
    const first = { total: 0, unknown: 0 };
    const found = surface.validator.validateRequest(op, params, query, body, parsed.contentType, first);
    // Where the vendor's pages are silent the spec says what a tolerant API lets pass: warnings, not errors.
    const tolerance = surface.spec.tolerance;
    const verdict = applyTolerance(tolerance, found, { query, body });
    let violations = verdict.errors;
    let errorCount = first.total - (tolerance.unknownFields ? first.unknown : 0) - verdict.warnings.filter((w) => !isUnknown(w)).length;
    if (verdict.changed) {
      // A clamp or a coercion changed the request: what still breaks the spec is checked on the new values.
      const again = { total: 0, unknown: 0 };
      violations = applyTolerance(tolerance, surface.validator.validateRequest(op, params, query, body, parsed.contentType, again), { query, body }).errors;
      errorCount = again.total - (tolerance.unknownFields ? again.unknown : 0);
    }
    const warnings = [...verdict.warnings, ...unknownQuery(tolerance, op, req.query)];
    // Unknown fields past the ones listed are counted, not listed (a body of 90,000 unknown keys).
    const warningCount = warnings.length + (tolerance.unknownFields ? first.unknown - verdict.warnings.filter(isUnknown).length : 0);
    if (warningCount && o.strict()) {
      // --strict: whatever a tolerant API would let pass is the vendor's validation error.
      violations = [...violations, ...warnings];
      errorCount += warningCount;
    } else if (warningCount) {
      outcome.warnings = shown(warnings);
      outcome.warningCount = warningCount;
    }
    if (parsed.error) violations.unshift({ location: 'body', field: '', rule: parsed.error.kind, message: parsed.error.message });
    if (violations.length) {
      setViolations(outcome, violations, Math.max(violations.length, errorCount + (parsed.error ? 1 : 0)));
      if (!report) {
        // An id that breaks its own pattern names no record: like any unknown id, that is a 404.
        if (violations.every((v) => v.location === 'path')) return fail({ kind: 'not_found', message: `No resource at ${cut(req.path, 200)}` });
        const more = outcome.violationCount > MAX_KEPT ? ` (and ${outcome.violationCount - MAX_KEPT} more)` : '';
        return fail({ kind: 'validation', message: cut(outcome.violations.map((v) => v.message).join('; '), 800) + more, violations: outcome.violations });
      }
    }
  } else {
    setViolations(outcome, [{ location: 'path', field: '', rule: 'route', message: `${req.method} ${cut(req.path, 200)} is not in the spec` }]);
  }
  const input: RawInput = { op: op as OperationDef, params, query, body, req };
  let result: SimResponse | Promise<SimResponse>;
  try {
    result = surface.dispatch(op as OperationDef, principal, input);
  } catch (err) {
    crashed(outcome, surface, req, op, o, err);
    return finish(outcome, surface, op, o, delayMs);
  }
  // A handler that answers at once is finished at once: no promise, no microtask per request.
  if (isThenable(result)) {
    return result.then(
      (response) => {
        outcome.response = response;
        return finish(outcome, surface, op, o, delayMs);
      },
      (err) => {
        crashed(outcome, surface, req, op, o, err);
        return finish(outcome, surface, op, o, delayMs);
      },
    );
  }
  outcome.response = result;
  return finish(outcome, surface, op, o, delayMs);
}

const isThenable = <T>(x: T | Promise<T>): x is Promise<T> => typeof (x as { then?: unknown } | undefined)?.then === 'function';

/** A handler that threw: its ApiFailure (or mapped error) in the surface's shape, else a 500 that says why. */
function crashed<P>(outcome: Outcome, surface: Surface<P>, req: SimRequest, op: OperationDef | undefined, o: PipelineOptions, err: unknown): void {
  const mapped = err instanceof ApiFailure ? err.error : o.mapError?.(err);
  if (mapped) {
    outcome.response = surface.error(mapped, req);
    return;
  }
  outcome.response = surface.error({ kind: 'internal', message: 'Internal simulator error' }, req);
  // Header values must be printable Latin-1 without CR/LF.
  const reason = String((err as Error)?.message ?? err)
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 200);
  outcome.response.headers = { ...outcome.response.headers, 'x-callsim-error': reason };
  if (op) o.onCrash?.(err, op);
}

/** The answer's delay, its compiled serialiser and (with `strict`) its check against the spec. */
function finish<P>(outcome: Outcome, surface: Surface<P>, op: OperationDef | undefined, o: PipelineOptions, delayMs: number): Outcome {
  const r = outcome.response;
  if (delayMs) r.delayMs = delayMs;
  // A JSON answer of a documented operation is written by that answer's compiled serialiser.
  if (
    op &&
    surface.serializers &&
    r.body !== null &&
    typeof r.body === 'object' &&
    !r.headers?.['content-type'] &&
    !Buffer.isBuffer(r.body) &&
    !(r.body instanceof Readable)
  )
    r.stringify = surface.serializers.for(op, r.status);
  if (op && o.strict()) {
    const raw = Buffer.isBuffer(r.body) || r.body instanceof Readable;
    const type = r.headers?.['content-type'] ?? (raw || r.body === undefined ? undefined : 'application/json');
    outcome.responseViolations = shown(surface.validator.validateResponse(op, r.status, raw ? r.parsed : r.body, type));
  }
  return outcome;
}

/** Replaces every string that is exactly an alias, in place for params and query; the body is returned. */
function applyAliases(aliases: Record<string, string>, input: { params: Record<string, unknown>; query: Record<string, unknown>; body: unknown }): unknown {
  const swap = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return Object.hasOwn(aliases, v) ? aliases[v] : v;
    if (depth > 64 || !v || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
    if (Array.isArray(v)) return v.map((x) => swap(x, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x, depth + 1)]));
  };
  for (const bag of [input.params, input.query]) for (const k of Object.keys(bag)) bag[k] = swap(bag[k], 0);
  return swap(input.body, 0);
}

const isUnknown = (v: Violation) => v.rule === 'additionalProperties' || v.rule === 'unevaluatedProperties';

function setViolations(outcome: Outcome, violations: Violation[], total = violations.length): void {
  outcome.violations = shown(violations);
  outcome.violationCount = Math.max(total, violations.length);
}
