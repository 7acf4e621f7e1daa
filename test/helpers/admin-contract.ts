/**
 * The checks of test/admin/admin-spec.test.ts for test files of their own: every admin request a
 * test sends is checked against specs/admin.yaml (good ones must match it, `invalid` ones must
 * break it), every answer must be documented (status, media type, JSON schema), and the operations
 * a file exercised are remembered, so it can assert that none of its endpoints went untested.
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { Router } from '../../src/contract/router.js';
import { deref, loadSpec, resolvePointer } from '../../src/contract/spec.js';
import { ContractValidator } from '../../src/contract/validator.js';

const SPEC_FILE = fileURLToPath(new URL('../../specs/admin.yaml', import.meta.url));
const adminSpec = loadSpec(SPEC_FILE, 'admin');
const validator = new ContractValidator(adminSpec);
const router = new Router(adminSpec.operations);

export interface AdminRes {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface AdminCall {
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** The request deliberately breaks the documented request schema. */
  invalid?: boolean;
}

/** operationIds answered so far, with the statuses they answered. */
export const exercised = new Map<string, Set<number>>();

const statusKey = (responses: Record<string, unknown>, status: number) => [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in responses);

function assertRequest(method: string, path: string, o: AdminCall): void {
  const [p, qs = ''] = path.split('?');
  const m = router.match(method, p);
  expect(m.kind, `${method} ${p} is documented`).toBe('found');
  if (m.kind !== 'found' || o.raw !== undefined) return;
  const query: Record<string, unknown> = Object.fromEntries(new URLSearchParams(qs));
  const violations = validator.validateRequest(m.op, { ...m.params }, query, o.body, o.body !== undefined ? 'application/json' : undefined);
  if (o.invalid) expect(violations.length, `${method} ${path} must break specs/admin.yaml`).toBeGreaterThan(0);
  else expect(violations, `${method} ${path} request must match specs/admin.yaml`).toEqual([]);
}

function assertAdminResponse(method: string, path: string, res: AdminRes): void {
  const p = path.split('?')[0];
  const m = router.match(method, p);
  expect(m.kind, `${method} ${p} is documented`).toBe('found');
  if (m.kind !== 'found') return;
  const key = statusKey(m.op.responses, res.status);
  expect(key, `${method} ${p} → ${res.status} is documented: ${res.text.slice(0, 200)}`).toBeDefined();
  if (key === undefined) return;
  if (res.status < 500) expect(key, `${m.op.operationId} lists ${res.status} explicitly`).not.toBe('default');
  const documented = deref(adminSpec.doc, resolvePointer(adminSpec.doc, m.op.pointer).responses[key]);
  const types = Object.keys(documented.content ?? {});
  const ct = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  if (res.status === 204) {
    expect(types).toEqual([]);
    expect(res.text).toBe('');
  } else {
    expect(types, `${m.op.operationId} ${res.status} declares ${ct}`).toContain(ct);
    if (ct.includes('json')) {
      const violations = validator.validateResponse(m.op, res.status, res.body);
      expect(violations, `${method} ${path} → ${res.status} must match specs/admin.yaml: ${res.text.slice(0, 300)}`).toEqual([]);
    }
  }
  const seen = exercised.get(m.op.operationId) ?? new Set();
  exercised.set(m.op.operationId, seen.add(res.status));
}

/** Calls the admin API (full `/__sim/...` path) of the server at `base`, checking both directions. */
export async function adminCall(base: string, method: string, path: string, o: AdminCall = {}): Promise<AdminRes> {
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
  assertAdminResponse(method, path, res);
  return res;
}

/** The operations of one tag: a test file covering a group asserts each of them answered. */
export const operationsTagged = (tag: string): string[] =>
  adminSpec.operations.filter((op) => (resolvePointer(adminSpec.doc, op.pointer).tags ?? []).includes(tag)).map((op) => op.operationId);
