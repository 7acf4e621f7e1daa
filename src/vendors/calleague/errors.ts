import type { SimRequest, SimResponse, Violation } from '../../contract/types.js';
import { type ApiError, DEFAULT_STATUS, errorHeaders, HTTP_REASONS } from '../../engine/errors.js';

/** The docs' exact 401 text; the pipeline's own wording differs by case, Calleague's does not. */
const UNAUTHORIZED = 'Invalid or missing API key';
const MAX_MESSAGE = 1000;
const MAX_DETAILS = 50;

/** Friendlier wording where the generic schema message would hide what is expected. */
const PATTERN_MESSAGES: Record<string, string> = {
  to: 'to must be a valid number in E.164 format',
  url: 'url must be an absolute http(s) URL',
};

/** `events.1` → `events[1]`: the spec's field notation. */
const fieldName = (field: string): string => field.replace(/\.(\d+)(?=\.|$)/g, '[$1]');

function detail(v: Violation): { field: string; rule: string; message: string } {
  const field = fieldName(v.field);
  let message = v.field ? v.message.split(v.field).join(field) : v.message;
  if (v.rule === 'required') message = field ? `Missing required field: ${field}` : 'Request body is required';
  else if ((v.rule === 'pattern' || v.rule === 'format') && PATTERN_MESSAGES[field]) message = PATTERN_MESSAGES[field];
  return { field, rule: v.rule, message };
}

/**
 * The docs: 400 is malformed JSON or a missing field, 422 valid JSON with invalid values. A query
 * value that is not even of the right type (`page=abc`) is malformed input too, so 400.
 */
function validationStatus(violations: Violation[]): number {
  const malformed = violations.some((v) => v.rule === 'required' || (v.rule === 'type' && (v.location === 'query' || v.location === 'path')));
  return malformed ? 400 : 422;
}

/** The docs' troubleshooting table: "400 on a POST — Body isn't JSON, or header missing". */
const STATUS: Partial<Record<ApiError['kind'], number>> = { unsupported_media_type: 400 };

function statusOf(e: ApiError): number {
  if (e.status !== undefined) return e.status;
  if (STATUS[e.kind] !== undefined) return STATUS[e.kind]!;
  if (e.kind === 'validation') return validationStatus(e.violations ?? []);
  return DEFAULT_STATUS[e.kind] ?? 500;
}

/**
 * Calleague's errors: `{code, message, details?}` on the core routes; on the `/api/v1/` routes
 * the same inside that page's envelope (`statusText`, `data: null`), as its successes are.
 */
export function calleagueError(e: ApiError, req: SimRequest): SimResponse {
  const status = statusOf(e);
  const details = e.violations?.length ? e.violations.slice(0, MAX_DETAILS).map(detail) : undefined;
  let message = e.kind === 'unauthorized' ? UNAUTHORIZED : e.message;
  if (e.kind === 'validation' && details) message = details.map((d) => d.message).join('; ');
  message = message.slice(0, MAX_MESSAGE);
  const extra = details ? { details } : {};
  const body = req.path.startsWith('/api/v1/')
    ? { code: status, statusText: HTTP_REASONS[status] ?? 'Error', message, data: null, ...extra }
    : { code: status, message, ...extra };
  return { status, headers: errorHeaders(e), body };
}
