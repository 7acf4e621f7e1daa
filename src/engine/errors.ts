import type { Violation } from '../contract/types.js';

export type ApiErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'malformed_json'
  | 'validation'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'upstream'
  | 'internal'
  | 'fault';

/** Everything a surface needs to write one of its error answers, in its own envelope. */
export interface ApiError {
  kind: ApiErrorKind;
  message: string;
  violations?: Violation[];
  /** Forced status (fault injection, or a surface's own code for this failure). */
  status?: number;
  /** A surface's own machine-readable code (the admin API's `real_clock`…), where the kind is too coarse. */
  code?: string;
  /** More fields for the error body (the admin API's `known` event names…). */
  extra?: Record<string, unknown>;
  retryAfterSec?: number;
  allowed?: string[];
}

/** Thrown by a handler to answer with its surface's error envelope. */
export class ApiFailure extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

export const fail = (kind: ApiErrorKind, message: string, more: Omit<ApiError, 'kind' | 'message'> = {}): ApiFailure =>
  new ApiFailure({ kind, message, ...more });

export const HTTP_REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Default status of each error kind; surfaces override where their docs differ. */
export const DEFAULT_STATUS: Record<ApiErrorKind, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  malformed_json: 400,
  validation: 422,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  upstream: 502,
  internal: 500,
  fault: 500,
};

export function errorHeaders(e: { retryAfterSec?: number; allowed?: string[] }): Record<string, string> | undefined {
  const h: Record<string, string> = {};
  if (e.retryAfterSec !== undefined) h['retry-after'] = String(e.retryAfterSec);
  if (e.allowed) h.allow = e.allowed.join(', ');
  return Object.keys(h).length ? h : undefined;
}
