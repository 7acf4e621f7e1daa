import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PACKAGE_ROOT } from '../fixtures/index.js';
import type { CallerScript } from '../media/script-caller.js';
import { type DialOrder, type FromWorker, failedResult, type ToWorker, type WorkerStats } from './messages.js';

/**
 * The worker script: next to this module when it runs compiled as dist/src/load; from the build's
 * dist/src/load otherwise — the bundled command line (dist/cli) has no worker beside it, and a
 * worker thread cannot load the TypeScript source the test runner uses.
 */
function workerFile(): string {
  const beside = join(fileURLToPath(import.meta.url), '..', 'worker.js');
  if (existsSync(beside)) return beside;
  const built = join(PACKAGE_ROOT, 'dist', 'src', 'load', 'worker.js');
  if (!existsSync(built)) throw new Error(`load runs need the build (npm run build): ${built} is missing`);
  return built;
}

interface Slot {
  worker: Worker;
  /** Calls on it now: a new call goes to the least busy worker. */
  active: number;
  scripts: Set<string>;
}

/**
 * One long-lived worker thread per core, each holding a shard of every load run's calls. Plain
 * worker_threads, not a task pool such as piscina: a worker here keeps sockets and a pacing loop
 * across messages for minutes, where a task pool hands out short stateless jobs.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly owner = new Map<string, Slot>();
  private readonly waiting = new Map<number, (s: WorkerStats) => void>();
  private nextReq = 1;
  private closing = false;

  constructor(
    private readonly onMessage: (m: FromWorker) => void,
    readonly size = Math.max(1, Math.min(8, availableParallelism())),
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(workerFile()), active: 0, scripts: new Set() };
    slot.worker.unref();
    slot.worker.on('message', (m: FromWorker) => {
      if (m.type === 'ended') {
        if (this.owner.get(m.result.id) === slot) this.owner.delete(m.result.id);
        slot.active--;
      } else if (m.type === 'stats') {
        this.waiting.get(m.reqId)?.(m.stats);
        this.waiting.delete(m.reqId);
        return;
      }
      this.onMessage(m);
    });
    // A worker that dies takes its calls with it: each is reported failed, and a new worker takes its place.
    slot.worker.on('error', (err) => this.lost(slot, `load worker failed: ${err.message}`));
    slot.worker.on('exit', (code) => this.lost(slot, `load worker exited (${code})`));
    return slot;
  }

  private lost(slot: Slot, why: string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    for (const [id, s] of this.owner) {
      if (s !== slot) continue;
      this.owner.delete(id);
      this.onMessage({ type: 'ended', result: failedResult(id, why) });
    }
    if (!this.closing) this.slots.push(this.spawn());
  }

  /** Starts a call on the least busy worker, sending it the caller script first if it has not got it. */
  dial(order: DialOrder, script: CallerScript): void {
    const slot = this.slots.reduce((a, b) => (b.active < a.active ? b : a));
    if (!slot.scripts.has(order.scriptKey)) {
      this.post(slot, { type: 'script', key: order.scriptKey, script });
      slot.scripts.add(order.scriptKey);
    }
    slot.active++;
    this.owner.set(order.id, slot);
    this.post(slot, order);
  }

  hangup(id: string, reason: string): void {
    const slot = this.owner.get(id);
    if (slot) this.post(slot, { type: 'hangup', id, reason });
  }

  /** Each worker's frame timing since the last call (the benchmark's measuring window). */
  stats(): Promise<WorkerStats[]> {
    return Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<WorkerStats>((resolve) => {
            const reqId = this.nextReq++;
            this.waiting.set(reqId, resolve);
            this.post(slot, { type: 'stats', reqId });
          }),
      ),
    );
  }

  private post(slot: Slot, m: ToWorker): void {
    slot.worker.postMessage(m);
  }

  /** Each worker says `stop` on its streams and closes them; one that takes longer than `graceMs` is ended. */
  async close(graceMs = 500): Promise<void> {
    this.closing = true;
    const slots = this.slots.splice(0);
    for (const s of slots) this.post(s, { type: 'shutdown' });
    await Promise.all(
      slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void s.worker.terminate().then(() => resolve()), graceMs);
            s.worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
  }
}
