import type { CalleeEvent, CalleeSide } from './callee.js';
import { FRAME_BYTES, FRAME_MS, SAMPLES_PER_MS } from './codec.js';
import { Clip, type FrameRef, silence } from './script.js';
import type { CallerScript, ScriptedLine } from './script-caller.js';
import { dtmfTone } from './tones.js';
import { Vad } from './vad.js';
import { type CallerEnding, type CallerReport, callerReport, type TurnFacts } from './verdict.js';

/** What a simulated caller needs from its call: the turn-taking settings in effect. */
export interface CallerSettings {
  silenceMs: () => number;
  nudgeMs: () => number;
}

type Phase = 'waiting' | 'speaking' | 'keys' | 'silent' | 'prompt' | 'ending' | 'done';

/** Dead air this long or longer counts as a silence in the report. */
const SILENCE_REPORT_MS = 2000;
/** An agent that has been quiet this long after a barge-in has yielded. */
const YIELD_QUIET_MS = 200;

/**
 * A user's simulated caller (`Caller` in specs/admin.yaml) on a call with a live agent: it says its
 * lines when their `after` condition holds — once the agent has spoken and fallen silent, a fixed
 * time after its previous line, or over the agent (barge-in) — presses keys as real DTMF tones,
 * stays silent when told, hangs up, and nudges a silent agent as the scripted callee does. All the
 * while it notes what the agent's audio did (energy VAD), for the per-line report and verdict.
 * It knows no world, socket or clock: the same engine runs on the main thread and in a load run's
 * worker threads.
 */
export class CallerRun implements CalleeSide {
  private readonly vad = new Vad();
  private phase: Phase = 'waiting';
  private index = 0;
  private sound: Clip | null = null;
  private keys = '';
  private silentLeftMs = 0;
  private prompt: 'nudge' | 'goodbye' | null = null;
  /** When the wait for the next line began (the previous line's end, or the stream's start). */
  private anchorMs = 0;
  private agentSpoke = false;
  private nudged = false;
  private waitedMs = 0;
  /** When the agent's current stretch of speech began (null while it is quiet). */
  private talkingSince: number | null = null;
  private quietRunMs = 0;
  private readonly facts: TurnFacts[] = [];
  private readonly silences = { count: 0, totalMs: 0, longestMs: 0 };
  private greetingMs: number | null = null;
  private agentTalkMs = 0;
  gaveUp = false;
  private readonly scratch = Buffer.alloc(FRAME_BYTES);

  constructor(
    readonly script: CallerScript,
    private readonly settings: CallerSettings,
  ) {}

  get finished(): boolean {
    return this.phase === 'done';
  }

  get linesLeft(): number {
    return this.script.lines.length - this.facts.length;
  }

  private get silenceMs(): number {
    return this.script.silenceMs ?? this.settings.silenceMs();
  }

  private get nudgeMs(): number {
    return this.script.nudgeMs ?? this.settings.nudgeMs();
  }

  private get turn(): TurnFacts | undefined {
    return this.facts[this.facts.length - 1];
  }

  frame(callMs: number, agent: FrameRef, agentBytes: number, digits: string, out: FrameRef, events: CalleeEvent[]): void {
    this.hear(callMs, agent, agentBytes, digits, events);
    silence(out);
    let audible = false;
    switch (this.phase) {
      case 'waiting':
        if (this.due(callMs)) audible = this.begin(callMs, out, events);
        else audible = this.idle(callMs, out, events);
        break;
      case 'speaking':
      case 'keys':
      case 'prompt':
        audible = this.play(callMs, out, events);
        break;
      case 'silent':
        this.silentLeftMs -= FRAME_MS;
        if (this.silentLeftMs <= 0) this.lineDone(callMs + FRAME_MS, events);
        break;
      case 'ending':
        this.ending(callMs, events);
        break;
      case 'done':
        return;
    }
    this.deadAir(audible || this.vad.speaking);
  }

