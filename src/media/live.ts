import type { Callsim } from '../app.js';
import { callerOf, endCallNow, takeOverCall } from '../sim/calls.js';
import { type Conversation, findConversation, type ScriptLine, withOffsets } from '../sim/conversations.js';
import type { Call, EndedReason } from '../sim/types.js';
import { AgentLine } from './agent-line.js';
import { Callee, type CalleeEvent, type CalleeSide } from './callee.js';
import { CallerRun } from './caller.js';
import { FRAME_BYTES, FRAME_MS, SAMPLES_PER_MS, SILENCE_B64, SILENCE_FRAME } from './codec.js';
import { setting } from './conditions.js';
import { type CallMedia, callMedia } from './info.js';
import { type LiveEnding, liveOutcome } from './outcome.js';
import type { Paced } from './pacer.js';
import type { Playout } from './playout.js';
import type { ClientMsg, Track } from './protocol.js';
import { Recorder, scriptedPrefix } from './recorder.js';
import { streamedAudio } from './recording.js';
import { type FrameRef, type LineMark, ScriptPlayer } from './script.js';
import { TurnLog } from './turns.js';
import type { CallerEnding } from './verdict.js';

/** What the engine needs from a stream: the socket side lives in session.ts. */
export interface Listener {
  readonly role: 'listen' | 'agent';
  readonly tracks: readonly Track[];
  /** This frame of every track the listener takes; `payload` encodes a track once for all. */
  frame(frameAt: number, payload: (track: Track) => string): void;
  dtmf(digit: string, at: number): void;
  echoMark(name: string, at: number): void;
  end(reason: string): void;
}

export interface LiveHost {
  sim: Callsim;
  removeLive(live: LiveCall): void;
}

/**
 * A call's audio while it streams: one engine per call, however many sockets watch it. It owns the
 * call from the moment it starts (the scripted end is cancelled), makes both parties' 20 ms frames
 * on the shared pacing loop, records what flowed, and ends the call when the conversation ends.
 */
export class LiveCall implements Paced {
  mode: 'scripted' | 'agent';
  readonly listeners = new Set<Listener>();
  agent: Listener | null = null;
  readonly info: CallMedia;
  private readonly conv: Conversation | undefined;
  private readonly lines: ScriptLine[];
  /** Call time (ms since answer) the engine started, and how far into the script it started. */
  private readonly startMs: number;
  private readonly joinedMs: number;
  private readonly limitMs: number;
  private player: ScriptPlayer | null = null;
  private callee: CalleeSide | null = null;
  private readonly agentLine: AgentLine;
  /** The callee's script lines said so far, and the last one not yet answered by an agent turn. */
  private readonly calleeSaid: string[] = [];
  private unanswered: number | null = null;
  private agentTurns = 0;
  private ending: LiveEnding = 'other';
  private frames = 0;
  private readonly agentRef: FrameRef = { buf: SILENCE_FRAME, off: 0 };
  private readonly calleeRef: FrameRef = { buf: SILENCE_FRAME, off: 0 };
  private readonly recAgent = new Recorder();
  private readonly recCallee = new Recorder();
  private readonly log: TurnLog;
  private readonly marks: LineMark[] = [];
  private readonly events: CalleeEvent[] = [];
  private endReason: EndedReason | null = null;
  ended = false;

  constructor(
    private readonly host: LiveHost,
    readonly call: Call,
    agent: Listener | null,
  ) {
    const world = host.sim.world;
    this.conv = findConversation(world.library, call.conversationId);
    this.lines = this.conv?.lines ?? [];
    this.startMs = Math.max(0, world.now() - (call.answeredAt ?? world.now()));
    // A scenario's fixed duration (durationSec) still cuts a scripted call short, or pads it with silence.
    this.limitMs = this.conv && call.talkMs !== this.conv.totalMs ? call.talkMs : this.conv ? Infinity : call.talkMs;
    // A listener joins the call where its script has got to; an agent stream starts the conversation
    // (the callee's "Hello?" is for it), so nothing was said before it.
    this.joinedMs = agent ? 0 : this.startMs;
    const prefix = this.conv ? withOffsets(this.conv).filter((l) => l.startMs < this.joinedMs) : [];
    this.log = new TurnLog(prefix.map((l) => ({ speaker: l.speaker, text: l.text, offsetMs: l.startMs })));
    this.info = callMedia(call);
    Object.assign(this.info, { mode: 'scripted', startOffsetMs: this.startMs, log: this.log, ended: false });
    this.mode = 'scripted';
    this.agentLine = new AgentLine(() => setting(host.sim, call, 'playoutMs'));
    this.player = new ScriptPlayer(this.lines, this.joinedMs, () => setting(host.sim, call, 'agentDelayMs'));
    takeOverCall(world, call);
    if (agent) this.setAgent(agent);
  }

