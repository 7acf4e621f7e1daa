import type { OperationDef } from '../contract/spec.js';
import type { Violation } from '../contract/types.js';
import type { Outcome } from '../engine/pipeline.js';

/** Distinct violations kept per operation and account; further ones are only counted. */
const MAX_KINDS = 50;
/** Distinct unmatched `METHOD path`s kept per surface and account. */
const MAX_UNMATCHED_SAMPLES = 20;

export interface KindTally {
  location: Violation['location'];
  field: string;
  rule: string;
  message: string;
  count: number;
  lastPath: string;
}

export interface OpTally {
  calls: number;
  /** Answered status → count. */
  statuses: Map<number, number>;
  violations: number;
  violatingCalls: number;
  warnings: number;
  responseViolations: number;
  kinds: Map<string, KindTally>;
  kindsDropped: number;
  warningKinds: Map<string, KindTally>;
  warningKindsDropped: number;
}

export interface EventTally {
  emitted: number;
  delivered: number;
  failed: number;
}

/** One account's traffic on one surface. */
export interface AccountTally {
  ops: Map<string, OpTally>;
  unmatched: number;
  unmatchedSamples: Map<string, number>;
  webhooks: Map<string, EventTally>;
}

const newAccount = (): AccountTally => ({ ops: new Map(), unmatched: 0, unmatchedSamples: new Map(), webhooks: new Map() });
const newOp = (): OpTally => ({
  calls: 0,
  statuses: new Map(),
  violations: 0,
  violatingCalls: 0,
  warnings: 0,
  responseViolations: 0,
  kinds: new Map(),
  kindsDropped: 0,
  warningKinds: new Map(),
  warningKindsDropped: 0,
});

/** Counts one violation (or warning) by its kind; false when the kind is new and the map is full. */
function tallyKind(kinds: Map<string, KindTally>, v: Violation, path: string): boolean {
  const key = `${v.location}\u0000${v.field}\u0000${v.rule}`;
  const k = kinds.get(key);
  if (k) {
    k.count++;
    k.lastPath = path;
  } else if (kinds.size < MAX_KINDS) kinds.set(key, { location: v.location, field: v.field, rule: v.rule, message: v.message, count: 1, lastPath: path });
  else return false;
  return true;
}

/**
 * What a run exercised, as counts: per surface, per account, per operation. A request costs a few
 * map look-ups and increments; memory grows with the distinct operations, statuses, accounts and
 * violation kinds seen (each capped), never with the number of requests.
 */
export class CoverageCounter {
  /** surface name → account id ('' when unauthenticated or accountless) → tallies. */
  readonly surfaces = new Map<string, Map<string, AccountTally>>();

  /** The last account counted: a test's requests mostly come from one account at a time. */
  private last: { surface: string; accountId: string; tally: AccountTally } | undefined;

  private account(surface: string, accountId: string): AccountTally {
    const last = this.last;
    if (last && last.surface === surface && last.accountId === accountId) return last.tally;
    let accounts = this.surfaces.get(surface);
    if (!accounts) this.surfaces.set(surface, (accounts = new Map()));
    let a = accounts.get(accountId);
    if (!a) accounts.set(accountId, (a = newAccount()));
    this.last = { surface, accountId, tally: a };
    return a;
  }

  /** One answered request. */
  request(surface: string, req: { method: string; path: string }, outcome: Outcome): void {
    const a = this.account(surface, outcome.accountId ?? '');
    const op: OperationDef | undefined = outcome.op;
    if (!op) {
      a.unmatched++;
      const key = `${req.method} ${req.path.length > 200 ? req.path.slice(0, 200) : req.path}`;
      const seen = a.unmatchedSamples.get(key);
      if (seen !== undefined) a.unmatchedSamples.set(key, seen + 1);
      else if (a.unmatchedSamples.size < MAX_UNMATCHED_SAMPLES) a.unmatchedSamples.set(key, 1);
      return;
    }
    let t = a.ops.get(op.operationId);
    if (!t) a.ops.set(op.operationId, (t = newOp()));
    t.calls++;
    const status = outcome.response.status;
    t.statuses.set(status, (t.statuses.get(status) ?? 0) + 1);
    if (outcome.violationCount) {
      t.violations += outcome.violationCount;
      t.violatingCalls++;
      // The outcome keeps the first 20 violations of a request; `violations` counts them all.
      for (const v of outcome.violations) if (!tallyKind(t.kinds, v, req.path)) t.kindsDropped++;
    }
    // What a tolerant API let pass (an unknown field, a clamped page size): counted all, as violations are.
    if (outcome.warningCount) {
      t.warnings += outcome.warningCount;
      for (const v of outcome.warnings) if (!tallyKind(t.warningKinds, v, req.path)) t.warningKindsDropped++;
    }
    if (outcome.responseViolations.length) t.responseViolations += outcome.responseViolations.length;
  }

  /** A webhook delivery changed: counted when queued and when it reaches its final state. */
  delivery(d: { vendor: string; accountId: string; event: string; state: string; attempts: readonly unknown[] }): void {
    const final = d.state === 'succeeded' || d.state === 'failed';
    if (!final && !(d.state === 'pending' && d.attempts.length === 0)) return;
    const a = this.account(d.vendor, d.accountId);
    let e = a.webhooks.get(d.event);
    if (!e) a.webhooks.set(d.event, (e = { emitted: 0, delivered: 0, failed: 0 }));
    if (d.state === 'succeeded') e.delivered++;
    else if (d.state === 'failed') e.failed++;
    else e.emitted++;
  }

  clear(): void {
    this.surfaces.clear();
    this.last = undefined;
  }
}
