import { randomBytes } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import type { Callsim } from '../app.js';
import type { Call } from '../sim/types.js';
import { FRAME_BYTES, FRAME_MS, MULAW_SILENCE } from './codec.js';
import { setting } from './conditions.js';
import { DelayLine } from './delay.js';
import { InputLimits } from './limits.js';
import type { Listener, LiveCall } from './live.js';
import { hashString, type Leg, legDelay, legLost, randomSource } from './network.js';
import type { Paced, Pacer } from './pacer.js';
import { type ClientMsg, connectedMsg, dtmfMsg, markMsg, mediaMsg, parseClientMsg, type StartInfo, startMsg, stopMsg, type Track } from './protocol.js';
import { Wire } from './wire.js';

export type Role = 'listen' | 'agent';

export interface SessionOptions {
  ws: WebSocket;
  role: Role;
  vendor: string;
  call: Call;
  tracks: Track[];
  customParameters: Record<string, string>;
  /** `upgrade`: the client connected to callsim; `dial`: callsim dialled the agent's media_url. */
  origin: 'upgrade' | 'dial';
}

export interface SessionHost {
  sim: Callsim;
  pacer: Pacer;
  closed(s: Session): void;
}

type Down =
  | { media: true; track: Track; chunk: number; ts: number; payload: string }
  | { media: false; build: (seq: number) => string; close?: [number, string] };

const CLOSE_GRACE_MS = 10_000;

const isMedia = (d: Down): boolean => d.media;

/**
 * One media-stream socket: the Twilio message framing, the network between callsim and the client
 * (latency, jitter and loss each way, via delay lines served by the shared pacer), bounded
 * buffering for a slow reader, and the checks on what the client sends.
 */
export class Session implements Paced, Listener {
  readonly streamSid = `MZ${randomBytes(16).toString('hex')}`;
  readonly role: Role;
  readonly tracks: readonly Track[];
  readonly call: Call;
  readonly vendor: string;
  readonly origin: 'upgrade' | 'dial';
  readonly openedAt: number;
  state: 'waiting' | 'streaming' | 'closing' | 'closed' = 'waiting';
  live: LiveCall | null = null;
  readonly stats = { framesSent: 0, framesDropped: 0, framesLost: 0, messagesIn: 0, marksEchoed: 0 };
  /** How the socket closed: the code and reason sent or received, and when (world time). */
  closed: { at: number; code: number; reason: string } | null = null;
  readonly limits = new InputLimits();
  private readonly wire: Wire;
  private readonly info: StartInfo;
  private seq = 1;
  private readonly chunks = { inbound: 0, outbound: 0 };
  private startAt = 0;
  private readonly down = new DelayLine<Down>();
  private readonly up = new DelayLine<ClientMsg>();
  private readonly rand: () => number;
  private ticks = 0;
  private closingSince = 0;
  private readonly legNow: Leg = { latencyMs: 0, jitterMs: 0, lossPercent: 0 };
  private readonly batch: string[] = [];

  constructor(
    private readonly host: SessionHost,
    o: SessionOptions,
  ) {
    this.wire = new Wire(o.ws);
    this.role = o.role;
    this.tracks = o.tracks;
    this.call = o.call;
    this.vendor = o.vendor;
    this.origin = o.origin;
    this.openedAt = host.sim.world.now();
    this.rand = randomSource(host.sim.seed ^ hashString(this.streamSid));
    this.info = { streamSid: this.streamSid, accountSid: o.call.accountId, callSid: o.call.id, tracks: [...o.tracks], customParameters: o.customParameters };
    o.ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    // ws follows every 'error' with 'close'. For a protocol error (a message over maxPayload…) it
    // has sent the client a close code of its own, kept on the error under a symbol; 'close' then
    // reports 1006, as it never reads the client's answer. The stream ends with ws's code and the error.
    let error: { code: number; reason: string } | null = null;
    o.ws.on('error', (err) => {
      const sent = Object.getOwnPropertySymbols(err)
        .map((k) => (err as unknown as Record<symbol, unknown>)[k])
        .find((v) => typeof v === 'number');
      error = { code: typeof sent === 'number' ? sent : 1006, reason: err.message };
    });
    o.ws.on('close', (code, reason) => (error ? this.onClose(error.code, error.reason) : this.onClose(code, reason.toString())));
    this.wire.send(connectedMsg());
    this.log.debug({ ...this.ids(), role: this.role, origin: this.origin, tracks: this.tracks }, 'media stream opened');
  }

