import type { AdminSchemas } from '../admin/handlers/types.js';
import type { OperationDef } from '../contract/spec.js';
import type { AccountTally, CoverageCounter, EventTally, KindTally, OpTally } from './counter.js';

export type Coverage = AdminSchemas['Coverage'];
export type CoverageVendor = AdminSchemas['CoverageVendor'];
type Totals = AdminSchemas['CoverageTotals'];
type OpView = AdminSchemas['CoverageOperation'];

/** What the view needs to know of a surface: its spec's operations and declared webhook events. */
export interface CoveredSurface {
  name: string;
  kind: CoverageVendor['kind'];
  operations: OperationDef[];
  webhookEvents: string[];
}

/** The declared response an answered status falls under: the code itself, its range, or `default`. */
export function declaredKey(responses: Record<string, unknown>, status: number): string | undefined {
  const code = String(status);
  if (code in responses) return code;
  const range = `${code[0]}XX`;
  for (const k of [range, range.toLowerCase(), `${code[0]}Xx`, `${code[0]}xX`]) if (k in responses) return k;
  return 'default' in responses ? 'default' : undefined;
}

const percent = (part: number, whole: number) => (whole ? Math.round((1000 * part) / whole) / 10 : 0);

function mergeOps(into: OpTally | undefined, t: OpTally): OpTally {
  const copy = (m: Map<string, KindTally>) => new Map([...m].map(([k, v]) => [k, { ...v }]));
  if (!into) return { ...t, statuses: new Map(t.statuses), kinds: copy(t.kinds), warningKinds: copy(t.warningKinds) };
  into.calls += t.calls;
  for (const [s, n] of t.statuses) into.statuses.set(s, (into.statuses.get(s) ?? 0) + n);
  into.violations += t.violations;
  into.violatingCalls += t.violatingCalls;
  into.warnings += t.warnings;
  into.responseViolations += t.responseViolations;
  into.kindsDropped += t.kindsDropped;
  into.warningKindsDropped += t.warningKindsDropped;
  for (const [from, to] of [
    [t.kinds, into.kinds],
    [t.warningKinds, into.warningKinds],
  ])
    for (const [k, v] of from) {
      const seen = to.get(k);
      if (seen) {
        seen.count += v.count;
        seen.lastPath = v.lastPath;
      } else to.set(k, { ...v });
    }
  return into;
}

/** One surface's tallies summed over the accounts asked for. */
function sumAccounts(accounts: AccountTally[]) {
  const ops = new Map<string, OpTally>();
  const samples = new Map<string, number>();
  const webhooks = new Map<string, EventTally>();
  let unmatched = 0;
  for (const a of accounts) {
    for (const [id, t] of a.ops) ops.set(id, mergeOps(ops.get(id), t));
    unmatched += a.unmatched;
    for (const [k, n] of a.unmatchedSamples) samples.set(k, (samples.get(k) ?? 0) + n);
    for (const [event, e] of a.webhooks) {
      const w = webhooks.get(event) ?? { emitted: 0, delivered: 0, failed: 0 };
      webhooks.set(event, { emitted: w.emitted + e.emitted, delivered: w.delivered + e.delivered, failed: w.failed + e.failed });
    }
  }
  return { ops, unmatched, samples, webhooks };
}

const kindView = (k: KindTally) => ({ location: k.location, field: k.field, rule: k.rule, message: k.message, count: k.count, lastPath: k.lastPath });

