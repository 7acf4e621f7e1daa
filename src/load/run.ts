import type { Callsim } from '../app.js';
import { decodeMulaw, SAMPLES_PER_MS } from '../media/codec.js';
import { settingsFor } from '../media/conditions.js';
import { agentOf, dialParameters, twilioSignature } from '../media/dialer.js';
import { hubFor } from '../media/index.js';
import { callMedia } from '../media/info.js';
import type { LiveEnding } from '../media/outcome.js';
import { streamedAudio } from '../media/recording.js';
import { type CallerScript, callerFromConversation } from '../media/script-caller.js';
import { type CallerEnding, firstUnmet } from '../media/verdict.js';
import { createCall, endCallNow, takeOverCall } from '../sim/calls.js';
import { findConversation } from '../sim/conversations.js';
import type { Call, EndedReason } from '../sim/types.js';
import { JITTER_BINS, jitterQuantile, mergeJitter, type StreamResult, type WorkerStats } from './messages.js';
import { applyResult } from './results.js';

/** What a load run does, resolved and checked by the admin handler. */
export interface LoadPlan {
  count: number;
  ratePerSec: number;
  vendor: string;
  accountId: string;
  agentId: string;
  to: string;
  /** Dialled by every call; null: the agent's own media URL. */
  mediaUrl: string | null;
  target: string;
  caller: { name: string; script: CallerScript } | null;
  conditions: Record<string, number>;
  maxCallMs: number;
  record: boolean;
}

/** What a load run needs from the hub that owns it. */
export interface RunHost {
  sim: Callsim;
  /** Starts a call's stream on a worker. */
  dial(run: LoadRun, call: Call): void;
  hangup(callId: string, reason: string): void;
  placed(run: LoadRun, call: Call): void;
  /** Worker threads running the runs' calls. */
  readonly workers: number;
}

