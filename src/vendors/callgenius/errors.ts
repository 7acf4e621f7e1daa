import type { SimRequest, SimResponse, Violation } from '../../contract/types.js';
import { type ApiError, DEFAULT_STATUS, errorHeaders } from '../../engine/errors.js';

const NOT_FOUND = 'Resource not found (or belongs to another tenant)';

/** Laravel names a field by its key, with underscores as spaces unless it is a dotted path. */
const attribute = (field: string): string => (field.includes('.') ? field : field.replace(/_/g, ' '));

/** The last number in an ajv message ("must be <= 30", "must NOT have more than 255 characters"). */
const limit = (message: string): string => /(-?\d+(?:\.\d+)?)(?!.*\d)/.exec(message)?.[1] ?? '';

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
};
const FORMAT_WORDS: Record<string, string> = { email: 'a valid email address', date: 'a valid date', 'date-time': 'a valid date', uri: 'a valid URL' };

/**
 * One violation in Laravel's words ("The name field is required."). Rules the schema validator
 * reports are phrased here; a rule only the sim knows (mimes, taken…) keeps the sim's own message.
 */
function laravelMessage(v: Violation): string {
  if (!v.field) return v.rule === 'required' ? 'The request body is required.' : v.rule === 'minProperties' ? 'At least one field must be given.' : v.message;
  const a = attribute(v.field);
  switch (v.rule) {
    case 'required':
      return `The ${a} field is required.`;
    case 'type': {
      const t = /must be (\w+)/.exec(v.message)?.[1] ?? '';
      return `The ${a} field must be ${TYPE_WORDS[t.split(',')[0]] ?? 'valid'}.`;
    }
    case 'format': {
      const f = /valid ([\w-]+)/.exec(v.message)?.[1] ?? '';
      return FORMAT_WORDS[f] ? `The ${a} field must be ${FORMAT_WORDS[f]}.` : `The ${a} field format is invalid.`;
    }
    case 'pattern':
      return `The ${a} field format is invalid.`;
    case 'enum':
    case 'const':
      return `The selected ${a} is invalid.`;
    case 'minimum':
      return `The ${a} field must be at least ${limit(v.message)}.`;
    case 'maximum':
      return `The ${a} field must not be greater than ${limit(v.message)}.`;
    case 'minLength':
      return `The ${a} field must be at least ${limit(v.message)} characters.`;
    case 'maxLength':
      return `The ${a} field must not be greater than ${limit(v.message)} characters.`;
    case 'minItems':
      return `The ${a} field must have at least ${limit(v.message)} items.`;
    case 'maxItems':
      return `The ${a} field must not have more than ${limit(v.message)} items.`;
    case 'additionalProperties':
      return `The ${a} field is prohibited.`;
    default:
      return v.message.endsWith('.') ? v.message : `The ${a} field is invalid.`;
  }
}

/** `{message, errors}` as Laravel's validator answers: the first message, plus how many more. */
function validationBody(violations: Violation[]): { message: string; errors: Record<string, string[]> } {
  const errors: Record<string, string[]> = {};
  for (const v of violations) {
    const key = v.field || 'body';
    const msg = laravelMessage(v);
    const list = (errors[key] ??= []);
    if (!list.includes(msg)) list.push(msg);
  }
  const all = Object.values(errors).flat();
  const more = all.length - 1;
  return { message: more > 0 ? `${all[0]} (and ${more} more error${more > 1 ? 's' : ''})` : (all[0] ?? 'The given data was invalid.'), errors };
}

const MESSAGES: Partial<Record<ApiError['kind'], string>> = {
  unauthorized: 'Unauthenticated.',
  forbidden: 'This action is unauthorized.',
  not_found: NOT_FOUND,
  rate_limited: 'Too Many Attempts.',
  internal: 'Server Error',
};

/** CallGeni.us errors: `{message}`, and `{message, errors}` for validation (422). */
export function callgeniusError(e: ApiError, req: SimRequest): SimResponse {
  const status = e.status ?? DEFAULT_STATUS[e.kind];
  const headers = errorHeaders(e);
  if (e.kind === 'validation') {
    const violations = e.violations?.length ? e.violations : [{ location: 'body' as const, field: '', rule: 'invalid', message: e.message }];
    return { status, headers, body: validationBody(violations) };
  }
  let message = MESSAGES[e.kind] ?? e.message;
  if (e.kind === 'route_not_found') message = `The route ${req.path.replace(/^\//, '')} could not be found.`;
  if (e.kind === 'method_not_allowed')
    message = `The ${req.method} method is not supported for route ${req.path.replace(/^\//, '')}. Supported methods: ${(e.allowed ?? []).join(', ')}.`;
  return { status, headers, body: { message } };
}
