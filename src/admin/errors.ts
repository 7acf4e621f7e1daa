import type { SimRequest, SimResponse } from '../contract/types.js';
import { type ApiError, DEFAULT_STATUS, errorHeaders } from '../engine/errors.js';

const CODES: Record<ApiError['kind'], string> = {
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  not_found: 'not_found',
  route_not_found: 'not_found',
  method_not_allowed: 'method_not_allowed',
  malformed_json: 'malformed_json',
  validation: 'invalid_request',
  conflict: 'conflict',
  payload_too_large: 'payload_too_large',
  unsupported_media_type: 'unsupported_media_type',
  rate_limited: 'rate_limited',
  upstream: 'upstream_error',
  internal: 'error',
  fault: 'error',
};

/** A request that broke specs/admin.yaml is a 400 naming each field; everything else keeps its kind's status. */
const STATUS: Record<ApiError['kind'], number> = { ...DEFAULT_STATUS, validation: 400, route_not_found: 404 };

/** The admin API's one error envelope: `{"error": {"code", "message", "details"?, ...extra}}`. */
export function adminError(e: ApiError, req?: SimRequest): SimResponse {
  const details = e.violations?.length ? e.violations.map((v) => ({ location: v.location, field: v.field, rule: v.rule, message: v.message })) : undefined;
  const error = {
    code: e.code ?? CODES[e.kind],
    message: e.kind === 'route_not_found' && req ? `No admin route ${req.method} ${req.path.replace(/^\/__sim/, '').slice(0, 200)}` : e.message,
    ...(details && { details }),
    ...(e.allowed && { allow: e.allowed }),
    ...e.extra,
  };
  return { status: e.status ?? STATUS[e.kind], headers: errorHeaders(e), body: { error } };
}
