import type { Callsim } from '../app.js';
import type { SimEvent } from '../sim/events.js';
import type { Call } from '../sim/types.js';
import { callMedia } from './info.js';
import { LiveCall } from './live.js';
import { Pacer } from './pacer.js';
import { type Role, Session, type SessionOptions } from './session.js';
import { sessionJson } from './stats.js';

/** Closed streams kept per call for GET /__sim/calls/{id}/media; a reconnecting client cannot grow it without bound. */
const KEPT_PER_CALL = 50;

/** What opening a stream needs: the same as a session's own options. */
export type OpenStream = SessionOptions;

/**
 * Every media stream of one callsim: the sockets, the per-call engines and the one pacing loop
 * they share. A stream for a call not yet answered waits (with `connected` sent) and starts when
 * the call is answered; a call's end stops its streams.
 */
export class MediaHub {
  readonly pacer = new Pacer();
  readonly sessions = new Set<Session>();
  readonly lives = new Map<string, LiveCall>();
  private readonly unsubscribe: () => void;
  /** Calls a load run owns: their audio runs in its worker threads, so no stream here may take them. */
  readonly claimed = new WeakSet<Call>();
  /** Called when a call is answered, for the dialer (media_url). */
  onAnswered: ((call: Call) => void) | null = null;
  private shuttingDown = false;

  constructor(readonly sim: Callsim) {
    this.unsubscribe = sim.world.bus.on((e) => this.onEvent(e));
  }

  /** Why a stream for this call cannot be opened now, or null. */
  refusal(call: Call, role: Role): string | null {
    if (role !== 'agent') return null;
    const live = this.lives.get(call.id);
    const taken = (live && live.call === call && live.agent) || [...this.sessions].some((s) => s.call === call && s.role === 'agent' && s.state !== 'closed');
    return taken ? `call ${call.id} already has an agent stream; open more with ?role=listen` : null;
  }

  open(o: OpenStream): Session {
    const s = new Session({ sim: this.sim, pacer: this.pacer, closed: (x) => this.closed(x) }, o);
    this.sessions.add(s);
    this.pacer.add(s);
    callMedia(o.call).streamsOpened++;
    if (o.call.status === 'in-progress') this.attach(s);
    else if (o.call.status !== 'queued' && o.call.status !== 'ringing') s.end(`call ${o.call.id} has ended (${o.call.status})`);
    return s;
  }

  private attach(s: Session): void {
    const call = s.call;
    let live = this.lives.get(call.id);
    if (live && (live.call !== call || live.ended)) live = undefined;
    if (!live) {
      live = new LiveCall({ sim: this.sim, removeLive: (l) => this.removeLive(l) }, call, s.role === 'agent' ? s : null);
      this.lives.set(call.id, live);
      this.pacer.add(live);
    } else if (s.role === 'agent') live.setAgent(s);
    live.add(s);
    s.start(live);
  }

  private removeLive(live: LiveCall): void {
    if (this.lives.get(live.call.id) === live) this.lives.delete(live.call.id);
    this.pacer.delete(live);
  }

  private closed(s: Session): void {
    this.sessions.delete(s);
    this.pacer.delete(s);
    const kept = callMedia(s.call).closedSessions;
    kept.push(sessionJson(s));
    if (kept.length > KEPT_PER_CALL) kept.shift();
    // Shutting down is not the agent hanging up: the calls are left as they are.
    if (!this.shuttingDown) s.live?.remove(s);
  }

  private onEvent(e: SimEvent): void {
    if (e.type === 'call.started') {
      for (const s of this.sessions) if (s.call === e.call && s.state === 'waiting') this.attach(s);
      this.onAnswered?.(e.call);
    } else if (e.type === 'call.ended') {
      const live = this.lives.get(e.call.id);
      if (live?.call === e.call) live.finish('call ended');
      for (const s of this.sessions) if (s.call === e.call && s.state === 'waiting') s.end(`call ${e.call.id} ended: ${e.call.status}`);
    }
  }

  /** Graceful shutdown: every stream gets `stop` and a 1001 close. */
  async close(): Promise<void> {
    this.shuttingDown = true;
    const closing = [...this.sessions].map((s) => s.shutdown());
    for (const live of [...this.lives.values()]) this.removeLive(live);
    this.pacer.stop();
    this.unsubscribe();
    this.onAnswered = null;
    await Promise.all(closing);
  }
}