  /** A live agent takes the call over from the built-in one, mid-line if need be. */
  setAgent(agent: Listener): void {
    this.agent = agent;
    this.listeners.add(agent);
    if (this.mode === 'agent') return;
    const { index, clip } = this.player!.position;
    const speaking = clip && !clip.done ? this.lines[index]?.speaker : undefined;
    const sim = this.host.sim;
    const turnTaking = { silenceMs: () => setting(sim, this.call, 'silenceMs'), nudgeMs: () => setting(sim, this.call, 'nudgeMs') };
    const caller = this.simulatedCaller();
    if (caller) this.info.caller = this.callee = new CallerRun(caller, turnTaking);
    else {
      this.callee = new Callee({
        lines: this.lines,
        prompts: sim.world.library.prompts[this.call.language] ?? sim.world.library.prompts.en,
        ...turnTaking,
        startIndex: this.player!.done ? this.lines.length : speaking === 'agent' ? index + 1 : index,
        startClip: speaking === 'callee' ? clip : null,
      });
    }
    this.player = null;
    this.mode = 'agent';
    this.info.mode = 'agent';
    // From now on the call's summary, sentiment and booking are what the live agent makes of it.
    this.call.liveAgent = { summary: null, sentiment: null };
  }

  /** The user's simulated caller a scenario rule gave this call, if it (still) exists. */
  private simulatedCaller() {
    const name = callerOf(this.call);
    if (!name) return undefined;
    const script = this.host.sim.callers.script(name);
    if (!script) {
      this.info.callerError = `no caller named ${name} (GET /__sim/callers lists them); the call's scripted callee talked instead`;
      this.host.sim.logger.info({ callId: this.call.id, caller: name }, 'simulated caller not found');
    }
    return script;
  }

  /** The agent's audio waiting to be played (its jitter buffer). */
  get playout(): Playout {
    return this.agentLine.playout;
  }

  add(l: Listener): void {
    this.listeners.add(l);
  }

  /** A listener left; the agent leaving hangs up the call (what flowed is kept). */
  remove(l: Listener): void {
    this.listeners.delete(l);
    if (l !== this.agent) return;
    this.agent = null;
    if (this.ended) return;
    this.ending = 'agent-left';
    endCallNow(this.host.sim.world, this.call, 'hangup');
  }

  tick(frameAt: number): void {
    if (this.ended) return;
    const world = this.host.sim.world;
    // A reset replaces every call without an event; twice a second is soon enough to notice.
    if (this.frames % 25 === 0 && world.findCall(this.call.id) !== this.call) return this.finish('state reset');
    if (this.call.status !== 'in-progress') return this.finish('call ended');
    const callMs = this.startMs + this.frames * FRAME_MS;
    if (this.player) this.scripted(frameAt, callMs);
    else this.live(frameAt, callMs);
    this.recAgent.append(this.agentRef.buf, this.agentRef.off);
    this.recCallee.append(this.calleeRef.buf, this.calleeRef.off);
    this.frames++;
    this.fanOut(frameAt);
    if (this.endReason) endCallNow(world, this.call, this.endReason);
  }

  /**
   * What the agent's client sent, as it reaches callsim: audio and key presses join the playout,
   * a mark waits behind them, `clear` empties it (barge-in) and hands the waiting marks back.
   * Answers why a message was refused (too much audio queued), or null.
   */
  fromAgent(from: Listener, msg: ClientMsg, at: number): string | null {
    if (from !== this.agent) return null;
    let refused: string | null = null;
    if (msg.event === 'mark') {
      const reached = this.playout.mark(msg.name, at);
      if (reached !== null) from.echoMark(msg.name, reached);
    } else if (msg.event === 'media') refused = this.playout.audio(msg.payload, at);
    else if (msg.event === 'clear') {
      this.info.clears++;
      for (const name of this.playout.clear()) from.echoMark(name, at);
    } else for (const d of msg.digits) refused ??= this.playout.digit(d, at);
    this.info.agentFramesDropped = this.playout.droppedFrames;
    return refused;
  }

  flush(): void {}

  nextDue(): number {
    return Infinity;
  }

  private scripted(frameAt: number, callMs: number): void {
    const marks = this.marks;
    marks.length = 0;
    this.player!.frame(callMs, this.agentRef, this.calleeRef, marks);
    for (const m of marks) {
      if (m.kind === 'start') {
        if (m.line.speaker === 'agent') this.log.agentTurn(m.atMs, m.line.text);
        else this.log.calleeSays(m.line.text, m.atMs);
      } else {
        if (m.line.speaker === 'callee') this.log.calleeSaid(m.line.text, m.atMs);
        this.lineDone(m.line, frameAt + (m.atMs - callMs));
      }
    }
    if (callMs + FRAME_MS >= this.limitMs || (this.player!.done && this.limitMs === Infinity)) this.endReason = 'completed';
  }

