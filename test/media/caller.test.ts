/**
 * The simulated caller's engine frame by frame, without sockets: what it says when, and what its
 * report and verdict make of the agent's audio (synthetic frames, so every timing is exact).
 */
import { describe, expect, it } from 'vitest';
import type { CalleeEvent } from '../../src/media/callee.js';
import { CallerRun } from '../../src/media/caller.js';
import { encodeMulaw, FRAME_BYTES, SILENCE_FRAME } from '../../src/media/codec.js';
import { DtmfDetector } from '../../src/media/dtmf.js';
import type { FrameRef } from '../../src/media/script.js';
import type { CallerScript, ScriptedLine } from '../../src/media/script-caller.js';
import { frameDb } from '../../src/media/vad.js';

/** A loud 20 ms frame that is plainly not a DTMF key: the agent talking. */
const TALK = encodeMulaw(Int16Array.from({ length: FRAME_BYTES }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 300 * i) / 8000))));
/** 400 ms of caller speech (anything loud will do). */
const SAY = Buffer.concat(Array.from({ length: 20 }, () => TALK));

type LineSpec = Partial<ScriptedLine> & { say?: boolean };

function script(lines: LineSpec[], extra: Partial<CallerScript> = {}): CallerScript {
  return {
    name: 'test',
    persona: null,
    language: 'en',
    lines: lines.map((l, i) => ({
      text: l.text ?? (l.say === false ? '' : `line ${i + 1}`),
      audio: l.audio ?? (l.say === false ? new Uint8Array(0) : SAY),
      after: l.after ?? 'agent',
      keys: l.keys ?? '',
      silentMs: l.silentMs ?? 0,
      hangup: l.hangup ?? false,
      expect: l.expect ?? null,
    })),
    expect: null,
    prompts: { nudge: { text: 'Anyone there?', audio: SAY }, goodbye: { text: 'Goodbye.', audio: SAY } },
    ...extra,
  };
}

interface Frame {
  ms: number;
  events: CalleeEvent[];
  loud: boolean;
}

/**
 * Runs the caller for `ms` of call time; `agent(ms)` says whether the agent talks in the frame
 * starting at that time, `digits(ms)` which keys it presses.
 */
function drive(run: CallerRun, ms: number, agent: (ms: number) => boolean = () => false, digits: (ms: number) => string = () => '', from = 0): Frame[] {
  const out: Frame[] = [];
  const agentRef: FrameRef = { buf: SILENCE_FRAME, off: 0 };
  const calleeRef: FrameRef = { buf: SILENCE_FRAME, off: 0 };
  for (let t = from; t < from + ms && !run.finished; t += 20) {
    const talking = agent(t);
    agentRef.buf = talking ? TALK : SILENCE_FRAME;
    const events: CalleeEvent[] = [];
    run.frame(t, agentRef, talking ? FRAME_BYTES : 0, digits(t), calleeRef, events);
    out.push({ ms: t, events, loud: frameDb(calleeRef.buf, calleeRef.off) > -40 });
  }
  return out;
}

const settings = { silenceMs: () => 500, nudgeMs: () => 2000 };
const said = (frames: Frame[], type: CalleeEvent['type']) => frames.flatMap((f) => f.events.filter((e) => e.type === type));
const between = (a: number, b: number) => (ms: number) => ms >= a && ms < b;

