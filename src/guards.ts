import type { FaultRule, RateLimitRule } from './config.js';
import { resolvePointer } from './contract/spec.js';
import { header } from './contract/types.js';
import type { ApiErrorKind } from './engine/errors.js';
import type { Guard } from './engine/surface.js';
import { Random } from './sim/random.js';
import type { World } from './sim/world.js';
import type { VendorSurface } from './vendors/surface.js';
import type { VendorPrincipal } from './vendors/types.js';

/** Only reading is safe for a read-only key; anything else is the vendor's 403. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * A key minted read-only (`POST /__sim/accounts/{id}/keys`) may read but not change anything. An
 * operation that changes no data though it is a POST (switching the active business) says so in
 * its spec with `x-callsim-read-only: true`.
 */
export const roleGuard: Guard<VendorPrincipal> = ({ surface, req, op, principal: { session } }) =>
  session.role === 'read-only' && !SAFE_METHODS.has(req.method) && resolvePointer(surface.spec.doc, op.pointer)['x-callsim-read-only'] !== true
    ? { kind: 'forbidden', message: 'This API key is read-only: it may read, not change anything' }
    : undefined;

/**
 * Fixed windows on the sim clock, so a virtual-clock test can roll past a limit with advance.
 * Each vendor's documented default comes from its adapter (`rateLimit`); config overrides it.
 */
export function rateLimitGuard(world: () => World, limits: () => Record<string, RateLimitRule | false>): Guard<VendorPrincipal> {
  const windows = new Map<string, { start: number; count: number }>();
  return ({ surface, principal: { account, session } }) => {
    const vendor = surface as VendorSurface;
    const name = vendor.name;
    const configured = limits()[name];
    if (configured === false) return undefined;
    const fallback = vendor.adapter.rateLimit;
    const requests = configured?.requests ?? fallback?.requests;
    const perMs = configured ? configured.perSec * 1000 : fallback?.perMs;
    if (!requests || !perMs) return undefined;
    const scope = fallback?.scope ?? 'token';
    // Per token, but the login tokens of one user share a budget: logging in again does not reset it.
    const holder = session.expiresAt !== undefined && session.userId ? `user:${session.userId}` : session.token;
    const key = `${name}|${scope === 'token' ? holder : account.id}`;
    const now = world().now();
    const start = Math.floor(now / perMs) * perMs;
    let w = windows.get(key);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      windows.set(key, w);
    }
    w.count++;
    if (w.count <= requests) return undefined;
    const retryAfterSec = Math.max(1, Math.ceil((start + perMs - now) / 1000));
    return {
      kind: 'rate_limited',
      message: `Too Many Requests: limit is ${requests} requests per ${perMs / 1000} s; retry after ${retryAfterSec} s`,
      retryAfterSec,
    };
  };
}

const KIND_BY_STATUS: Record<number, ApiErrorKind> = {
  400: 'malformed_json',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation',
  429: 'rate_limited',
  502: 'upstream',
};

function matchesPath(rule: FaultRule, template: string, path: string): boolean {
  if (!rule.path) return true;
  return rule.path === template || rule.path === path;
}

/**
 * Injected trouble: configured rules (seeded probability) and, per request, Prism's
 * `Prefer: code=503` header. The body is always the vendor's own error shape. Rules name a vendor
 * or a mounted document (`--spec`) by its name.
 */
export function faultGuard<P = VendorPrincipal>(seed: number, faults: () => FaultRule[], o: { prefer?: boolean } = {}): Guard<P> {
  const rng = new Random(seed ^ 0xfa17);
  return (input) => {
    // A mounted document's `Prefer: code=` is Prism's to answer (with the documented response).
    const prefer = o.prefer === false ? undefined : header(input.req.headers, 'prefer');
    const code = prefer && /(?:^|[;,\s])code=(\d{3})/.exec(prefer)?.[1];
    if (code && Number(code) >= 400) {
      const status = Number(code);
      return {
        kind: KIND_BY_STATUS[status] ?? 'fault',
        status,
        message: `Injected by Prefer: code=${status}`,
        retryAfterSec: status === 429 || status === 503 ? 1 : undefined,
      };
    }
    for (const rule of faults()) {
      if (rule.vendor !== input.surface.name) continue;
      if (rule.method && rule.method.toUpperCase() !== input.req.method) continue;
      if (!matchesPath(rule, input.op.template, input.req.path)) continue;
      if (rng.next() >= (rule.probability ?? 1)) continue;
      if (rule.delayMs) input.delayMs = (input.delayMs ?? 0) + rule.delayMs;
      if (rule.drop) return { status: 0, drop: true };
      if (rule.status) {
        const status = rule.status;
        const message = status === 502 ? 'Telephony provider error' : status === 429 ? 'Too Many Requests' : `Injected fault: HTTP ${status}`;
        return { kind: KIND_BY_STATUS[status] ?? 'fault', status, message, retryAfterSec: status === 429 || status === 503 ? 1 : undefined };
      }
    }
    return undefined;
  };
}