  private live(frameAt: number, callMs: number): void {
    const played = this.agentLine.next(frameAt, this.agentRef);
    const digits = played.digits;
    if (played.audioBytes) this.info.agentFramesPlayed++;
    this.info.underruns = this.playout.underruns;
    this.info.underrunMs = Math.round(this.playout.underrunMs);
    for (const m of played.marks) this.agent?.echoMark(m.name, m.at);
    if (digits) this.info.digitsHeard += digits;
    const events = this.events;
    events.length = 0;
    this.callee!.frame(callMs, this.agentRef, played.audioBytes, digits, this.calleeRef, events);
    for (const e of events) {
      if (e.type === 'say') this.log.calleeSays(e.text, e.atMs);
      else if (e.type === 'key') {
        for (const l of this.listeners) l.dtmf(e.digit, frameAt + (e.atMs - callMs));
      } else if (e.type === 'said') {
        this.log.calleeSaid(e.text, e.atMs);
        if (e.callerLine) this.calleeSaid.push(e.text);
        if (e.line) {
          this.calleeSaid.push(e.text);
          this.unanswered = this.lines.indexOf(e.line);
          this.lineDone(e.line, frameAt + (e.atMs - callMs));
        }
      } else if (e.type === 'agent-turn') {
        this.log.agentTurn(e.atMs);
        this.agentTurns++;
        this.agentAnswered();
      } else {
        this.endReason = this.callee!.gaveUp ? 'hangup' : 'completed';
        this.ending = this.callee!.gaveUp ? 'callee-gave-up' : 'callee-done';
      }
    }
  }

  /**
   * The live agent took its turn after a callee line: it stands in for the script's agent lines
   * that follow that line, so a booking one of them would make is made now, as the agent speaks.
   */
  private agentAnswered(): void {
    if (this.unanswered === null) return;
    for (let i = this.unanswered + 1; i < this.lines.length && this.lines[i].speaker === 'agent'; i++) this.book(this.lines[i]);
    this.unanswered = null;
  }

  private book(line: ScriptLine): void {
    for (const ev of line.events) {
      if (ev.type !== 'booking' || this.call.booking) continue;
      const world = this.host.sim.world;
      this.call.booking = { ...ev.data };
      world.bus.emit({ type: 'booking.created', at: world.now(), accountId: this.call.accountId, call: this.call, booking: this.call.booking });
    }
  }

  /**
   * A line ended (`at` on the pacer clock): the callee's key presses go out as `dtmf`, and a
   * booking is made as the script says.
   */
  private lineDone(line: ScriptLine, at: number): void {
    for (const ev of line.events) {
      if (ev.type === 'dtmf' && ev.digits && line.speaker === 'callee') {
        for (const l of this.listeners) for (const d of ev.digits) l.dtmf(d, at);
      }
    }
    this.book(line);
  }

  private inboundB64: string | null = null;
  private outboundB64: string | null = null;
  private readonly payloadOf = (track: Track): string =>
    track === 'inbound' ? (this.inboundB64 ??= payload(this.calleeRef)) : (this.outboundB64 ??= payload(this.agentRef));

  private fanOut(frameAt: number): void {
    this.inboundB64 = this.outboundB64 = null;
    for (const l of this.listeners) l.frame(frameAt, this.payloadOf);
  }

  /**
   * Stops the engine. Unless the world was reset under it, the call keeps what flowed: its
   * recording (both sides, latency included, as long as the talk time) and its live transcript.
   */
  finish(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.host.removeLive(this);
    this.info.ended = true;
    if (reason !== 'state reset' && this.call.answeredAt !== null) {
      this.call.turns = this.log.sorted();
      if (this.mode === 'agent') {
        this.call.liveAgent = liveOutcome({
          agentTurns: this.agentTurns,
          latencies: this.log.latencies,
          calleeLines: this.calleeSaid,
          calleeLinesLeft: this.callee!.linesLeft,
          digits: this.info.digitsHeard,
          booked: !!this.call.booking,
          ending: this.ending,
        });
        if (this.callee instanceof CallerRun) this.info.caller = this.callee.report(CALLER_ENDING[this.ending], this.info.underruns, this.info.underrunMs);
      }
      const total = Math.round(this.call.talkMs * SAMPLES_PER_MS);
      const start = Math.round(this.startMs * SAMPLES_PER_MS);
      const before = this.joinedMs > 0 ? scriptedPrefix(this.conv, this.joinedMs) : undefined;
      streamedAudio.set(this.call, {
        agent: this.recAgent.pcm(total, start, before?.agent),
        callee: this.recCallee.pcm(total, start, before?.callee),
      });
    }
    for (const l of [...this.listeners]) l.end(reason);
    this.listeners.clear();
  }
}

const CALLER_ENDING: Record<LiveEnding, CallerEnding> = { 'callee-done': 'caller', 'callee-gave-up': 'caller-gave-up', 'agent-left': 'agent', other: 'other' };

const payload = (f: FrameRef): string => (f.buf === SILENCE_FRAME ? SILENCE_B64 : f.buf.toString('base64', f.off, f.off + FRAME_BYTES));
