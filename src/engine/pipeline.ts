import { Readable } from 'node:stream';
import type { OperationDef } from '../contract/spec.js';
import type { SimRequest, SimResponse, Violation } from '../contract/types.js';
import { parseBody } from './body.js';
import { type ApiError, ApiFailure } from './errors.js';
import type { RawInput, Surface } from './surface.js';

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
  const outcome: Outcome = { response: { status: 500 }, violations: [], violationCount: 0, responseViolations: [] };
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
    const counter = { total: 0 };
    const violations = surface.validator.validateRequest(op, params, query, body, parsed.contentType, counter);
    if (parsed.error) violations.unshift({ location: 'body', field: '', rule: parsed.error.kind, message: parsed.error.message });
    if (violations.length) {
      setViolations(outcome, violations, counter.total + (parsed.error ? 1 : 0));
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

function setViolations(outcome: Outcome, violations: Violation[], total = violations.length): void {
  outcome.violations = shown(violations);
  outcome.violationCount = Math.max(total, violations.length);
}