describe('a simulated caller', () => {
  it('says a line after a fixed time, waits for the agent to finish before the next, and reports the reply latency', () => {
    const run = new CallerRun(script([{ after: 0 }, { after: 'agent', expect: { answerWithinMs: 800 } }, { after: 'agent', hangup: true }]), settings);
    // The agent answers line 1 (ends at 400 ms) 600 ms later for 1 s, and line 2 (ends at 2.5 s + 400 ms) after 1.2 s.
    const agent = (ms: number) => between(1000, 2000)(ms) || between(4100, 4500)(ms);
    const frames = drive(run, 10_000, agent);
    const says = said(frames, 'say');
    // The agent is done at 2000 ms; 500 ms of quiet later (the frame being heard counts, as for the scripted callee) line 2 starts.
    expect(says.map((e) => [e.atMs, 'text' in e && e.text])).toEqual([
      [0, 'line 1'],
      [2480, 'line 2'],
      [4980, 'line 3'],
    ]);
    expect(said(frames, 'hangup')).toEqual([{ type: 'hangup', atMs: 5380 }]);
    const report = run.report('caller', 0, 0);
    expect(report.turns.map((t) => [t.line, t.startMs, t.endMs, t.agentStartMs, t.latencyMs, t.agentTalkMs])).toEqual([
      [1, 0, 400, 1000, 600, 1000],
      [2, 2480, 2880, 4100, 1220, 400],
      [3, 4980, 5380, null, null, 0],
    ]);
    expect(report.expectations).toEqual([{ line: 2, expect: 'answerWithinMs', want: 800, got: 1220, met: false }]);
    expect(report.verdict).toBe('fail');
    expect(report.linesSaid).toBe(3);
  });

  it('barges in once the agent has talked for bargeInMs, and times how long the agent takes to yield', () => {
    const run = new CallerRun(
      script([{ after: 0 }, { after: { bargeInMs: 600 }, expect: { yieldsWithinMs: 500 } }, { after: 'agent', hangup: true, say: false }]),
      settings,
    );
    // The agent starts at 1 s and keeps talking until 2 s, over the caller's barge-in at 1.6 s.
    const frames = drive(run, 6000, between(1000, 2000));
    const second = said(frames, 'say')[1];
    expect(second.atMs).toBe(1600);
    const report = run.report('caller', 0, 0);
    expect(report.turns[1]).toMatchObject({ bargeIn: true, interrupted: false, yieldMs: 400 });
    expect(report.interruptions).toEqual({ byAgent: 0, byCaller: 1 });
    expect(report.expectations[0]).toMatchObject({ expect: 'yieldsWithinMs', got: 400, met: true });
  });

  it('presses keys as real DTMF tones, one key event as each tone starts, then stays silent for silentMs', () => {
    const run = new CallerRun(
      script([
        { after: 0, say: false, keys: '1#', silentMs: 1000 },
        { after: 0, hangup: true },
      ]),
      settings,
    );
    const frames = drive(run, 4000, between(100, 400));
    expect(said(frames, 'key')).toEqual([
      { type: 'key', digit: '1', atMs: 0 },
      { type: 'key', digit: '#', atMs: 160 },
    ]);
    // The tones are in the caller's audio: a detector hears both keys.
    const det = new DtmfDetector();
    const run2 = new CallerRun(script([{ after: 0, say: false, keys: '1#' }]), settings);
    const out: FrameRef = { buf: SILENCE_FRAME, off: 0 };
    let heard = '';
    for (let t = 0; t < 400; t += 20) {
      run2.frame(t, { buf: SILENCE_FRAME, off: 0 }, 0, '', out, []);
      heard += det.push(out.buf, out.off);
    }
    expect(heard).toBe('1#');
    // Silent for 1 s after the keys (320 ms) whatever the agent did, then line 2 at once (after: 0).
    expect(said(frames, 'say').map((e) => e.atMs)).toEqual([0, 1320]);
    expect(frames.filter((f) => f.loud && f.ms >= 320 && f.ms < 1320)).toEqual([]);
  });

  it('asks a silent agent if anyone is there, then says goodbye and hangs up (gave up)', () => {
    const run = new CallerRun(script([{ after: 'agent' }], { expect: { greetsWithinMs: 3000, endedBy: 'caller' } }), { ...settings, nudgeMs: () => 3000 });
    const frames = drive(run, 10_000);
    expect(said(frames, 'say').map((e) => 'text' in e && e.text)).toEqual(['Anyone there?', 'Goodbye.']);
    // Each wait counts the frame it ends in, as the scripted callee's does: 3 s from the start and from the nudge's end (3380 ms).
    expect(said(frames, 'say').map((e) => e.atMs)).toEqual([2980, 6360]);
    expect(said(frames, 'hangup')).toEqual([{ type: 'hangup', atMs: 6780 }]);
    expect(run.gaveUp).toBe(true);
    expect(run.linesLeft).toBe(1);
    const report = run.report('caller-gave-up', 0, 0);
    expect(report.silences).toEqual({ count: 2, totalMs: 5960, longestMs: 2980 });
    expect(report.expectations.map((e) => [e.expect, e.got, e.met])).toEqual([
      ['greetsWithinMs', null, false],
      ['endedBy', 'caller-gave-up', false],
    ]);
  });

  it('counts the agent talking over a line as an interruption, and checks talk length and keys of the reply', () => {
    const run = new CallerRun(
      script(
        [
          { after: 0, expect: { noInterruption: true } },
          { after: 'agent', expect: { speaks: true, minTalkMs: 500, keys: '42' } },
          { after: 'agent', hangup: true },
        ],
        {
          expect: { maxInterruptions: 0, maxUnderruns: 1 },
        },
      ),
      settings,
    );
    const agent = (ms: number) => between(200, 1000)(ms) || between(2100, 2400)(ms);
    const frames = drive(run, 8000, agent, (ms) => (ms === 2500 ? '4' : ms === 2600 ? '2' : ''));
    expect(said(frames, 'hangup').length).toBe(1);
    const report = run.report('caller', 2, 80);
    expect(report.turns[0]).toMatchObject({ interrupted: true, latencyMs: -200 });
    expect(report.turns[1]).toMatchObject({ keysHeard: '42', agentTalkMs: 300 });
    expect(report.expectations.map((e) => [e.line, e.expect, e.got, e.met])).toEqual([
      [1, 'noInterruption', false, false],
      [2, 'speaks', true, true],
      [2, 'minTalkMs', 300, false],
      [2, 'keys', '42', true],
      [null, 'maxInterruptions', 1, false],
      [null, 'maxUnderruns', 2, false],
    ]);
    expect(report.underrunMs).toBe(80);
  });

  it('hears a key press as the agent’s turn, but waits for its tone to end like any other sound', () => {
    const run = new CallerRun(script([{ after: 0 }, { after: 'agent', hangup: true }]), settings);
    // The key is heard as its tone starts (1000 ms); the tone lasts 100 ms.
    const frames = drive(run, 4000, between(1000, 1100), (ms) => (ms === 1000 ? '5' : ''));
    expect(said(frames, 'agent-turn')).toEqual([{ type: 'agent-turn', atMs: 1000 }]);
    expect(said(frames, 'say').map((e) => e.atMs)).toEqual([0, 1580]);
    expect(run.report('caller', 0, 0).turns[0].keysHeard).toBe('5');
  });

  it('leaves expectations of lines it never reached unmet, and gives no verdict while the call runs', () => {
    const run = new CallerRun(
      script([
        { after: 0, hangup: true },
        { after: 'agent', expect: { speaks: false } },
      ]),
      settings,
    );
    drive(run, 2000);
    expect(run.report(null, 0, 0).verdict).toBeNull();
    const report = run.report('caller', 0, 0);
    expect(report.expectations).toEqual([{ line: 2, expect: 'speaks', want: false, got: null, met: false }]);
    expect(report.verdict).toBe('fail');
    expect(report.linesSaid).toBe(1);
  });
});
