import type { TurnLatency } from './turns.js';

/** How a call with a live agent ended, as far as the audio loop saw it. */
export type LiveEnding = 'callee-done' | 'callee-gave-up' | 'agent-left' | 'other';

/** What happened on a call whose agent was a live media client. */
export interface LiveFacts {
  /** The agent's turns (each a burst of speech or keys the callee heard). */
  agentTurns: number;
  latencies: readonly TurnLatency[];
  /** The callee's script lines it said, in order (prompts such as "Is anyone there?" excluded). */
  calleeLines: readonly string[];
  /** Script lines the callee had not said when the call ended. */
  calleeLinesLeft: number;
  digits: string;
  booked: boolean;
  ending: LiveEnding;
}

const ENDINGS: Record<LiveEnding, string> = {
  'callee-done': 'The caller hung up after its last line.',
  'callee-gave-up': 'The caller heard nothing for too long, asked if anyone was there, and hung up.',
  'agent-left': 'The agent hung up (its media stream closed).',
  other: 'The call was ended from outside the conversation (API hang-up or a fixed duration).',
};

const seconds = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

/**
 * The summary and sentiment of a live agent's call, from what happened on it: how often and how
 * fast the agent answered, whether it talked over the caller, how far the caller's script got, the
 * keys pressed, the booking, and who hung up. Plain rules, so a test can predict them; the
 * sentiment is the caller's mood on the usual -1…1 scale.
 */
export function liveOutcome(f: LiveFacts): { summary: string; sentiment: number } {
  const parts = ['A live agent (media stream) handled the call.'];
  const answered = f.latencies.map((t) => t.latencyMs);
  const overlaps = answered.filter((ms) => ms < 0).length;
  const replies = answered.filter((ms) => ms >= 0);
  const avg = replies.length ? replies.reduce((a, b) => a + b, 0) / replies.length : null;
  if (!f.agentTurns) parts.push('The agent never spoke.');
  else {
    let turns = `The agent took ${f.agentTurns} turn${f.agentTurns === 1 ? '' : 's'}`;
    if (avg !== null) turns += `, answering after ${seconds(avg)} on average (slowest ${seconds(Math.max(...replies))})`;
    parts.push(`${turns}.`);
    if (overlaps) parts.push(`It talked over the caller ${overlaps === 1 ? 'once' : `${overlaps} times`}.`);
  }
  if (f.calleeLines.length) {
    const last = f.calleeLines.length > 1 ? `, last "${f.calleeLines.at(-1)}"` : '';
    parts.push(`The caller said ${f.calleeLines.length} line${f.calleeLines.length === 1 ? '' : 's'} (first "${f.calleeLines[0]}"${last}).`);
  }
  if (f.digits) parts.push(`Keys heard: ${f.digits}.`);
  if (f.booked) parts.push('A booking was made.');
  parts.push(ENDINGS[f.ending]);

  let mood = 0;
  if (f.ending === 'callee-done' && !f.calleeLinesLeft) mood += 0.4;
  if (f.booked) mood += 0.3;
  if (f.ending === 'callee-gave-up') mood -= 0.6;
  if (f.ending === 'agent-left' && f.calleeLinesLeft) mood -= 0.3;
  if (!f.agentTurns && f.ending !== 'callee-gave-up') mood -= 0.2;
  if (avg !== null && avg > 2000) mood -= 0.2;
  else if (avg !== null && avg > 1200) mood -= 0.1;
  mood -= Math.min(0.3, overlaps * 0.1);
  return { summary: parts.join(' '), sentiment: Math.round(Math.max(-1, Math.min(1, mood)) * 100) / 100 };
}
