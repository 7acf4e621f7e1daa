import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { AgentLine } from '../media/agent-line.js';
import type { CalleeEvent } from '../media/callee.js';
import { CallerRun } from '../media/caller.js';
import { FRAME_BYTES, FRAME_MS, SILENCE_B64, SILENCE_FRAME } from '../media/codec.js';
import { DelayLine } from '../media/delay.js';
import { InputLimits, MAX_MESSAGE_BYTES } from '../media/limits.js';
import { hashString, type Leg, legDelay, legLost, randomSource } from '../media/network.js';
import type { Paced, Pacer } from '../media/pacer.js';
import { type ClientMsg, connectedMsg, dtmfMsg, markMsg, mediaMsg, parseClientMsg, startMsg, stopMsg } from '../media/protocol.js';
import { Recorder } from '../media/recorder.js';
import type { FrameRef } from '../media/script.js';
import type { CallerScript } from '../media/script-caller.js';
import { TurnLog } from '../media/turns.js';
import type { CallerEnding } from '../media/verdict.js';
import type { DialOrder, StreamResult } from './messages.js';
import { maskedTextFrame } from './wire.js';

export interface StreamHost {
  pacer: Pacer;
  ended(s: LoadStream, result: StreamResult): void;
  /** One media frame was written: how far its interval from the stream's previous one was from 20 ms. */
  sent(jitterMs: number | null): void;
  /** A mark was echoed: how late callsim's own timers served it (applying it, then sending the echo), beyond the latency. */
  markLate(ms: number): void;
  dropped(): void;
}

/** `due`: when it was meant to leave; `late`: how late the mark it echoes was applied. */
type Down = { text: string; media: boolean; close?: string; due?: number; late?: number };

/** The socket's send buffer may hold this much; past it a frame is dropped, as a carrier would. */
const HIGH_WATER_BYTES = 64 * 1024;
const HANDSHAKE_TIMEOUT_MS = 5000;
const CLOSE_GRACE_MS = 10_000;

/**
 * One call of a load run, in a worker thread: callsim dials the agent's WebSocket as a carrier does
 * and is the caller on it. The same parts as a call on the main thread — the agent's audio through
 * the playout buffer and the DTMF detector, a simulated caller, the turn log, the network's latency,
 * jitter and loss each way — without the world: what happened goes back to the main thread in one
 * message when the stream ends.
 */
export class LoadStream implements Paced {
  readonly streamSid = `MZ${randomBytes(16).toString('hex')}`;
  private readonly ws: WebSocket;
  private raw: { write(b: Buffer): boolean } | undefined;
  private state: 'dialing' | 'streaming' | 'closing' | 'closed' = 'dialing';
  private seq = 1;
  private chunk = 0;
  private frames = 0;
  private readonly orderedAt = performance.now();
  private startedAt = 0;
  private closingSince = 0;
  private readonly down = new DelayLine<Down>();
  private readonly up = new DelayLine<ClientMsg>();
  private readonly line: AgentLine;
  private readonly caller: CallerRun;
  private readonly log = new TurnLog();
  private readonly limits = new InputLimits();
  private readonly rand: () => number;
  private readonly leg: Leg;
  private readonly agentRef: FrameRef = { buf: SILENCE_FRAME, off: 0 };
  private readonly calleeRef: FrameRef = { buf: SILENCE_FRAME, off: 0 };
  private readonly events: CalleeEvent[] = [];
  private readonly rec: { agent: Recorder; callee: Recorder } | null;
  private lastMediaAt = 0;
  private failure: string | null = null;
  private ending: CallerEnding | null = null;
  private closed: { code: number; reason: string } | null = null;
  private agentTurns = 0;
  private readonly calleeLines: string[] = [];
  private digitsHeard = '';
  private readonly counts = { framesSent: 0, framesDropped: 0, framesLost: 0, messagesIn: 0, marksEchoed: 0, clears: 0, agentFramesLost: 0 };

  constructor(
    private readonly host: StreamHost,
    private readonly order: DialOrder,
    script: CallerScript,
  ) {
    const s = order.settings;
    this.leg = { latencyMs: s.latencyMs, jitterMs: s.jitterMs, lossPercent: s.lossPercent };
    this.rand = randomSource(order.seed ^ hashString(order.id));
    this.line = new AgentLine(() => s.playoutMs);
    this.caller = new CallerRun(script, { silenceMs: () => s.silenceMs, nudgeMs: () => s.nudgeMs });
    this.rec = order.record ? { agent: new Recorder(), callee: new Recorder() } : null;
    this.ws = new WebSocket(order.url, {
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      maxPayload: MAX_MESSAGE_BYTES,
      perMessageDeflate: false,
      skipUTF8Validation: true,
      headers: order.headers,
    });
    this.ws.on('open', () => this.open());
    this.ws.on('message', (data: Buffer, isBinary) => this.receive(data, isBinary));
    this.ws.on('unexpected-response', (_req, res) => {
      this.failure ??= `dial: HTTP ${res.statusCode}`;
      res.resume();
      this.ws.terminate();
    });
    this.ws.on('error', (err) => {
      this.failure ??= this.state === 'dialing' ? `dial: ${err.message}` : `stream error: ${err.message}`;
    });
    this.ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
  }

