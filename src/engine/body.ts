import sjson from 'secure-json-parse';
import type { OperationDef } from '../contract/spec.js';
import { header, type SimRequest } from '../contract/types.js';
import type { ApiError } from './errors.js';

const JSON_TYPES = /^application\/(?:[\w.+-]*\+)?json$/;
const FORM = 'application/x-www-form-urlencoded';

/** Deeper than this, a value is refused before anything recursive (validators, copies) touches it. */
const MAX_DEPTH = 64;

/** Nesting depth of a parsed JSON value, without recursion (a hostile value cannot blow the stack here). */
export function depthExceeds(value: unknown, max = MAX_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (d > max) return true;
    for (const child of Object.values(v)) if (child && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}

export interface ParsedBody {
  body?: unknown;
  /** The declared media type the body was read as. */
  contentType?: string;
  error?: ApiError;
}

/** Parses the body by the operation's declared media types; no body means none was sent. */
export function parseBody(req: SimRequest, op: OperationDef, limitBytes: number): ParsedBody {
  const raw = req.body;
  if (!op.body) return {};
  if (req.bodyTooLarge) return { error: { kind: 'payload_too_large', message: `Request body is larger than ${formatBytes(limitBytes)}` } };
  if (!raw || raw.length === 0) {
    if (!op.body.required) return {};
    return {
      error: {
        kind: 'validation',
        message: 'Request body is required',
        violations: [{ location: 'body', field: '', rule: 'required', message: 'request body is required' }],
      },
    };
  }
  // JSON is read as UTF-8 whatever charset is declared (RFC 8259), as the vendors do.
  const mediaType = (header(req.headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
  const declared = op.body.contentTypes;
  const json = declared.find((c) => c.includes('json'));
  if (json && JSON_TYPES.test(mediaType)) {
    let body: unknown;
    try {
      body = sjson.parse(raw.toString('utf8'), undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (err) {
      const message = err instanceof SyntaxError ? `Malformed JSON: ${err.message}` : 'Malformed JSON: forbidden key (__proto__ or constructor.prototype)';
      return { error: { kind: 'malformed_json', message } };
    }
    if (depthExceeds(body)) return { error: { kind: 'malformed_json', message: `Malformed JSON: nested deeper than ${MAX_DEPTH} levels` } };
    return { body, contentType: json };
  }
  if (mediaType === FORM && declared.includes(FORM)) return { body: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))), contentType: FORM };
  if (declared.includes(mediaType)) return { body: raw, contentType: mediaType };
  return {
    error: {
      kind: 'unsupported_media_type',
      message: `Content-Type ${mediaType ? `"${mediaType.slice(0, 100)}"` : '(none)'} is not supported here; send ${declared.join(' or ')}`,
    },
  };
}

const formatBytes = (n: number): string => (n % (1024 * 1024) === 0 ? `${n / 1024 / 1024} MB` : `${Math.round(n / 1024)} KB`);
