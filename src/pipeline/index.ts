import sjson from 'secure-json-parse';
import type { Router } from '../contract/router.js';
import type { LoadedSpec, OperationDef } from '../contract/spec.js';
import { header, type SimRequest, type SimResponse, type Violation } from '../contract/types.js';
import type { ContractValidator } from '../contract/validator.js';
import { authenticate } from '../sim/accounts.js';
import { SimError } from '../sim/errors.js';
import type { Account, Session } from '../sim/types.js';
import type { World } from '../sim/world.js';
import type { ApiError, Services, VendorAdapter } from '../vendors/types.js';

export interface VendorRuntime {
  adapter: VendorAdapter;
  spec: LoadedSpec;
  validator: ContractValidator;
  router: Router;
}

/** What one request did, for the journal and logs. */
export interface Outcome {
  response: SimResponse;
  op?: OperationDef;
  account?: Account;
  violations: Violation[];
  responseViolations: Violation[];
}

export interface GuardInput {
  vendor: VendorRuntime;
  req: SimRequest;
  op: OperationDef;
  account: Account;
  session: Session;
  /** Guards may add latency (fault injection) without refusing the request. */
  delayMs?: number;
}

/** Runs after auth and before the handler: rate limits, fault injection. */
export type Guard = (input: GuardInput) => ApiError | SimResponse | undefined;

export interface PipelineOptions {
  world: World;
  services: Services;
  guards: Guard[];
  /** Check every response against the spec (`--strict`). */
  strict: () => boolean;
}

/** Error bodies stay within every vendor's documented bounds, however many fields a client got wrong. */
const MAX_SHOWN = 20;
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const JSON_TYPES = /^application\/(?:[\w.+-]*\+)?json$/;

export function bearer(req: SimRequest): string | undefined {
  const auth = header(req.headers, 'authorization');
  const m = auth && /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return m ? m[1] : undefined;
}

const fail = (vendor: VendorRuntime, req: SimRequest, e: ApiError): SimResponse => vendor.adapter.error(e, req);

/** Parses the body by the operation's declared media types; undefined body means none was sent. */
function readBody(_vendor: VendorRuntime, req: SimRequest, op: OperationDef): { body?: unknown; contentType?: string; error?: ApiError } {
  const raw = req.body;
  const hasBody = !!raw && raw.length > 0;
  if (!op.body) return {};
  if (req.bodyTooLarge) return { error: { kind: 'payload_too_large', message: 'Request body is larger than 1 MB' } };
  if (!hasBody) {
    return op.body.required
      ? {
          error: {
            kind: 'validation',
            message: 'Request body is required',
            violations: [{ location: 'body', field: '', rule: 'required', message: 'request body is required' }],
          },
        }
      : {};
  }
  const ctHeader = header(req.headers, 'content-type') ?? '';
  const mediaType = ctHeader.split(';')[0].trim().toLowerCase();
  const declared = op.body.contentTypes;
  if (declared.some((ct) => ct.includes('json')) && JSON_TYPES.test(mediaType)) {
    const ct = declared.find((c) => c.includes('json'))!;
    try {
      return { body: sjson.parse(raw!.toString('utf8'), undefined, { protoAction: 'error', constructorAction: 'error' }), contentType: ct };
    } catch (err) {
      const msg = err instanceof SyntaxError ? `Malformed JSON: ${err.message}` : 'Malformed JSON: forbidden key (__proto__ or constructor.prototype)';
      return { error: { kind: 'malformed_json', message: msg } };
    }
  }
  if (declared.includes(mediaType)) return { body: raw, contentType: mediaType };
  return {
    error: {
      kind: 'unsupported_media_type',
      message: `Content-Type ${mediaType ? `"${mediaType}"` : '(none)'} is not supported here; send ${declared.join(' or ')}`,
    },
  };
}

function mapSimError(err: SimError): ApiError {
  const kind = err.kind === 'invalid' ? 'validation' : err.kind;
  return {
    kind,
    message: err.message,
    violations: err.problems.map((p) => ({ location: 'body', field: p.field, rule: p.rule, message: p.message })),
  };
}