function operationView(op: OperationDef, t: OpTally | undefined): OpView {
  const byKey = new Map<string, number>(Object.keys(op.responses).map((k) => [k, 0]));
  const undeclared = new Map<string, number>();
  for (const [status, n] of t?.statuses ?? []) {
    const key = declaredKey(op.responses, status);
    if (key === undefined) undeclared.set(String(status), (undeclared.get(String(status)) ?? 0) + n);
    else byKey.set(key, byKey.get(key)! + n);
  }
  return {
    operationId: op.operationId,
    method: op.method,
    path: op.template,
    calls: t?.calls ?? 0,
    responses: [
      ...[...byKey].map(([status, count]) => ({ status, declared: true, count })),
      ...[...undeclared].map(([status, count]) => ({ status, declared: false, count })),
    ],
    violations: t?.violations ?? 0,
    violatingCalls: t?.violatingCalls ?? 0,
    warnings: t?.warnings ?? 0,
    responseViolations: t?.responseViolations ?? 0,
    violationKinds: [...(t?.kinds.values() ?? [])].map(kindView),
    violationKindsDropped: t?.kindsDropped ?? 0,
    warningKinds: [...(t?.warningKinds.values() ?? [])].map(kindView),
    warningKindsDropped: t?.warningKindsDropped ?? 0,
  };
}

const emptyTotals = (): Totals => ({
  operations: 0,
  exercised: 0,
  operationsPercent: 0,
  responses: 0,
  responsesSeen: 0,
  responsesPercent: 0,
  calls: 0,
  violations: 0,
  violatingCalls: 0,
  warnings: 0,
  responseViolations: 0,
  unmatched: 0,
  webhookEvents: 0,
  webhookEventsEmitted: 0,
  webhooksDelivered: 0,
  webhooksFailed: 0,
});

/** Sums vendors' totals (or operations' figures) and works the percentages out from the sums. */
function addTotals(into: Totals, t: Totals): Totals {
  for (const k of Object.keys(into) as Array<keyof Totals>) if (!k.endsWith('Percent')) into[k] += t[k];
  into.operationsPercent = percent(into.exercised, into.operations);
  into.responsesPercent = percent(into.responsesSeen, into.responses);
  return into;
}

function vendorView(s: CoveredSurface, accounts: AccountTally[]): CoverageVendor {
  const sum = sumAccounts(accounts);
  const operations = s.operations.map((op) => operationView(op, sum.ops.get(op.operationId)));
  const totals = emptyTotals();
  for (const o of operations) {
    const declared = o.responses.filter((r) => r.declared && r.status !== 'default');
    addTotals(totals, {
      ...emptyTotals(),
      operations: 1,
      exercised: o.calls ? 1 : 0,
      responses: declared.length,
      responsesSeen: declared.filter((r) => r.count).length,
      calls: o.calls,
      violations: o.violations,
      violatingCalls: o.violatingCalls,
      warnings: o.warnings,
      responseViolations: o.responseViolations,
    });
  }
  const events = [...new Set([...s.webhookEvents, ...sum.webhooks.keys()])];
  const webhooks = events.map((event) => ({ event, ...(sum.webhooks.get(event) ?? { emitted: 0, delivered: 0, failed: 0 }) }));
  totals.unmatched = sum.unmatched;
  totals.webhookEvents = s.webhookEvents.length;
  totals.webhookEventsEmitted = webhooks.filter((w) => w.emitted && s.webhookEvents.includes(w.event)).length;
  totals.webhooksDelivered = webhooks.reduce((n, w) => n + w.delivered, 0);
  totals.webhooksFailed = webhooks.reduce((n, w) => n + w.failed, 0);
  const samples = [...sum.samples].slice(0, 20).map(([key, count]) => {
    const space = key.indexOf(' ');
    return { method: key.slice(0, space), path: key.slice(space + 1), count };
  });
  return { name: s.name, kind: s.kind, totals, operations, unmatched: { count: sum.unmatched, samples }, webhooks };
}

/** The coverage of every surface, over every account or the one given. */
export function coverageView(counter: CoverageCounter, surfaces: CoveredSurface[], at: number, account?: string): Coverage {
  const vendors = surfaces.map((s) => {
    const byAccount = counter.surfaces.get(s.name);
    const picked = !byAccount ? [] : account === undefined ? [...byAccount.values()] : [byAccount.get(account)].filter((a) => a !== undefined);
    return vendorView(s, picked);
  });
  const totals = vendors.reduce((t, v) => addTotals(t, v.totals), emptyTotals());
  return { at: new Date(at).toISOString(), account: account ?? null, totals, vendors };
}
