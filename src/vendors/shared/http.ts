import type { SimResponse } from '../../contract/types.js';

export const ok = (body: unknown, status = 200, headers?: Record<string, string>): SimResponse => ({ status, body, headers });
export const noContent = (): SimResponse => ({ status: 204 });

/** An array, or a list that reads only the slice asked for (the sim's call lists). */
export interface Sliceable<T> {
  readonly length: number;
  slice(start?: number, end?: number): T[];
}

/** One page of a list, 1-based; a page past the end is an empty list, not an error. */
export function paginate<T>(items: Sliceable<T>, page: number, perPage: number): { items: T[]; total: number; lastPage: number } {
  const start = (page - 1) * perPage;
  return {
    items: start < items.length ? items.slice(start, start + perPage) : [],
    total: items.length,
    lastPage: Math.max(1, Math.ceil(items.length / perPage)),
  };
}

/** `YYYY-MM-DD` means the whole day (start for `from`, end for `to`), UTC. */
export function dateBound(value: string | undefined, end: boolean): number | undefined {
  if (!value) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T00:00:00.000Z`) + (end ? 86_399_999 : 0);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

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
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Default status of each error kind; vendors override where their docs differ. */
export const DEFAULT_STATUS: Record<string, number> = {
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