/** route → auth → guards → body → validate → handle → self-check. Transport-free. */
export async function runPipeline(vendor: VendorRuntime, req: SimRequest, o: PipelineOptions): Promise<Outcome> {
  const outcome: Outcome = { response: { status: 500 }, violations: [], responseViolations: [] };
  const match = vendor.router.match(req.method, req.path);
  const token = bearer(req);
  const auth = authenticate(o.world, vendor.adapter.name, token);
  if (match.kind !== 'found') {
    // An unknown path still demands a key first, as the vendors' gateways do.
    if (!auth) outcome.response = fail(vendor, req, { kind: 'unauthorized', message: token ? 'Invalid API key' : 'Missing API key' });
    else if (match.kind === 'method')
      outcome.response = fail(vendor, req, { kind: 'method_not_allowed', message: `${req.method} is not allowed on ${req.path}`, allowed: match.allowed });
    else outcome.response = fail(vendor, req, { kind: 'route_not_found', message: `No route for ${req.method} ${req.path}` });
    return outcome;
  }
  const op = match.op;
  outcome.op = op;
  if (op.secured && !auth) {
    outcome.response = fail(vendor, req, {
      kind: 'unauthorized',
      message: token ? 'Invalid or revoked API key' : 'Missing API key: send Authorization: Bearer <key>',
    });
    return outcome;
  }
  const account = auth?.account;
  outcome.account = account;
  let delayMs = 0;
  if (account && auth) {
    const input: GuardInput = { vendor, req, op, account, session: auth.session };
    for (const guard of o.guards) {
      const g = guard(input);
      if (g) {
        outcome.response = 'kind' in g ? fail(vendor, req, g) : g;
        if (input.delayMs) outcome.response.delayMs = input.delayMs;
        return outcome;
      }
    }
    delayMs = input.delayMs ?? 0;
  }
  const { body, contentType, error } = readBody(vendor, req, op);
  if (error) {
    outcome.response = fail(vendor, req, error);
    if (error.violations) outcome.violations = error.violations;
    return outcome;
  }
  const params: Record<string, unknown> = { ...match.params };
  const query: Record<string, unknown> = {};
  for (const p of op.params) if (p.in === 'query' && req.query[p.name] !== undefined) query[p.name] = req.query[p.name];
  const violations = vendor.validator.validateRequest(op, params, query, body, contentType);
  if (violations.length) {
    outcome.violations = violations;
    // An id that breaks its own pattern names no record: like any unknown id, that is a 404.
    if (violations.every((v) => v.location === 'path')) {
      outcome.response = fail(vendor, req, { kind: 'not_found', message: `No resource at ${req.path.slice(0, 200)}` });
      return outcome;
    }
    const shown = violations.slice(0, MAX_SHOWN).map((v) => ({ ...v, field: cut(v.field, 200), message: cut(v.message, 300) }));
    const more = violations.length > MAX_SHOWN ? ` (and ${violations.length - MAX_SHOWN} more)` : '';
    outcome.response = fail(vendor, req, { kind: 'validation', message: cut(shown.map((v) => v.message).join('; '), 800) + more, violations: shown });
    return outcome;
  }
  const handler = vendor.adapter.handlers[op.operationId];
  try {
    outcome.response = await handler({
      world: o.world,
      account: account!,
      session: auth?.session as Session,
      op,
      params,
      query,
      body,
      req,
      services: o.services,
    });
  } catch (err) {
    if (err instanceof SimError) {
      const e = mapSimError(err);
      outcome.response = fail(vendor, req, e);
    } else {
      outcome.response = fail(vendor, req, { kind: 'internal', message: 'Internal simulator error' });
      // Header values must be printable Latin-1 without CR/LF.
      const reason = String((err as Error)?.message ?? err)
        .replace(/[^\x20-\x7e]/g, '?')
        .slice(0, 200);
      outcome.response.headers = { ...outcome.response.headers, 'x-callsim-error': reason };
      process.emitWarning(`callsim handler ${op.operationId} failed: ${(err as Error)?.stack ?? err}`);
    }
  }
  if (delayMs) outcome.response.delayMs = delayMs;
  if (o.strict() && !Buffer.isBuffer(outcome.response.body)) {
    outcome.responseViolations = vendor.validator.validateResponse(op, outcome.response.status, outcome.response.body);
  }
  return outcome;
}
