import type { PromptClip, ScriptLine } from '../sim/conversations.js';
import { FRAME_BYTES, FRAME_MS, SAMPLES_PER_MS } from './codec.js';
import { Clip, type FrameRef, silence } from './script.js';
import { Vad } from './vad.js';

export type CalleeEvent =
  | { type: 'say'; text: string; line: ScriptLine | null; atMs: number; callerLine?: number }
  | { type: 'said'; text: string; line: ScriptLine | null; atMs: number; callerLine?: number }
  | { type: 'agent-turn'; atMs: number }
  /** A key the callee presses (a simulated caller's `keys`), as its tone starts. */
  | { type: 'key'; digit: string; atMs: number }
  | { type: 'hangup'; atMs: number };

/**
 * The person on the line while a live client is the agent: the scripted conversation's callee
 * (`Callee`) or a user's simulated caller (`CallerRun`, caller.ts).
 */
export interface CalleeSide {
  /** One frame: hears the agent's frame and the keys it pressed, speaks into `out`. */
  frame(callMs: number, agent: FrameRef, agentBytes: number, digits: string, out: FrameRef, events: CalleeEvent[]): void;
  readonly finished: boolean;
  /** Lines it had yet to say. */
  readonly linesLeft: number;
  /** It hung up because nobody spoke, not because the conversation was over. */
  readonly gaveUp: boolean;
}

export interface CalleeOptions {
  lines: ScriptLine[];
  prompts: { nudge: PromptClip; goodbye: PromptClip } | undefined;
  silenceMs: () => number;
  nudgeMs: () => number;
  /** Where to begin: the script line index, and a clip already under way (taking over mid-line). */
  startIndex?: number;
  startClip?: Clip | null;
}

type State = 'speaking' | 'waiting' | 'pausing' | 'ending' | 'done';
type Utterance = { text: string; line: ScriptLine | null; kind: 'line' | 'nudge' | 'goodbye' };

/** A line that is said only when the agent pressed these keys since the callee last spoke. */
const branchDigits = (l: ScriptLine): string | undefined => l.events.find((e) => e.type === 'on_dtmf')?.digits;

const MIN_PAUSE_MS = 100;
const MAX_PAUSE_MS = 2000;
/** After its last line, a callee with nothing left to wait for hangs up after this beat. */
const HANGUP_BEAT_MS = 500;

/**
 * The simulated person on the line when a live client is the agent. It says its script's callee
 * lines in order; between them it waits for the agent to speak and then fall silent for
 * `silenceMs` (energy VAD), pauses as the script does, and answers. An agent that never speaks gets
 * "Hello? Is anyone there?" after `nudgeMs`, and a goodbye and a hang-up after as long again.
 */
export class Callee implements CalleeSide {
  private readonly vad = new Vad();
  private state: State = 'waiting';
  private clip: Clip | null = null;
  private saying: Utterance | null = null;
  private next: number;
  private waitedMs = 0;
  private pauseLeftMs = 0;
  private agentSpoke = false;
  private nudged = false;
  private digits = '';
  private agentHasMore = false;
  /** The callee hung up because nobody spoke, not because the conversation was over. */
  gaveUp = false;
  private readonly scratch = Buffer.alloc(FRAME_BYTES);

  constructor(private readonly o: CalleeOptions) {
    this.next = o.startIndex ?? 0;
    if (o.startClip && !o.startClip.done) {
      const line = o.lines[this.next];
      this.clip = o.startClip;
      this.saying = { text: line.text, line, kind: 'line' };
      this.state = 'speaking';
    } else if (o.lines[this.next]?.speaker === 'callee') {
      this.state = 'pausing';
      this.pauseLeftMs = 0;
    }
  }

  get finished(): boolean {
    return this.state === 'done';
  }

  /** Script lines the callee has yet to say (a group of key-press alternatives counts once). */
  get linesLeft(): number {
    const lines = this.o.lines;
    let n = 0;
    const alternative = (l: ScriptLine | undefined) => l?.speaker === 'callee' && branchDigits(l) !== undefined;
    for (let i = this.next; i < lines.length; i++) {
      if (lines[i].speaker === 'callee' && !(i > this.next && alternative(lines[i]) && alternative(lines[i - 1]))) n++;
    }
    return n;
  }

  /**
   * One frame: hears the agent's frame (`agent` with `agentBytes` of real audio and the keys it
   * pressed), speaks into `out`.
   */
  frame(callMs: number, agent: FrameRef, agentBytes: number, digits: string, out: FrameRef, events: CalleeEvent[]): void {
    this.hear(callMs, agent, agentBytes, digits, events);
    silence(out);
    switch (this.state) {
      case 'speaking':
        return this.speak(callMs, out, events);
      case 'waiting':
        return this.wait(callMs, events);
      case 'pausing':
        return this.pause(callMs, out, events);
      case 'ending':
        return this.end(callMs, events);
      case 'done':
        return;
    }
  }