  get id(): string {
    return this.order.id;
  }

  private open(): void {
    if (this.state !== 'dialing') return;
    this.state = 'streaming';
    this.raw = (this.ws as unknown as { _socket?: { write(b: Buffer): boolean } })._socket;
    this.startedAt = performance.now();
    this.write({ text: connectedMsg(), media: false });
    const info = {
      streamSid: this.streamSid,
      accountSid: this.order.accountSid,
      callSid: this.order.id,
      tracks: ['inbound' as const],
      customParameters: this.order.customParameters,
    };
    this.deliver(this.startedAt, { text: startMsg(this.seq++, info), media: false });
    this.stopText = (seq) => stopMsg(seq, info);
    this.host.pacer.add(this);
  }

  private stopText: (seq: number) => string = () => '';

  tick(frameAt: number): void {
    if (this.state === 'closing' && frameAt - this.closingSince > CLOSE_GRACE_MS) {
      this.failure ??= `the agent did not close the stream within ${CLOSE_GRACE_MS / 1000} s of stop`;
      this.ws.terminate();
      return;
    }
    if (this.state !== 'streaming') return;
    const callMs = this.frames * FRAME_MS;
    if (callMs >= this.order.maxCallMs) {
      this.failure ??= `still talking after maxCallSec (${this.order.maxCallMs / 1000} s)`;
      return this.end('other');
    }
    const played = this.line.next(frameAt, this.agentRef);
    for (const m of played.marks) this.echoMark(m.name, m.at);
    if (played.digits) this.digitsHeard += played.digits;
    const events = this.events;
    events.length = 0;
    this.caller.frame(callMs, this.agentRef, played.audioBytes, played.digits, this.calleeRef, events);
    let hangup = false;
    for (const e of events) {
      if (e.type === 'say') this.log.calleeSays(e.text, e.atMs);
      else if (e.type === 'said') {
        this.log.calleeSaid(e.text, e.atMs);
        if (e.callerLine) this.calleeLines.push(e.text);
      } else if (e.type === 'agent-turn') {
        this.log.agentTurn(e.atMs);
        this.agentTurns++;
      } else if (e.type === 'key') {
        const at = frameAt + (e.atMs - callMs);
        this.deliver(at + legDelay(this.leg, this.rand), { text: dtmfMsg(this.seq++, this.streamSid, e.digit), media: false });
      } else hangup = true;
    }
    if (this.rec) {
      this.rec.agent.append(this.agentRef.buf, this.agentRef.off);
      this.rec.callee.append(this.calleeRef.buf, this.calleeRef.off);
    }
    this.frames++;
    this.sendFrame(frameAt);
    if (hangup) this.end(this.caller.gaveUp ? 'caller-gave-up' : 'caller');
  }

  private sendFrame(frameAt: number): void {
    const chunk = ++this.chunk;
    if (this.leg.lossPercent > 0 && legLost(this.leg, this.rand)) {
      this.counts.framesLost++;
      this.lastMediaAt = 0;
      return;
    }
    const f = this.calleeRef;
    const payload = f.buf === SILENCE_FRAME ? SILENCE_B64 : f.buf.toString('base64', f.off, f.off + FRAME_BYTES);
    const text = mediaMsg(this.seq++, this.streamSid, 'inbound', chunk, Math.max(0, Math.round(frameAt - this.startedAt)), payload);
    this.deliver(frameAt + legDelay(this.leg, this.rand), { text, media: true });
  }

  private echoMark(name: string, at: number, late = 0): void {
    this.counts.marksEchoed++;
    const due = at + legDelay(this.leg, this.rand);
    this.deliver(due, { text: markMsg(this.seq++, this.streamSid, name), media: false, due, late });
  }

  /** Sends now when nothing waits ahead and it is due, else queues it for the pacer. */
  private deliver(at: number, item: Down): void {
    if (this.state === 'closed') return;
    if (!this.down.length && at <= performance.now() + 1) return this.write(item);
    this.down.push(at, item);
    this.host.pacer.wakeBy(at, item.media ? undefined : this);
  }

  private write(item: Down): void {
    if (this.ws.readyState !== WebSocket.OPEN || !this.raw) return;
    if (item.media && this.ws.bufferedAmount > HIGH_WATER_BYTES) {
      this.counts.framesDropped++;
      this.lastMediaAt = 0;
      this.host.dropped();
      return;
    }
    this.raw.write(maskedTextFrame(item.text, (this.rand() * 0x100000000) >>> 0, item.media));
    if (item.media) {
      const now = performance.now();
      this.host.sent(this.lastMediaAt ? Math.abs(now - this.lastMediaAt - FRAME_MS) : null);
      this.lastMediaAt = now;
      this.counts.framesSent++;
    }
    if (item.late !== undefined) this.host.markLate(item.late + Math.max(0, performance.now() - item.due!));
    if (item.close !== undefined) this.ws.close(1000, item.close);
  }

