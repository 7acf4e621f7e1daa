import type { Callsim } from '../app.js';
import { type Coverage, type CoveredSurface, coverageView } from '../coverage/view.js';
import { fail } from '../engine/errors.js';
import { buildReport, type Report } from './build.js';
import { writeReportFiles } from './write.js';

/** Every surface whose traffic is counted: the vendors (with their webhook events) and the mounted documents. */
function coveredSurfaces(sim: Callsim): CoveredSurface[] {
  return [
    ...sim.vendors.map((v) => ({ name: v.name, kind: 'vendor' as const, operations: v.spec.operations, webhookEvents: v.adapter.webhookEvents })),
    ...sim.mounts.map((m) => ({ name: m.name, kind: 'spec' as const, operations: m.spec.operations, webhookEvents: [] })),
  ];
}

/** An account by id or by one of its API keys (a test worker knows its key); counts of a deleted account still count. */
function accountId(sim: Callsim, ref: string): string {
  if (sim.world.accounts.get(ref)) return ref;
  const session = sim.world.sessions.get(ref);
  if (session) return session.accountId;
  for (const accounts of sim.coverage.surfaces.values()) if (accounts.has(ref)) return ref;
  throw fail('not_found', `No account or API key ${ref.slice(0, 200)}`, { code: 'unknown_account' });
}

export function simCoverage(sim: Callsim, account?: string): Coverage {
  return coverageView(sim.coverage, coveredSurfaces(sim), sim.world.now(), account === undefined ? undefined : accountId(sim, account));
}

export function simReport(sim: Callsim): Report {
  return buildReport(simCoverage(sim), { kind: 'run', failOn: sim.options.failOn, source: sim.baseUrl, at: sim.world.now() });
}

/** The `report` option as a list of files. */
export const reportFiles = (sim: Callsim): string[] => {
  const r = sim.options.report;
  return r === undefined ? [] : Array.isArray(r) ? r : [r];
};

/** Writes every report file (none without `--report`) and answers the report they hold. */
export async function writeSimReports(sim: Callsim): Promise<Report> {
  const report = simReport(sim);
  await writeReportFiles(report, reportFiles(sim));
  return report;
}
