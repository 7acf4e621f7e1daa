import type { Logger } from 'pino';
import type { Callsim } from '../app.js';
import { reportFiles, writeSimReports } from './sim.js';

/**
 * The end of a run (shutdown, SIGTERM): every `--report` file written, and the exit code the
 * `--fail-on` policy gives — 1 when the client under test broke the contract, or when a report
 * could not be written (a CI job must not pass on a missing report).
 */
export async function finishRun(sim: Callsim, log: Logger): Promise<number> {
  let passed: boolean;
  let reasons: string[];
  try {
    ({ passed, reasons } = await writeSimReports(sim));
  } catch (err) {
    process.stderr.write(`callsim: report not written: ${(err as Error).message}\n`);
    return 1;
  }
  for (const file of reportFiles(sim)) log.info({ file }, 'report written');
  if (passed) return 0;
  process.stderr.write(`callsim: the contract was broken (--fail-on ${sim.options.failOn}): ${reasons.join('; ')}\n`);
  return 1;
}