  private hear(callMs: number, agent: FrameRef, agentBytes: number, digits: string, events: CalleeEvent[]): void {
    let began: number | null = null;
    if (agentBytes) began = this.vad.push(agent.buf, agent.off);
    else this.vad.silent();
    if (digits) this.digits += digits;
    if ((began === null && !digits) || this.agentSpoke) return;
    this.agentSpoke = true;
    this.nudged = false;
    events.push({ type: 'agent-turn', atMs: callMs + (began ?? 0) * FRAME_MS });
  }

  private speak(callMs: number, out: FrameRef, events: CalleeEvent[]): void {
    const spoken = this.clip!.read(out, this.scratch);
    if (!this.clip!.done) return;
    const u = this.saying!;
    events.push({ type: 'said', text: u.text, line: u.line, atMs: callMs + spoken / SAMPLES_PER_MS });
    this.clip = null;
    this.saying = null;
    this.waitedMs = 0;
    if (u.kind === 'goodbye') {
      this.gaveUp = true;
      return this.hangup(callMs + FRAME_MS, events);
    }
    if (u.kind === 'nudge') {
      this.state = 'waiting';
      return;
    }
    this.next = this.afterBranch(this.next);
    const lines = this.o.lines;
    if (!lines.slice(this.next).some((l) => l.speaker === 'callee')) {
      this.agentHasMore = lines.slice(this.next).some((l) => l.speaker === 'agent');
      this.state = 'ending';
      return;
    }
    const following = lines[this.next];
    if (following.speaker === 'callee' && branchDigits(following) === undefined) {
      this.pauseLeftMs = u.line!.pauseAfterMs;
      this.state = 'pausing';
      return;
    }
    this.state = 'waiting';
  }

  private wait(callMs: number, events: CalleeEvent[]): void {
    if (this.agentSpoke) {
      if (this.vad.quietMs < this.o.silenceMs()) return;
      const chosen = this.pick(this.next);
      if (chosen === -1) return this.hangup(callMs, events);
      const before = this.o.lines[chosen - 1];
      this.pauseLeftMs = Math.min(MAX_PAUSE_MS, Math.max(MIN_PAUSE_MS, before?.pauseAfterMs ?? 400));
      this.state = 'pausing';
      return;
    }
    this.waitedMs += FRAME_MS;
    if (this.waitedMs < this.o.nudgeMs()) return;
    const p = this.o.prompts;
    if (!p) {
      this.gaveUp = true;
      return this.hangup(callMs, events);
    }
    const u: Utterance = this.nudged ? { ...p.goodbye, line: null, kind: 'goodbye' } : { ...p.nudge, line: null, kind: 'nudge' };
    this.nudged = true;
    this.say(u, p[u.kind === 'goodbye' ? 'goodbye' : 'nudge'].audio, callMs, events);
  }

  private pause(callMs: number, out: FrameRef, events: CalleeEvent[]): void {
    if (this.vad.speaking) {
      this.state = 'waiting';
      return;
    }
    this.pauseLeftMs -= FRAME_MS;
    if (this.pauseLeftMs > 0) return;
    const chosen = this.pick(this.next);
    if (chosen === -1) return this.hangup(callMs, events);
    this.next = chosen;
    const line = this.o.lines[chosen];
    this.say({ text: line.text, line, kind: 'line' }, line.audio, callMs, events);
    this.speak(callMs, out, events);
  }

  /** After its last line: waits for the agent's closing words (if the script has any), then hangs up. */
  private end(callMs: number, events: CalleeEvent[]): void {
    this.waitedMs += FRAME_MS;
    if (!this.agentHasMore) {
      if (this.waitedMs >= HANGUP_BEAT_MS) this.hangup(callMs, events);
      return;
    }
    if (this.agentSpoke ? this.vad.quietMs >= this.o.silenceMs() : this.waitedMs >= this.o.nudgeMs()) this.hangup(callMs, events);
  }

  private say(u: Utterance, audio: string, callMs: number, events: CalleeEvent[]): void {
    this.saying = u;
    this.clip = new Clip(audio);
    this.digits = '';
    this.agentSpoke = this.vad.speaking;
    this.state = 'speaking';
    events.push({ type: 'say', text: u.text, line: u.line, atMs: callMs });
  }

  private hangup(atMs: number, events: CalleeEvent[]): void {
    this.state = 'done';
    events.push({ type: 'hangup', atMs });
  }

  /** Past a line and the other branches beside it. */
  private afterBranch(i: number): number {
    const lines = this.o.lines;
    let j = i + 1;
    if (branchDigits(lines[i]) !== undefined) while (lines[j]?.speaker === 'callee' && branchDigits(lines[j]) !== undefined) j++;
    return j;
  }

  /**
   * The next callee line from `from` on: agent lines are the client's to say, and of a group of
   * branches the one whose keys the agent just pressed (a group nobody chose is skipped).
   */
  private pick(from: number): number {
    const lines = this.o.lines;
    for (let i = from; i < lines.length; i++) {
      const l = lines[i];
      if (l.speaker !== 'callee') continue;
      const want = branchDigits(l);
      if (want === undefined || (want !== '' && this.digits.endsWith(want))) return i;
    }
    return -1;
  }
}
