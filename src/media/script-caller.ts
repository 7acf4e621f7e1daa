import type { AdminSchemas } from '../admin/handlers/types.js';
import type { Conversation, ConversationLibrary } from '../sim/conversations.js';
import { clipMulaw } from './codec.js';

export type LineExpect = AdminSchemas['CallerLineExpect'];
export type CallExpect = AdminSchemas['CallerExpect'];
export type After = 'agent' | number | { bargeInMs: number };

/** A line as written (the generated type cannot express the schema's "one of text, audio, keys…" rule). */
interface CallerLineDoc {
  text?: string;
  audio?: string;
  after?: After;
  keys?: string;
  silentMs?: number;
  hangup?: boolean;
  expect?: LineExpect;
}

/** A caller as written: `Caller` in specs/admin.yaml, which checked it. */
export type CallerDoc = Omit<AdminSchemas['Caller'], 'lines'> & { lines: CallerLineDoc[] };

/** One line of a caller, ready to be played: its voice is μ-law bytes. */
export interface ScriptedLine {
  text: string;
  audio: Uint8Array;
  after: After;
  keys: string;
  silentMs: number;
  hangup: boolean;
  expect: LineExpect | null;
}

export interface Prompt {
  text: string;
  audio: Uint8Array;
}

/**
 * A caller as the audio engine runs it: plain data (typed arrays, strings, numbers), so the same
 * script can be handed to a worker thread of a load run.
 */
export interface CallerScript {
  name: string;
  persona: string | null;
  language: string;
  silenceMs?: number;
  nudgeMs?: number;
  lines: ScriptedLine[];
  expect: CallExpect | null;
  prompts: { nudge: Prompt; goodbye: Prompt } | null;
}

/** The language's "Hello? Is anyone there?" and goodbye, else English's. */
export function promptsFor(lib: ConversationLibrary, language: string): CallerScript['prompts'] {
  const p = lib.prompts[language.split('-')[0].toLowerCase()] ?? lib.prompts.en;
  if (!p) return null;
  return { nudge: { text: p.nudge.text, audio: clipMulaw(p.nudge.audio) }, goodbye: { text: p.goodbye.text, audio: clipMulaw(p.goodbye.audio) } };
}

/**
 * A scripted conversation's callee lines as a caller, for a load run that names none: each line
 * waits for the agent when the script has the agent speak before it, else follows the previous
 * line after its pause; key presses the script makes are the line's keys. Lines said only when
 * the agent pressed keys (`on_dtmf` branches) are left out.
 */
export function callerFromConversation(lib: ConversationLibrary, conv: Conversation): CallerScript {
  const lines: ScriptedLine[] = [];
  conv.lines.forEach((l, i) => {
    if (l.speaker !== 'callee' || l.events.some((e) => e.type === 'on_dtmf')) return;
    const before = conv.lines[i - 1];
    const keys = l.events.flatMap((e) => (e.type === 'dtmf' && e.digits ? [e.digits] : [])).join('');
    lines.push({
      text: l.text,
      audio: clipMulaw(l.audio),
      after: !before ? 0 : before.speaker === 'agent' ? 'agent' : before.pauseAfterMs,
      keys,
      silentMs: 0,
      hangup: false,
      expect: null,
    });
  });
  return { name: conv.id, persona: null, language: conv.language, lines, expect: null, prompts: promptsFor(lib, conv.language) };
}
