import type { Callsim } from '../app.js';
import { hubFor } from '../media/index.js';
import type { SimEvent } from '../sim/events.js';
import type { Call } from '../sim/types.js';
import type { FromWorker } from './messages.js';
import { WorkerPool } from './pool.js';
import { type LoadPlan, LoadRun, type RunHost } from './run.js';

/** Finished runs kept for GET /__sim/load/{id}; older ones are forgotten. */
const KEPT_RUNS = 100;

/**
 * Every load run of one callsim: the runs by id, which run each call belongs to, and the worker
 * pool they share (started with the first run, one thread per core, stopped with the server).
 */
export class LoadHub implements RunHost {
  readonly runs = new Map<string, LoadRun>();
  private readonly byCall = new Map<string, LoadRun>();
  private pool: WorkerPool | null = null;
  private seq = 0;

  constructor(readonly sim: Callsim) {
    sim.world.bus.on((e) => this.onEvent(e));
    // A reset removes the runs' calls from the world: the runs stop, their workers hang up.
    sim.resetListeners.push(() => {
      for (const run of this.runs.values()) run.stop('state reset');
    });
    sim.shutdownListeners.push(() => void this.close());
  }

  get workers(): number {
    return this.pool?.size ?? 0;
  }

  start(plan: LoadPlan): LoadRun {
    this.pool ??= new WorkerPool((m) => this.onWorker(m));
    const run = new LoadRun(`load_${++this.seq}`, this, plan);
    this.runs.set(run.id, run);
    for (const id of this.runs.keys()) {
      if (this.runs.size <= KEPT_RUNS) break;
      if (this.runs.get(id)!.status === 'done') this.runs.delete(id);
    }
    return run;
  }

  placed(run: LoadRun, call: Call): void {
    this.byCall.set(call.id, run);
    hubFor(this.sim).claimed.add(call);
  }

  dial(run: LoadRun, call: Call): void {
    const script = run.scriptFor(call);
    if (!script) return this.forget(call.id, (r) => r.undialled(call, `call ${call.id} has no conversation to take a caller from`));
    const { url, headers, customParameters } = run.dialFor(call);
    if (!url) return this.forget(call.id, (r) => r.undialled(call, `dial: agent ${call.agentId} has no media URL`));
    this.pool!.dial(
      {
        type: 'dial',
        id: call.id,
        url,
        headers,
        accountSid: call.accountId,
        customParameters,
        scriptKey: script.key,
        settings: run.settings(call),
        seed: this.sim.seed,
        record: run.plan.record,
        maxCallMs: run.plan.maxCallMs,
      },
      script.script,
    );
  }

  hangup(callId: string, reason: string): void {
    this.pool?.hangup(callId, reason);
  }

  /** Stream-level timing for the benchmark: each worker's figures since the last ask. */
  workerStats() {
    return this.pool ? this.pool.stats() : Promise.resolve([]);
  }

  private forget(callId: string, fn: (run: LoadRun) => void): void {
    const run = this.byCall.get(callId);
    this.byCall.delete(callId);
    if (run) fn(run);
  }

  private onEvent(e: SimEvent): void {
    if (e.type !== 'call.started' && e.type !== 'call.ended') return;
    const run = this.byCall.get(e.call.id);
    if (!run) return;
    if (e.type === 'call.started') run.answered(e.call);
    else run.endedOutside(e.call);
  }

  private onWorker(m: FromWorker): void {
    if (m.type === 'ended') this.forget(m.result.id, (run) => run.finished(m.result));
    else if (m.type === 'tick') for (const run of this.runs.values()) if (run.status === 'running') run.timing(m.stats);
  }

  async close(): Promise<void> {
    for (const run of this.runs.values()) run.stop('callsim is shutting down');
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }
}

const hubs = new WeakMap<Callsim, LoadHub>();

export function loadHubFor(sim: Callsim): LoadHub {
  let hub = hubs.get(sim);
  if (!hub) hubs.set(sim, (hub = new LoadHub(sim)));
  return hub;
}
