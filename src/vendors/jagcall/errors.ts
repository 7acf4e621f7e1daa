import type { SimRequest, SimResponse } from '../../contract/types.js';
import { type ApiError, DEFAULT_STATUS, errorHeaders } from '../../engine/errors.js';

const CODES: Record<string, string> = {
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  not_found: 'not_found',
  route_not_found: 'not_found',
  method_not_allowed: 'method_not_allowed',
  malformed_json: 'invalid_json',
  validation: 'validation_error',
  conflict: 'conflict',
  payload_too_large: 'payload_too_large',
  unsupported_media_type: 'unsupported_media_type',
  rate_limited: 'rate_limited',
  upstream: 'upstream_error',
  internal: 'internal_error',
  fault: 'server_error',
};

/** JagCall's one error envelope: `{ "error": { "code", "message", "details"? } }`. */
export function jagcallError(e: ApiError, _req: SimRequest): SimResponse {
  const status = e.status ?? DEFAULT_STATUS[e.kind];
  const details = e.violations?.length ? e.violations.map((v) => ({ field: v.field, rule: v.rule, message: v.message })) : undefined;
  return {
    status,
    headers: errorHeaders(e),
    body: { error: { code: e.code ?? CODES[e.kind] ?? 'error', message: e.message, ...(details ? { details } : {}) } },
  };
}
