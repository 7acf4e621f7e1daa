import type { AdminSchemas } from '../admin/handlers/types.js';
import type { Coverage } from '../coverage/view.js';

export type Report = AdminSchemas['Report'];
export type FailOn = AdminSchemas['FailOn'];
type ReportViolation = AdminSchemas['ReportViolation'];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Why a run fails, strictest first: request violations and requests no operation matched (the
 * client broke the contract), then warnings. Under `never` they are still listed, only not fatal.
 */
function findings(kind: Report['kind'], t: Coverage['totals']): Array<{ text: string; level: 'violations' | 'warnings' }> {
  const out: Array<{ text: string; level: 'violations' | 'warnings' }> = [];
  if (kind === 'verify') {
    if (t.violations) out.push({ level: 'violations', text: `${plural(t.violations, 'drift')} from the spec in ${plural(t.violatingCalls, 'answer')}` });
    if (t.unmatched) out.push({ level: 'violations', text: `${plural(t.unmatched, 'probe')} could not be checked` });
    return out;
  }
  if (t.violations) out.push({ level: 'violations', text: `${plural(t.violations, 'request violation')} in ${plural(t.violatingCalls, 'request')}` });
  if (t.unmatched) out.push({ level: 'violations', text: `${plural(t.unmatched, 'request')} matched no operation of its spec` });
  if (t.warnings) out.push({ level: 'warnings', text: plural(t.warnings, 'warning') });
  return out;
}

/** Every distinct violation (or warning) of every operation, flattened for machines and tables. */
function kindsOf(coverage: Coverage, which: 'violationKinds' | 'warningKinds'): ReportViolation[] {
  return coverage.vendors.flatMap((v) => v.operations.flatMap((o) => o[which].map((k) => ({ vendor: v.name, operationId: o.operationId, ...k }))));
}

/** The report of a run (or a drift check) from its coverage and the `--fail-on` policy. */
export function buildReport(coverage: Coverage, o: { kind: Report['kind']; failOn: FailOn; source: string; at: number }): Report {
  const found = findings(o.kind, coverage.totals);
  const fatal = found.filter((f) => o.failOn === 'warnings' || (o.failOn === 'violations' && f.level === 'violations'));
  return {
    format: 'callsim-report',
    version: 1,
    kind: o.kind,
    at: new Date(o.at).toISOString(),
    source: o.source,
    failOn: o.failOn,
    passed: fatal.length === 0,
    reasons: found.map((f) => (fatal.includes(f) ? `${f.text} (--fail-on ${o.failOn})` : f.text)),
    violations: kindsOf(coverage, 'violationKinds'),
    warnings: kindsOf(coverage, 'warningKinds'),
    coverage,
  };
}
