import type { Logger } from 'pino';
import type { CallsimOptions } from './config.js';
import type { RunningServer } from './server.js';
import { cleanStaleTemps, loadStateFile, saveStateFile } from './state/index.js';

/** How long shutdown waits for requests in flight once the state is saved; then they are cut. */
const SHUTDOWN_GRACE_MS = 5000;

/**
 * The running server's persistence and signals. Nothing is lost on the way down: the state is
 * saved first (before waiting on any client), periodically with `saveEvery`, and on SIGTERM,
 * SIGINT and SIGHUP; then the run's reports are written and its exit code decided (`finish`);
 * then requests in flight get a bounded grace period, never minutes.
 */
export function manageLifecycle(running: RunningServer, opts: CallsimOptions, log: Logger, finish: () => Promise<number> = async () => 0): void {
  const { sim } = running;
  const file = opts.stateFile;
  if (file) {
    const stale = cleanStaleTemps(file);
    if (stale.length) log.info({ files: stale }, 'removed temporary files a crashed save left');
    const problem = loadStateFile(sim, file);
    if (problem) throw new Error(`state file: ${problem}`);
  }
  const save = (why: string) => {
    if (!file) return;
    const failed = saveStateFile(sim, file);
    if (failed) log.error({ file, why }, `${failed}; the previous file is kept`);
    else log.debug({ file, why }, 'state saved');
  };
  const timer = file && opts.saveEvery ? setInterval(() => save('periodic'), opts.saveEvery * 1000) : undefined;
  timer?.unref();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    log.info({ signal }, 'shutting down');
    save(signal);
    if (file) log.info({ file }, 'state saved');
    // The run's reports and its exit code (--report, --fail-on), also before waiting on any client.
    const code = await finish();
    const grace = setTimeout(() => running.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    grace.unref();
    await running.close();
    clearTimeout(grace);
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));
}