  flush(now: number): void {
    while (this.up.nextAt() <= now + 1) {
      const at = this.up.nextAt();
      this.apply(this.up.shift()!, at, Math.max(0, performance.now() - at));
    }
    while (this.down.nextAt() <= now + 1 && this.state !== 'closed') this.write(this.down.shift()!);
  }

  nextDue(): number {
    return Math.min(this.up.nextAt(), this.down.nextAt());
  }

  /** The call is over on callsim's side: `stop` after whatever is on its way, then a 1000 close. */
  end(ending: CallerEnding, why = 'call ended'): void {
    if (this.state === 'dialing') {
      this.ending ??= ending;
      this.failure ??= `dial: ${why} before the agent answered`;
      this.ws.terminate();
      return;
    }
    if (this.state !== 'streaming') return;
    this.ending ??= ending;
    this.state = 'closing';
    this.closingSince = performance.now();
    this.deliver(this.closingSince + legDelay(this.leg, this.rand), { text: this.stopText(this.seq++), media: false, close: why });
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (this.state !== 'streaming') return;
    this.counts.messagesIn++;
    const now = performance.now();
    const flood = this.limits.admit(now);
    if (flood) return this.fail(1008, flood);
    const msg = parseClientMsg(data, isBinary, this.streamSid);
    if (typeof msg === 'string') return this.bad(msg);
    const at = now + legDelay(this.leg, this.rand);
    const arrived: ClientMsg = msg.event === 'media' ? { event: 'media', payload: this.lose(msg.payload) } : msg;
    // Without latency it is applied now, so it cannot miss the frame about to be made.
    if (at <= now && !this.up.length) this.apply(arrived, at);
    else {
      this.up.push(at, arrived);
      this.host.pacer.wakeBy(at, this);
    }
  }

  /** Upstream loss: each lost 20 ms packet becomes silence, so later audio keeps its time. */
  private lose(payload: Buffer): Buffer {
    if (this.leg.lossPercent <= 0) return payload;
    for (let off = 0; off < payload.length; off += FRAME_BYTES) {
      if (!legLost(this.leg, this.rand)) continue;
      payload.fill(0xff, off, Math.min(payload.length, off + FRAME_BYTES));
      this.counts.agentFramesLost++;
    }
    return payload;
  }

  /** `late`: how long after it was due (after the upstream latency) it is applied. */
  private apply(msg: ClientMsg, at: number, late = 0): void {
    if (this.state !== 'streaming') return;
    const playout = this.line.playout;
    let refused: string | null = null;
    if (msg.event === 'mark') {
      const reached = playout.mark(msg.name, at);
      if (reached !== null) this.echoMark(msg.name, reached, late);
    } else if (msg.event === 'media') refused = playout.audio(msg.payload, at);
    else if (msg.event === 'clear') {
      this.counts.clears++;
      for (const name of playout.clear()) this.echoMark(name, at);
    } else for (const d of msg.digits) refused ??= playout.digit(d, at);
    if (refused) this.bad(refused);
  }

  private bad(reason: string): void {
    const out = this.limits.strike(reason);
    if (out) this.fail(1008, out);
  }

  private fail(code: number, reason: string): void {
    this.failure ??= `closed by callsim (${code}): ${reason}`;
    this.ending ??= 'other';
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason.slice(0, 120));
    else this.ws.terminate();
  }

  private onClose(code: number, reason: string): void {
    if (this.state === 'closed') return;
    const was = this.state;
    this.state = 'closed';
    this.closed = { code, reason };
    this.host.pacer.delete(this);
    this.down.clear();
    this.up.clear();
    if (was === 'dialing') this.failure ??= `dial: closed before the handshake (${code})`;
    else if (was === 'streaming') {
      // The agent hung up first: fine for the call, a failure only when the close was abnormal.
      this.ending ??= 'agent';
      if (code !== 1000 && code !== 1001 && code !== 1005)
        this.failure ??= `the agent's stream closed with ${code}${reason ? ` (${reason.slice(0, 80)})` : ''}`;
    }
    this.host.ended(this, this.result());
  }

  private result(): StreamResult {
    const playout = this.line.playout;
    const ending = this.ending ?? 'other';
    return {
      id: this.order.id,
      failure: this.failure,
      ending,
      connectMs: this.startedAt ? this.startedAt - this.orderedAt : 0,
      transcript: this.log.sorted(),
      latencies: this.log.latencies,
      report: this.caller.report(ending, playout.underruns, playout.underrunMs),
      agentTurns: this.agentTurns,
      calleeLines: this.calleeLines,
      linesLeft: this.caller.linesLeft,
      digitsHeard: this.digitsHeard,
      stats: {
        streamSid: this.streamSid,
        ...this.counts,
        badMessages: this.limits.bad,
        lastBadMessage: this.limits.lastBad,
        agentFramesPlayed: this.line.framesPlayed,
        agentFramesDropped: playout.droppedFrames,
        underruns: playout.underruns,
        underrunMs: Math.round(playout.underrunMs),
      },
      close: this.closed,
      audio: this.rec ? { agent: this.rec.agent.bytes(), callee: this.rec.callee.bytes() } : null,
    };
  }
}