  /** The agent's frame as the caller hears it: turns, talk, keys, interruptions, yielding. */
  private hear(callMs: number, agent: FrameRef, agentBytes: number, digits: string, events: CalleeEvent[]): void {
    let began: number | null = null;
    if (agentBytes) began = this.vad.push(agent.buf, agent.off);
    else this.vad.silent();
    const turn = this.turn;
    if (began !== null) {
      const atMs = Math.max(0, callMs + began * FRAME_MS);
      this.talkingSince = atMs;
      this.greetingMs ??= atMs;
      if (turn) {
        turn.agentStartMs ??= atMs;
        // Talking while the caller says a line it did not say over the agent is an interruption.
        if (turn.endMs === null && !turn.bargeIn) turn.interrupted = true;
      }
    } else if (!this.vad.speaking) this.talkingSince = null;
    if (this.vad.speaking) {
      // The frames the VAD needed to be sure were speech too.
      const talk = FRAME_MS * (1 - (began ?? 0));
      this.agentTalkMs += talk;
      if (turn && turn.endMs !== null) turn.agentTalkMs += talk;
    }
    if (turn?.bargeIn && turn.yieldMs === null && !this.vad.speaking && this.vad.quietMs >= YIELD_QUIET_MS) {
      turn.yieldMs = Math.max(0, callMs + FRAME_MS - this.vad.quietMs - turn.startMs);
    }
    if (digits && turn) turn.keysHeard += digits;
    if ((began === null && !digits) || this.agentSpoke) return;
    this.agentSpoke = true;
    this.nudged = false;
    events.push({ type: 'agent-turn', atMs: began !== null ? Math.max(0, callMs + began * FRAME_MS) : callMs });
  }

  /** Whether the next line's `after` condition holds now. */
  private due(callMs: number): boolean {
    const after = this.script.lines[this.index].after;
    // A key press counts as the agent's turn at once, but its tone (or speech not yet confirmed) is not silence.
    if (after === 'agent') return this.agentSpoke && !this.vad.loud && this.vad.quietMs >= this.silenceMs;
    if (typeof after === 'number') return callMs - this.anchorMs >= after;
    return this.talkingSince !== null && callMs - this.talkingSince >= after.bargeInMs;
  }

  /** Waiting on a silent agent: "Hello? Is anyone there?" after nudgeMs, then goodbye after as long again. */
  private idle(callMs: number, out: FrameRef, events: CalleeEvent[]): boolean {
    const after = this.script.lines[this.index].after;
    if (typeof after === 'number') return false;
    if (this.vad.speaking || (after === 'agent' && this.agentSpoke)) {
      this.waitedMs = 0;
      return false;
    }
    this.waitedMs += FRAME_MS;
    if (this.waitedMs < this.nudgeMs) return false;
    const prompts = this.script.prompts;
    if (!prompts) {
      this.gaveUp = true;
      this.hangup(callMs, events);
      return false;
    }
    this.prompt = this.nudged ? 'goodbye' : 'nudge';
    this.nudged = true;
    const p = prompts[this.prompt];
    this.sound = new Clip(p.audio);
    this.phase = 'prompt';
    events.push({ type: 'say', text: p.text, line: null, atMs: callMs });
    return this.play(callMs, out, events);
  }

  /** Line `index` starts now: its text (or its keys, or its silence). */
  private begin(callMs: number, out: FrameRef, events: CalleeEvent[]): boolean {
    const line = this.script.lines[this.index];
    this.facts.push({
      line: this.index + 1,
      text: line.text,
      startMs: callMs,
      endMs: null,
      bargeIn: this.vad.speaking,
      agentStartMs: null,
      agentTalkMs: 0,
      keysHeard: '',
      interrupted: false,
      yieldMs: null,
    });
    this.agentSpoke = this.vad.speaking;
    this.waitedMs = 0;
    this.keys = line.keys;
    if (line.text || line.keys) events.push({ type: 'say', text: transcriptText(line), line: null, atMs: callMs, callerLine: this.index + 1 });
    if (line.audio.length) {
      this.sound = new Clip(line.audio);
      this.phase = 'speaking';
    } else this.nextPart(callMs, callMs, events);
    return this.phase === 'speaking' || this.phase === 'keys' ? this.play(callMs, out, events) : false;
  }

