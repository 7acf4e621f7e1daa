/**
 * Checks of admin API traffic against specs/admin.yaml, shared by the admin test files: every
 * request a test means to be good must match the document (and one it means to be bad must break
 * it), every answer's status must be documented and its JSON body match its schema.
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { Router } from '../../src/contract/router.js';
import { deref, loadSpec, resolvePointer } from '../../src/contract/spec.js';
import { ContractValidator } from '../../src/contract/validator.js';

export const SPEC_FILE = fileURLToPath(new URL('../../specs/admin.yaml', import.meta.url));
export const spec = loadSpec(SPEC_FILE, 'admin');
export const validator = new ContractValidator(spec);
const router = new Router(spec.operations);

export interface Res {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface CallOpts {
  body?: unknown;
  /** Sent as is (no request validation). */
  raw?: string;
  headers?: Record<string, string>;
  /** The request deliberately breaks the documented request schema. */
  invalid?: boolean;
}

/** operationIds answered so far, with the statuses they answered. */
export const exercised = new Map<string, Set<number>>();

const statusKey = (responses: Record<string, unknown>, status: number) => [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in responses);

/**
 * A request meant to be good must match the document; one the server refuses as malformed
 * (`invalid`) must break it too, so the documented bounds are exactly as tight as the server's.
 */
function assertRequest(method: string, path: string, o: CallOpts): void {
  const [p, qs = ''] = path.split('?');
  const m = router.match(method, p);
  expect(m.kind, `${method} ${p} is documented`).toBe('found');
  if (m.kind !== 'found' || o.raw !== undefined) return;
  const query: Record<string, unknown> = Object.fromEntries(new URLSearchParams(qs));
  const violations = validator.validateRequest(m.op, { ...m.params }, query, o.body, o.body !== undefined ? 'application/json' : undefined);
  if (o.invalid) expect(violations.length, `${method} ${path} ${JSON.stringify(o.body)?.slice(0, 200)} must break specs/admin.yaml`).toBeGreaterThan(0);
  else expect(violations, `${method} ${path} request must match specs/admin.yaml`).toEqual([]);
}

/** The answer must be documented: its status, its media type and (JSON) its schema. */
export function assertResponse(method: string, path: string, res: Res): void {
  const p = path.split('?')[0];
  const m = router.match(method, p);
  expect(m.kind, `${method} ${p} is documented`).toBe('found');
  if (m.kind !== 'found') return;
  const key = statusKey(m.op.responses, res.status);
  expect(key, `${method} ${p} → ${res.status} is documented: ${res.text.slice(0, 200)}`).toBeDefined();
  if (key === undefined) return;
  // `default` is for the unexpected (500); every status the code means to answer is listed by name.
  if (res.status < 500) expect(key, `${m.op.operationId} lists ${res.status} explicitly`).not.toBe('default');
  const documented = deref(spec.doc, resolvePointer(spec.doc, m.op.pointer).responses[key]);
  const types = Object.keys(documented.content ?? {});
  const ct = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  if (res.status === 204) {
    expect(types, `${m.op.operationId} ${res.status} has no body`).toEqual([]);
    expect(res.text).toBe('');
    exercised.set(m.op.operationId, (exercised.get(m.op.operationId) ?? new Set()).add(res.status));
    return;
  }
  expect(types, `${m.op.operationId} ${res.status} declares ${ct}`).toContain(ct);
  if (ct.includes('json')) {
    const violations = validator.validateResponse(m.op, res.status, res.body);
    expect(violations, `${method} ${path} → ${res.status} must match specs/admin.yaml: ${res.text.slice(0, 300)}`).toEqual([]);
  }
  exercised.set(m.op.operationId, (exercised.get(m.op.operationId) ?? new Set()).add(res.status));
}

export async function send(base: string, method: string, path: string, o: CallOpts = {}): Promise<Res> {
  assertRequest(method, path, o);
  const headers: Record<string, string> = { ...o.headers };
  let body: string | undefined = o.raw;
  if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  const r = await fetch(base + path, { method, headers, body });
  const text = await r.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* keep the text */
  }
  const res = { status: r.status, headers: r.headers, body: parsed, text };
  assertResponse(method, path, res);
  return res;
}

/** The operations of one tag: a test file covering a group asserts each of them answered. */
export const operationsTagged = (tag: string): string[] =>
  spec.operations.filter((op) => (resolvePointer(spec.doc, op.pointer).tags ?? []).includes(tag)).map((op) => op.operationId);
