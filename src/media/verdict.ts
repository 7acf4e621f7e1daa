import type { CallExpect, CallerScript, LineExpect } from './script-caller.js';

/** Who ended a simulated caller's call (docs/media.md). */
export type CallerEnding = 'caller' | 'caller-gave-up' | 'agent' | 'other';

/** One line of the caller and the agent's reply to it, in call time (ms since the stream started). */
export interface TurnFacts {
  line: number;
  text: string;
  startMs: number;
  /** When its speech and keys ended; null while they last. */
  endMs: number | null;
  /** The agent was talking when the line started: the caller talked over it. */
  bargeIn: boolean;
  agentStartMs: number | null;
  agentTalkMs: number;
  keysHeard: string;
  /** The agent started talking while the line was said. */
  interrupted: boolean;
  yieldMs: number | null;
}

type Value = number | boolean | string | null;

export interface Expectation {
  line: number | null;
  expect: string;
  want: number | boolean | string;
  got: Value;
  met: boolean;
}

export interface CallerReport {
  name: string;
  persona: string | null;
  verdict: 'pass' | 'fail' | null;
  endedBy: CallerEnding | null;
  linesSaid: number;
  linesTotal: number;
  turns: Array<
    Omit<TurnFacts, 'endMs' | 'agentStartMs' | 'yieldMs'> & { endMs: number; agentStartMs: number | null; latencyMs: number | null; yieldMs: number | null }
  >;
  interruptions: { byAgent: number; byCaller: number };
  silences: { count: number; totalMs: number; longestMs: number };
  underruns: number;
  underrunMs: number;
  agentTalkMs: number;
  greetingMs: number | null;
  expectations: Expectation[];
}

export interface CallFacts {
  ending: CallerEnding | null;
  turns: readonly TurnFacts[];
  silences: { count: number; totalMs: number; longestMs: number };
  underruns: number;
  underrunMs: number;
  agentTalkMs: number;
  greetingMs: number | null;
}

const latencyOf = (t: TurnFacts): number | null => (t.agentStartMs === null || t.endMs === null ? null : Math.round(t.agentStartMs - t.endMs));
const atMost = (got: number | null, want: number) => got !== null && got <= want;

/** Each expectation of one line against what the agent did in reply; a line never reached meets none. */
function lineExpectations(n: number, e: LineExpect, t: TurnFacts | undefined): Expectation[] {
  const out: Expectation[] = [];
  const add = (expect: keyof LineExpect, want: number | boolean | string, got: Value, met: boolean) =>
    out.push({ line: n, expect, want, got: t ? got : null, met: !!t && met });
  const latency = t ? latencyOf(t) : null;
  const talk = t?.agentTalkMs ?? 0;
  if (e.answerWithinMs !== undefined) add('answerWithinMs', e.answerWithinMs, latency, atMost(latency, e.answerWithinMs));
  if (e.speaks !== undefined) add('speaks', e.speaks, talk > 0, talk > 0 === e.speaks);
  if (e.minTalkMs !== undefined) add('minTalkMs', e.minTalkMs, talk, talk >= e.minTalkMs);
  if (e.maxTalkMs !== undefined) add('maxTalkMs', e.maxTalkMs, talk, talk <= e.maxTalkMs);
  if (e.keys !== undefined) add('keys', e.keys, t?.keysHeard ?? '', !!t?.keysHeard.includes(e.keys));
  if (e.noInterruption !== undefined) add('noInterruption', e.noInterruption, !t?.interrupted, !e.noInterruption || !t?.interrupted);
  if (e.yieldsWithinMs !== undefined) {
    const yielded = t ? (t.bargeIn ? t.yieldMs : 0) : null;
    add('yieldsWithinMs', e.yieldsWithinMs, yielded, atMost(yielded, e.yieldsWithinMs));
  }
  return out;
}

function callExpectations(e: CallExpect, f: CallFacts, latencies: number[], interruptions: number): Expectation[] {
  const out: Expectation[] = [];
  const add = (expect: keyof CallExpect, want: number | string, got: Value, met: boolean) => out.push({ line: null, expect, want, got, met });
  const replies = latencies.filter((ms) => ms >= 0);
  const slowest = replies.length ? Math.max(...replies) : null;
  if (e.maxLatencyMs !== undefined) add('maxLatencyMs', e.maxLatencyMs, slowest, atMost(slowest, e.maxLatencyMs));
  if (e.maxInterruptions !== undefined) add('maxInterruptions', e.maxInterruptions, interruptions, interruptions <= e.maxInterruptions);
  if (e.maxUnderruns !== undefined) add('maxUnderruns', e.maxUnderruns, f.underruns, f.underruns <= e.maxUnderruns);
  if (e.maxSilenceMs !== undefined) add('maxSilenceMs', e.maxSilenceMs, f.silences.longestMs, f.silences.longestMs <= e.maxSilenceMs);
  if (e.greetsWithinMs !== undefined) add('greetsWithinMs', e.greetsWithinMs, f.greetingMs, atMost(f.greetingMs, e.greetsWithinMs));
  if (e.endedBy !== undefined) add('endedBy', e.endedBy, f.ending, f.ending === e.endedBy);
  return out;
}

/**
 * A simulated caller's report: each line with the agent's reply (latency, talk, keys, whether it
 * interrupted or yielded), the call's interruptions, dead air and underruns, and — once the call
 * has ended — every expectation the document states, judged against them, and the verdict: pass
 * when all are met. Until then expectations are listed as they stand and the verdict is null.
 */
export function callerReport(script: CallerScript, f: CallFacts): CallerReport {
  const turns = f.turns.map((t) => ({
    ...t,
    endMs: Math.round(t.endMs ?? t.startMs),
    startMs: Math.round(t.startMs),
    agentStartMs: t.agentStartMs === null ? null : Math.round(t.agentStartMs),
    latencyMs: latencyOf(t),
    yieldMs: t.yieldMs === null ? null : Math.round(t.yieldMs),
  }));
  const byAgent = f.turns.filter((t) => t.interrupted).length;
  const expectations: Expectation[] = [];
  script.lines.forEach((l, i) => {
    if (l.expect) expectations.push(...lineExpectations(i + 1, l.expect, f.turns[i]));
  });
  const latencies = turns.flatMap((t) => (t.latencyMs === null ? [] : [t.latencyMs]));
  if (script.expect) expectations.push(...callExpectations(script.expect, f, latencies, byAgent));
  return {
    name: script.name,
    persona: script.persona,
    verdict: f.ending ? (expectations.every((e) => e.met) ? 'pass' : 'fail') : null,
    endedBy: f.ending,
    linesSaid: f.turns.length,
    linesTotal: script.lines.length,
    turns,
    interruptions: { byAgent, byCaller: f.turns.filter((t) => t.bargeIn).length },
    silences: { ...f.silences },
    underruns: f.underruns,
    underrunMs: Math.round(f.underrunMs),
    agentTalkMs: f.agentTalkMs,
    greetingMs: f.greetingMs === null ? null : Math.round(f.greetingMs),
    expectations,
  };
}

/** The first expectation a finished call did not meet, as a load run counts failures. */
export function firstUnmet(r: CallerReport): string | null {
  const e = r.expectations.find((x) => !x.met);
  return e ? `expectation ${e.line === null ? '' : `line ${e.line} `}${e.expect} not met` : null;
}