  private get log() {
    return this.host.sim.logger;
  }

  private ids() {
    return { streamSid: this.streamSid, vendor: this.vendor, callId: this.call.id };
  }

  /** The network as it stands now: the call's own conditions, else the server's. */
  private leg(): Leg {
    const { sim } = this.host;
    const leg = this.legNow;
    leg.latencyMs = setting(sim, this.call, 'latencyMs');
    leg.jitterMs = setting(sim, this.call, 'jitterMs');
    leg.lossPercent = setting(sim, this.call, 'lossPercent');
    return leg;
  }

  /** Buffered toward the client: queued frames plus what the socket holds. */
  get bufferedBytes(): number {
    return this.wire.buffered;
  }

  get queued(): number {
    return this.down.length;
  }

  start(live: LiveCall): void {
    if (this.state !== 'waiting') return;
    this.live = live;
    this.state = 'streaming';
    const now = performance.now();
    this.startAt = now;
    this.deliver(now + legDelay(this.leg(), this.rand), { media: false, build: (seq) => startMsg(seq, this.info) });
  }

  frame(frameAt: number, payload: (track: Track) => string): void {
    if (this.state !== 'streaming') return;
    const leg = this.leg();
    const ts = Math.round(frameAt - this.startAt);
    // The common case (no latency, nothing queued) sends straight away, allocating little but text.
    const now = leg.latencyMs === 0 && leg.jitterMs === 0 && !this.down.length && !this.wire.blocked() && this.wire.open;
    const batch = this.batch;
    batch.length = 0;
    for (const track of this.tracks) {
      const chunk = ++this.chunks[track];
      if (leg.lossPercent > 0 && legLost(leg, this.rand)) {
        this.stats.framesLost++;
        continue;
      }
      if (now) batch.push(mediaMsg(this.seq++, this.streamSid, track, chunk, ts, payload(track)));
      else this.deliver(frameAt + legDelay(leg, this.rand), { media: true, track, chunk, ts, payload: payload(track) }, leg);
    }
    this.stats.framesSent += batch.length;
    this.wire.sendAll(batch);
  }

  dtmf(digit: string, at: number): void {
    if (this.state === 'streaming') this.deliver(at + legDelay(this.leg(), this.rand), { media: false, build: (seq) => dtmfMsg(seq, this.streamSid, digit) });
  }

  echoMark(name: string, at: number): void {
    if (this.state !== 'streaming') return;
    this.stats.marksEchoed++;
    if (this.live) this.live.info.marksEchoed++;
    this.deliver(at + legDelay(this.leg(), this.rand), { media: false, build: (seq) => markMsg(seq, this.streamSid, name) });
  }

