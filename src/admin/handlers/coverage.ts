import { fail } from '../../engine/errors.js';
import { noContent, ok } from '../../engine/respond.js';
import { reportFiles, simCoverage, simReport, writeSimReports } from '../../report/sim.js';
import type { AdminHandlers } from './types.js';

/** coverage and the contract report. */
export const coverageHandlers = {
  getCoverage: ({ sim, query }) => ok(simCoverage(sim, query.account)),

  resetCoverage: ({ sim }) => {
    sim.coverage.clear();
    return noContent();
  },

  getReport: ({ sim }) => ok(simReport(sim)),

  writeReport: async ({ sim }) => {
    const files = reportFiles(sim);
    if (!files.length) throw fail('conflict', 'No report file: start callsim with --report FILE (CALLSIM_REPORT, config "report")', { code: 'no_report_file' });
    try {
      const report = await writeSimReports(sim);
      return ok({ files, passed: report.passed, reasons: report.reasons });
    } catch (err) {
      throw fail('internal', `Could not write the report: ${(err as Error).message}`, { code: 'report_write_failed' });
    }
  },
} satisfies Partial<AdminHandlers>;
