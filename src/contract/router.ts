import type { OperationDef } from './spec.js';

interface Route {
  op: OperationDef;
  /** Literal segment, or null for a `{param}`. */
  segments: Array<string | null>;
  names: string[];
}

export type RouteMatch = { kind: 'found'; op: OperationDef; params: Record<string, string> } | { kind: 'method'; allowed: string[] } | { kind: 'none' };

/**
 * Routes compiled from the spec once. Literal segments win over parameters, so
 * `/v1/numbers/available` is never taken for `/v1/numbers/{id}`.
 */
export class Router {
  /** The routes by segment count, in precedence order: a path is only tried against its own length. */
  private byLength = new Map<number, Route[]>();
  /** Templates without parameters, by path: the common list and create requests match in one lookup. */
  private exact = new Map<string, Route[]>();

  constructor(operations: OperationDef[]) {
    const routes: Route[] = operations.map((op) => {
      const names: string[] = [];
      const segments = op.template
        .split('/')
        .slice(1)
        .map((s) => {
          const m = /^\{(.+)\}$/.exec(s);
          if (m) names.push(m[1]);
          return m ? null : s;
        });
      return { op, segments, names };
    });
    // More literal segments first, then earlier literals: deterministic precedence.
    routes.sort((a, b) => score(b) - score(a));
    for (const r of routes) {
      const same = this.byLength.get(r.segments.length);
      if (same) same.push(r);
      else this.byLength.set(r.segments.length, [r]);
      if (!r.names.length) this.exact.set(r.op.template, [...(this.exact.get(r.op.template) ?? []), r]);
    }
  }

  match(method: string, path: string): RouteMatch {
    // A literal template outranks every template with parameters: its method's route is the answer.
    for (const r of this.exact.get(path) ?? NONE) if (r.op.method === method) return { kind: 'found', op: r.op, params: {} };
    const parts = path.split('/').slice(1);
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    const allowed: string[] = [];
    for (const r of this.byLength.get(parts.length) ?? []) {
      const params = matchSegments(r, parts);
      if (!params) continue;
      if (r.op.method === method || (method === 'HEAD' && r.op.method === 'GET')) return { kind: 'found', op: r.op, params };
      if (!allowed.includes(r.op.method)) allowed.push(r.op.method);
    }
    return allowed.length ? { kind: 'method', allowed } : { kind: 'none' };
  }
}

const NONE: Route[] = [];

function score(r: Route): number {
  return r.segments.reduce<number>((s, seg, i) => s + (seg === null ? 0 : 2 ** (20 - i)), 0);
}

function matchSegments(r: Route, parts: string[]): Record<string, string> | undefined {
  if (parts.length !== r.segments.length) return undefined;
  // Literal segments first: most routes of the right length fail there, before anything is decoded.
  for (let i = 0; i < parts.length; i++) if (r.segments[i] !== null && r.segments[i] !== parts[i]) return undefined;
  const params: Record<string, string> = {};
  let p = 0;
  for (let i = 0; i < parts.length; i++) {
    if (r.segments[i] !== null) continue;
    let value: string;
    try {
      value = decodeURIComponent(parts[i]);
    } catch {
      return undefined;
    }
    if (!value || value.includes('/') || value.includes('\0')) return undefined;
    params[r.names[p++]] = value;
  }
  return params;
}