  /** The call is over: `stop` follows whatever is still on its way, then the socket closes. */
  end(reason: string): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.state = 'closing';
    this.closingSince = performance.now();
    const at = performance.now() + legDelay(this.leg(), this.rand);
    this.deliver(at, { media: false, build: (seq) => stopMsg(seq, this.info), close: [1000, reason] });
  }

  /** Server shutdown: `stop` now, close with 1001; a peer that does not answer the close is cut off. */
  shutdown(waitMs = 1000): Promise<void> {
    const done = this.wire.closeWith(stopMsg(this.seq++, this.info), 1001, 'callsim is shutting down', waitMs);
    this.onClose(1001, 'callsim is shutting down');
    return done;
  }

  /** Closes at once with a reason (protocol abuse). */
  fail(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.wire.close(code, reason);
    this.onClose(code, reason);
  }

  private onClose(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closed = { at: this.host.sim.world.now(), code, reason };
    this.down.clear();
    this.up.clear();
    // A close callsim did not ask for, or one for bad input, is a failure worth seeing at info.
    const normal = code === 1000 || code === 1001 || code === 1005;
    this.log[normal ? 'debug' : 'info'](
      { ...this.ids(), code, reason, framesSent: this.stats.framesSent, messagesIn: this.stats.messagesIn, badMessages: this.limits.bad },
      'media stream closed',
    );
    this.host.closed(this);
  }

  private deliver(at: number, item: Down, leg?: Leg): void {
    if (this.state === 'closed') return;
    if (!this.down.length && at <= performance.now() + 1 && !this.wire.blocked()) return this.send(item);
    this.down.push(at, item);
    if (item.media) {
      leg ??= this.leg();
      const cap = this.tracks.length * (Math.ceil((leg.latencyMs + leg.jitterMs) / FRAME_MS) + 50);
      if (this.down.length > cap && this.down.dropOldest(isMedia)) this.stats.framesDropped++;
    }
    this.host.pacer.wakeBy(at, item.media ? undefined : this);
  }

  private send(item: Down): void {
    if (!this.wire.open) return;
    if (item.media) {
      this.wire.send(mediaMsg(this.seq++, this.streamSid, item.track, item.chunk, item.ts, item.payload));
      this.stats.framesSent++;
      return;
    }
    this.wire.send(item.build(this.seq++));
    if (item.close) {
      this.wire.close(item.close[0], item.close[1]);
      this.onClose(item.close[0], item.close[1]);
    }
  }

  tick(frameAt: number): void {
    if (this.down.length && this.down.nextAt() <= frameAt + 1) this.flush(frameAt);
    // A reader too slow to ever take its `stop` is cut off rather than kept forever.
    if (this.state === 'closing' && frameAt - this.closingSince > CLOSE_GRACE_MS) {
      this.wire.terminate();
      return this.onClose(1006, `cut off: the client did not read its stop within ${CLOSE_GRACE_MS / 1000} s`);
    }
    if (this.state === 'waiting' && ++this.ticks % 50 === 0 && this.host.sim.world.findCall(this.call.id) !== this.call) {
      this.end('state reset');
    }
  }

  flush(now: number): void {
    while (this.up.nextAt() <= now + 1) {
      const at = this.up.nextAt();
      this.apply(this.up.shift()!, at);
    }
    if (this.down.nextAt() > now + 1) return;
    this.wire.batch(() => {
      while (this.down.nextAt() <= now + 1 && !this.wire.blocked() && this.state !== 'closed') this.send(this.down.shift()!);
    });
  }

  nextDue(): number {
    const up = this.up.nextAt();
    if (this.wire.blocked()) return up;
    const down = this.down.nextAt();
    return Math.min(up, down);
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    this.stats.messagesIn++;
    const now = performance.now();
    const flood = this.limits.admit(now);
    if (flood) return this.fail(1008, flood);
    const msg = parseClientMsg(data, isBinary, this.streamSid);
    if (typeof msg === 'string') return this.bad(msg);
    if (this.state === 'waiting') return this.bad(`${msg.event} before start: the call has not been answered yet`);
    if (this.state !== 'streaming') return;
    if (this.role === 'listen' && msg.event !== 'mark') return this.bad(`${msg.event}: listen streams are receive-only; connect with ?role=agent to speak`);
    const leg = this.leg();
    const at = now + legDelay(leg, this.rand);
    const arrived: ClientMsg = msg.event === 'media' ? { event: 'media', payload: this.lose(msg.payload, leg) } : msg;
    // Without latency the message is callsim's as soon as it is read: it joins the playout now,
    // not on the pacer's next wake, so it cannot miss the frame that is about to be made.
    if (at <= now && !this.up.length) this.apply(arrived, at);
    else {
      this.up.push(at, arrived);
      this.host.pacer.wakeBy(at, this);
    }
  }

  /** Upstream loss: each lost 20 ms packet becomes a gap of silence, so later audio keeps its time. */
  private lose(payload: Buffer, leg: Leg): Buffer {
    if (leg.lossPercent <= 0) return payload;
    for (let off = 0; off < payload.length; off += FRAME_BYTES) {
      if (!legLost(leg, this.rand)) continue;
      payload.fill(MULAW_SILENCE, off, Math.min(payload.length, off + FRAME_BYTES));
      if (this.live) this.live.info.agentFramesLost++;
    }
    return payload;
  }

  private bad(reason: string): void {
    this.log.info({ ...this.ids(), reason, badMessages: this.limits.bad + 1 }, 'media message rejected');
    const out = this.limits.strike(reason);
    if (out) this.fail(1008, out);
  }

  /** A client message reaching callsim (after the upstream latency). */
  private apply(msg: ClientMsg, at: number): void {
    const live = this.live;
    if (!live || live.ended || this.state !== 'streaming') return;
    if (msg.event === 'mark' && this.role === 'listen') {
      this.echoMark(msg.name, at);
      return;
    }
    if (msg.event === 'clear') this.log.debug(this.ids(), 'media clear');
    const refused = live.fromAgent(this, msg, at);
    if (refused) this.bad(refused);
  }
}