  /** Plays the current sound into `out`; when it ends, moves on to the line's next part. */
  private play(callMs: number, out: FrameRef, events: CalleeEvent[]): boolean {
    const spoken = this.sound!.read(out, this.scratch);
    if (!this.sound!.done) return true;
    this.sound = null;
    const endMs = callMs + spoken / SAMPLES_PER_MS;
    if (this.phase === 'prompt') {
      const p = this.script.prompts![this.prompt!];
      events.push({ type: 'said', text: p.text, line: null, atMs: endMs });
      this.waitedMs = 0;
      if (this.prompt === 'goodbye') {
        this.gaveUp = true;
        this.hangup(endMs + FRAME_MS, events);
      } else this.phase = 'waiting';
      return spoken > 0;
    }
    this.nextPart(endMs, callMs + FRAME_MS, events);
    return spoken > 0;
  }

  /**
   * After the text (ended at `atMs`): each key as a 100 ms tone from the frame at `frameMs` on
   * (with a `key` event as it starts), then the line's silence.
   */
  private nextPart(atMs: number, frameMs: number, events: CalleeEvent[]): void {
    if (this.keys) {
      const digit = this.keys[0];
      this.keys = this.keys.slice(1);
      this.sound = new Clip(dtmfTone(digit));
      this.phase = 'keys';
      events.push({ type: 'key', digit, atMs: frameMs });
      return;
    }
    const line = this.script.lines[this.index];
    const turn = this.turn!;
    if (turn.endMs === null) {
      turn.endMs = atMs;
      if (line.text || line.keys) events.push({ type: 'said', text: transcriptText(line), line: null, atMs, callerLine: this.index + 1 });
    }
    if (line.silentMs > 0 && this.phase !== 'silent') {
      this.silentLeftMs = line.silentMs;
      this.phase = 'silent';
      return;
    }
    this.lineDone(atMs, events);
  }

  private lineDone(atMs: number, events: CalleeEvent[]): void {
    const line = this.script.lines[this.index];
    this.index++;
    if (line.hangup) return this.hangup(atMs, events);
    this.anchorMs = atMs;
    this.waitedMs = 0;
    this.nudged = false;
    this.agentSpoke = this.vad.speaking;
    this.phase = this.index < this.script.lines.length ? 'waiting' : 'ending';
  }

  /** After its last line: waits for the agent's reply to end (or nudgeMs of nothing), then hangs up. */
  private ending(callMs: number, events: CalleeEvent[]): void {
    this.waitedMs += FRAME_MS;
    if (this.agentSpoke ? !this.vad.loud && this.vad.quietMs >= this.silenceMs : this.waitedMs >= this.nudgeMs) this.hangup(callMs, events);
  }

  private hangup(atMs: number, events: CalleeEvent[]): void {
    this.phase = 'done';
    events.push({ type: 'hangup', atMs });
  }

  private deadAir(someoneSpeaks: boolean): void {
    if (!someoneSpeaks) {
      this.quietRunMs += FRAME_MS;
      return;
    }
    this.closeQuiet();
  }

  private closeQuiet(): void {
    const run = this.quietRunMs;
    this.quietRunMs = 0;
    if (run > this.silences.longestMs) this.silences.longestMs = run;
    if (run < SILENCE_REPORT_MS) return;
    this.silences.count++;
    this.silences.totalMs += run;
  }

  /**
   * The report so far; with `ending` (the call is over) it closes the last quiet stretch and
   * judges every expectation into the verdict.
   */
  report(ending: CallerEnding | null, underruns: number, underrunMs: number): CallerReport {
    if (ending) this.closeQuiet();
    return callerReport(this.script, {
      ending,
      turns: this.facts,
      silences: this.silences,
      underruns,
      underrunMs,
      agentTalkMs: this.agentTalkMs,
      greetingMs: this.greetingMs,
    });
  }
}

/** A line in the transcript: its text, or the keys it pressed when it says nothing. */
function transcriptText(line: ScriptedLine): string {
  return line.text || `(presses ${line.keys})`;
}