const ENDINGS: Record<CallerEnding, { live: LiveEnding; reason: EndedReason }> = {
  caller: { live: 'callee-done', reason: 'completed' },
  'caller-gave-up': { live: 'callee-gave-up', reason: 'hangup' },
  agent: { live: 'agent-left', reason: 'hangup' },
  other: { live: 'other', reason: 'hangup' },
};

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One load run on the main thread: it places the calls at the arrival rate (real calls of the
 * vendor's account, answered at once), hands each answered call to a worker thread, and folds
 * the worker's report of each call into the call itself — its media report, transcript, summary
 * and end — and into the run's counts and latency percentiles.
 */
export class LoadRun {
  status: 'running' | 'done' = 'running';
  stopped = false;
  readonly startedAt: number;
  endedAt: number | null = null;
  readonly callIds: string[] = [];
  private readonly calls = new Map<string, Call>();
  private readonly t0 = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private placedCount = 0;
  private completed = 0;
  private failed = 0;
  private readonly failures: Record<string, number> = {};
  private readonly verdicts = { pass: 0, fail: 0 };
  private readonly latencies: number[] = [];
  private sorted: number[] | null = null;
  private readonly jitter = new Uint32Array(JITTER_BINS);
  private jitterMax = 0;
  private framesSent = 0;
  private framesDropped = 0;
  private readonly builtIn = new Map<string, CallerScript>();

  constructor(
    readonly id: string,
    private readonly host: RunHost,
    readonly plan: LoadPlan,
  ) {
    this.startedAt = host.sim.world.now();
    this.schedule();
  }

  /** Places every call due by now at the arrival rate, then sleeps until the next one is. */
  private schedule(): void {
    this.timer = undefined;
    const { count, ratePerSec } = this.plan;
    const due = Math.min(count, Math.floor(((performance.now() - this.t0) * ratePerSec) / 1000) + 1);
    while (this.placedCount < due && !this.stopped) this.place();
    if (this.placedCount < count && !this.stopped) {
      const next = this.t0 + (this.placedCount * 1000) / ratePerSec;
      this.timer = setTimeout(() => this.schedule(), Math.max(0, next - performance.now()));
    }
    this.settle();
  }

  private place(): void {
    this.placedCount++;
    const p = this.plan;
    const world = this.host.sim.world;
    try {
      const call = createCall(world, {
        accountId: p.accountId,
        agentId: p.agentId,
        to: p.to,
        metadata: p.mediaUrl ? { media_url: p.mediaUrl, load_run: this.id } : { load_run: this.id },
        caller: p.caller?.name,
        answerAfterMs: 0,
      });
      Object.assign(call.media, p.conditions);
      this.calls.set(call.id, call);
      this.callIds.push(call.id);
      this.host.placed(this, call);
    } catch (err) {
      this.fail(`place: ${(err as Error).message}`);
    }
  }

  /** The call was answered: the run takes it over and a worker dials the agent. */
  answered(call: Call): void {
    if (this.stopped) {
      this.calls.delete(call.id);
      endCallNow(this.host.sim.world, call, 'hangup');
      return this.settle();
    }
    takeOverCall(this.host.sim.world, call);
    const info = callMedia(call);
    info.mode = 'agent';
    info.streamsOpened++;
    this.host.dial(this, call);
  }

  /** The caller this call talks with: the run's, else its own conversation's callee lines. */
  scriptFor(call: Call): { key: string; script: CallerScript } | null {
    if (this.plan.caller) return { key: `${this.id}:${this.plan.caller.name}`, script: this.plan.caller.script };
    const conv = findConversation(this.host.sim.world.library, call.conversationId);
    if (!conv) return null;
    let script = this.builtIn.get(conv.id);
    if (!script) this.builtIn.set(conv.id, (script = callerFromConversation(this.host.sim.world.library, conv)));
    return { key: `${this.id}:conversation:${conv.id}`, script };
  }

  /** The URL, handshake headers, start parameters and conditions a worker dials this call with. */
  dialFor(call: Call): { url: string | null; headers: Record<string, string>; customParameters: Record<string, string> } {
    const hub = hubFor(this.host.sim);
    const url = this.plan.mediaUrl ?? agentOf(hub, call)?.mediaUrl ?? null;
    const token = this.host.sim.options.mediaAuthToken;
    callMedia(call).dialUrl = url;
    return {
      url,
      headers: url && token ? { 'X-Twilio-Signature': twilioSignature(token, url) } : {},
      customParameters: dialParameters(hub, call),
    };
  }

  settings(call: Call) {
    const s = settingsFor(this.host.sim, call);
    return { latencyMs: s.latencyMs, jitterMs: s.jitterMs, lossPercent: s.lossPercent, playoutMs: s.playoutMs, silenceMs: s.silenceMs, nudgeMs: s.nudgeMs };
  }

  /** A worker's report of one call: into the call (unless the world was reset under it) and the run's figures. */
  finished(result: StreamResult): void {
    const call = this.calls.get(result.id);
    if (!call) return;
    this.calls.delete(result.id);
    const world = this.host.sim.world;
    if (world.findCall(call.id) === call) {
      const ending = ENDINGS[result.ending];
      applyResult(this.host.sim, call, result, ending.live, iso);
      const dialFailed = result.failure?.startsWith('dial:') ?? false;
      endCallNow(world, call, dialFailed ? 'failed' : ending.reason);
      const audio = result.audio;
      const total = Math.round(call.talkMs * SAMPLES_PER_MS);
      const start = Math.min(total, Math.round((callMedia(call).startOffsetMs ?? 0) * SAMPLES_PER_MS));
      const track = (mulaw: Uint8Array | undefined) => {
        const pcm = new Int16Array(audio ? total : 0);
        if (mulaw && audio) pcm.set(decodeMulaw(mulaw).subarray(0, total - start), start);
        return pcm;
      };
      // A run that keeps no audio leaves silence: the recording must not pretend the script was said.
      streamedAudio.set(call, { agent: track(audio?.agent), callee: track(audio?.callee) });
    }
    for (const l of result.latencies) this.latencies.push(l.latencyMs);
    this.sorted = null;
    if (result.report?.verdict) this.verdicts[result.report.verdict]++;
    const failure = result.failure ?? (result.report ? firstUnmet(result.report) : null);
    if (failure) this.fail(failure);
    else this.completed++;
    this.settle();
  }

  /** A call that could not even be dialled (no media URL, no caller script). */
  undialled(call: Call, why: string): void {
    this.calls.delete(call.id);
    callMedia(call).dialError = why;
    endCallNow(this.host.sim.world, call, 'failed');
    this.fail(why);
    this.settle();
  }

  private fail(reason: string): void {
    this.failed++;
    const key = reason.slice(0, 160);
    this.failures[key] = (this.failures[key] ?? 0) + 1;
  }

  /** The world ended one of the run's calls (API hang-up): its worker hangs up too and reports. */
  endedOutside(call: Call): void {
    if (this.calls.get(call.id) === call) this.host.hangup(call.id, `call ended: ${call.endedReason ?? call.status}`);
  }

  /** Frame timing from the workers, once a second while the run goes on. */
  timing(s: WorkerStats): void {
    mergeJitter(this.jitter, s.jitter);
    this.jitterMax = Math.max(this.jitterMax, s.jitterMaxMs);
    this.framesSent += s.framesSent;
    this.framesDropped += s.framesDropped;
  }

  /** No more calls; those talking are hung up (a reset has already removed them from the world). */
  stop(why: string): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    for (const id of this.calls.keys()) this.host.hangup(id, why);
    this.settle();
  }

  /** Calls this run may still place or is running: what it can still cost. */
  get outstanding(): number {
    return this.calls.size + (this.stopped ? 0 : this.plan.count - this.placedCount);
  }

  private settle(): void {
    if (this.status === 'done' || this.calls.size || (this.placedCount < this.plan.count && !this.stopped)) return;
    this.status = 'done';
    this.endedAt = this.host.sim.world.now();
  }

  json() {
    this.sorted ??= [...this.latencies].sort((a, b) => a - b);
    const at = (p: number) => (this.sorted!.length ? this.sorted![Math.min(this.sorted!.length - 1, Math.floor(p * this.sorted!.length))] : null);
    return {
      id: this.id,
      status: this.status,
      count: this.plan.count,
      ratePerSec: this.plan.ratePerSec,
      target: this.plan.target,
      caller: this.plan.caller?.name ?? null,
      startedAt: iso(this.startedAt),
      endedAt: this.endedAt === null ? null : iso(this.endedAt),
      stopped: this.stopped,
      calls: { started: this.placedCount, completed: this.completed, failed: this.failed, active: this.calls.size },
      turnLatencyMs: { turns: this.sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99) },
      failures: { ...this.failures },
      verdicts: { ...this.verdicts },
      media: {
        workers: this.host.workers,
        framesSent: this.framesSent,
        framesDropped: this.framesDropped,
        frameSendJitterMs: { p50: jitterQuantile(this.jitter, 0.5), p99: jitterQuantile(this.jitter, 0.99), max: this.framesSent ? this.jitterMax : null },
      },
      callIds: this.callIds,
    };
  }
}
