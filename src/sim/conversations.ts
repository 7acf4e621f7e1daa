/** Scripted conversations: loaded from fixtures by the caller, replayed on a call's timeline. */

export interface LineEvent {
  /** booking, dtmf, or an outcome marker (lead, order_status, voicemail_beep). */
  type: string;
  digits?: string;
  data?: Record<string, unknown>;
}

export interface ScriptLine {
  speaker: 'agent' | 'callee';
  text: string;
  audio: string;
  durationMs: number;
  pauseAfterMs: number;
  events: LineEvent[];
}

export interface Conversation {
  id: string;
  language: string;
  topic: string;
  outcome: string;
  summary: string;
  sentiment: number;
  lines: ScriptLine[];
  /** Last line's end: the natural talk time. */
  totalMs: number;
}

export interface PromptClip {
  text: string;
  audio: string;
  durationMs: number;
}

export interface ConversationLibrary {
  conversations: Conversation[];
  prompts: Record<string, { nudge: PromptClip; goodbye: PromptClip }>;
}

export interface TimedLine extends ScriptLine {
  /** Offset from the moment the call was answered. */
  startMs: number;
}

// Transcripts are derived on every read, never stored per call; a script's timing never changes,
// so it is worked out once per conversation.
const timed = new WeakMap<Conversation, TimedLine[]>();

export function withOffsets(conv: Conversation): TimedLine[] {
  let lines = timed.get(conv);
  if (!lines) {
    let t = 0;
    lines = conv.lines.map((line) => {
      const out = { ...line, startMs: t };
      t += line.durationMs + line.pauseAfterMs;
      return out;
    });
    timed.set(conv, lines);
  }
  return lines;
}

export function totalMs(lines: ScriptLine[]): number {
  let t = 0;
  lines.forEach((l, i) => {
    t += l.durationMs + (i < lines.length - 1 ? l.pauseAfterMs : 0);
  });
  return t;
}

/** Lines heard within `talkMs` of talk time: a call cut short keeps only what was said. */
export function linesWithin(conv: Conversation, talkMs: number): TimedLine[] {
  return withOffsets(conv).filter((l) => l.startMs < talkMs);
}

export function findConversation(lib: ConversationLibrary, id: string | null): Conversation | undefined {
  return id ? lib.conversations.find((c) => c.id === id) : undefined;
}
