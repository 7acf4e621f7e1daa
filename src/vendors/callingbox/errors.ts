import type { SimRequest, SimResponse, Violation } from '../../contract/types.js';
import { type ApiError, DEFAULT_STATUS, errorHeaders } from '../../engine/errors.js';

/**
 * CallingBox documents 400 for every bad request (missing fields, wrong format) and no 409/415/422,
 * so validation failures, business-rule conflicts and a body that is not JSON all answer 400.
 */
const STATUS: Record<string, number> = { ...DEFAULT_STATUS, validation: 400, conflict: 400, malformed_json: 400, unsupported_media_type: 400 };

/** Injected faults may carry no message; the status then says what went wrong. */
const BY_STATUS: Record<number, string> = {
  500: 'internal error',
  502: 'telephony provider error',
  503: 'service unavailable',
  504: 'telephony provider timeout',
};

const PHONE_FIELDS = new Set(['to', 'from', 'phone_number']);

/** `to: must be an E.164 phone number (+15551234567)`: the field, then the rule it broke. */
function violationText(v: Violation): string {
  const label = v.field || 'body';
  const leaf = v.field.split('.').pop() ?? '';
  if (!v.field && v.rule === 'required') return 'request body is required';
  if (!v.field && v.rule === 'minProperties') return 'body: must set at least one field';
  if (v.rule === 'pattern' && PHONE_FIELDS.has(leaf)) return `${label}: must be an E.164 phone number (+15551234567)`;
  if (v.rule === 'pattern' && leaf === 'area_code') return `${label}: must be 1 to 6 digits`;
  const rest = v.message.startsWith(`${label} `) ? v.message.slice(label.length + 1) : v.message;
  return `${label}: ${rest}`;
}

function message(e: ApiError): string {
  // A forced status comes from fault injection, whose message already says what was injected.
  if (e.status !== undefined) return e.message || BY_STATUS[e.status] || 'error';
  switch (e.kind) {
    case 'unauthorized':
      return /missing/i.test(e.message) ? 'missing API key: send Authorization: Bearer sk_...' : 'invalid API key';
    case 'validation':
      return e.violations?.length ? e.violations.map(violationText).join('; ') : e.message;
    case 'malformed_json':
      return `invalid JSON body: ${e.message.replace(/^Malformed JSON:\s*/, '')}`;
    case 'route_not_found':
      return e.message.replace(/^No route/, 'no route');
    case 'upstream':
      return e.message || BY_STATUS[502];
    // Never leak simulator internals in a vendor answer; the pipeline adds a diagnostic header.
    case 'internal':
      return BY_STATUS[500];
    default:
      return e.message;
  }
}

/** CallingBox's one error envelope: `{ "error": "<message>" }`. A forced status (faults) wins. */
export function callingboxError(e: ApiError, _req: SimRequest): SimResponse {
  const status = e.status ?? STATUS[e.kind] ?? 500;
  return { status, headers: errorHeaders(e), body: { error: message(e) } };
}
