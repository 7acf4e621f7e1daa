import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Callee, type CalleeEvent } from '../../src/media/callee.js';
import { clipMulaw, decodeBase64, decodeMulaw, encodeMulaw, FRAME_BYTES, MULAW_TO_LINEAR, SILENCE_FRAME } from '../../src/media/codec.js';
import { DelayLine } from '../../src/media/delay.js';
import { Pacer } from '../../src/media/pacer.js';
import { parseClientMsg } from '../../src/media/protocol.js';
import { type FrameRef, silence } from '../../src/media/script.js';
import { Session } from '../../src/media/session.js';
import { frameDb, Vad } from '../../src/media/vad.js';
import type { ScriptLine } from '../../src/sim/conversations.js';

const speech = clipMulaw('en-survey/02-agent.wav');

describe('codec', () => {
  it('uses the μ-law silence code and decodes it to zero', () => {
    expect(SILENCE_FRAME.length).toBe(FRAME_BYTES);
    expect([...decodeMulaw(SILENCE_FRAME)].every((v) => v === 0)).toBe(true);
    expect(MULAW_TO_LINEAR[0x00]).toBe(decodeMulaw(Uint8Array.of(0))[0]);
    const pcm = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin(i / 5)));
    const back = decodeMulaw(encodeMulaw(pcm));
    expect(Math.max(...pcm.map((v, i) => Math.abs(v - back[i])))).toBeLessThan(300);
  });

  it('accepts only strict base64', () => {
    expect(decodeBase64('AAEC')).toEqual(Buffer.from([0, 1, 2]));
    for (const bad of ['AAE', 'A@AA', 'AA==AA', '****']) expect(decodeBase64(bad)).toBeNull();
  });

  it('parses client messages without ever throwing', () => {
    expect(parseClientMsg(Buffer.from('{"event":"clear"}'), false, 'MZ1')).toEqual({ event: 'clear' });
    expect(parseClientMsg(Buffer.from('{"event":"dtmf","dtmf":{"digit":"#"}}'), false, 'MZ1')).toEqual({ event: 'dtmf', digits: '#' });
    for (const junk of ['', 'null', '"x"', '{"event":"media","media":{"payload":""}}', '{"event":"mark"}', '{"event":"clear","streamSid":"MZ2"}']) {
      expect(typeof parseClientMsg(Buffer.from(junk), false, 'MZ1')).toBe('string');
    }
  });
});

describe('voice activity detection', () => {
  it('tells speech from silence and reports where speech began', () => {
    const vad = new Vad();
    expect(vad.push(SILENCE_FRAME, 0)).toBeNull();
    const loudAt = [...Array((speech.length / FRAME_BYTES) | 0).keys()].find((i) => frameDb(speech, i * FRAME_BYTES) > -40)!;
    const loudFrames = [loudAt, loudAt + 1].map((i) => i * FRAME_BYTES);
    expect(vad.push(speech, loudFrames[0])).toBeNull();
    expect(vad.push(speech, loudFrames[1])).toBe(-1);
    expect(vad.speaking).toBe(true);
    for (let i = 0; i < 10; i++) vad.silent();
    expect(vad.quietMs).toBe(200);
  });
});

describe('delay line', () => {
  it('never reorders (jitter delays, it does not overtake) and drops the oldest matching item', () => {
    const d = new DelayLine<string>();
    expect(d.push(100, 'a')).toBe(100);
    expect(d.push(90, 'b')).toBe(100);
    d.push(120, 'c');
    expect(d.dropOldest((x) => x !== 'a')).toBe(true);
    expect([d.shift(), d.shift(), d.shift()]).toEqual(['a', 'c', undefined]);
    expect(d.nextAt()).toBe(Infinity);
  });
});

describe('pacer', () => {
  it('ticks on an absolute 20 ms grid from one timer', async () => {
    const pacer = new Pacer();
    const at: number[] = [];
    const member = { tick: (t: number) => at.push(t), flush: () => {}, nextDue: () => Infinity };
    pacer.add(member);
    await new Promise((r) => setTimeout(r, 300));
    pacer.delete(member);
    expect(at.length).toBeGreaterThanOrEqual(12);
    at.forEach((t, i) => i && expect(t - at[i - 1]).toBeCloseTo(20, 6));
  });
});

const line = (speaker: 'agent' | 'callee', text: string, audio: string, events: ScriptLine['events'] = []): ScriptLine => ({
  speaker,
  text,
  audio,
  durationMs: clipMulaw(audio).length / 8,
  pauseAfterMs: 200,
  events,
});

/** Drives a callee frame by frame: `agent(i)` is the agent's frame i (null = silence). */
function run(callee: Callee, frames: number, agent: (i: number) => { buf: Buffer; off: number } | null, digits: (i: number) => string = () => '') {
  const events: Array<CalleeEvent & { frame: number }> = [];
  const out: FrameRef = { buf: SILENCE_FRAME, off: 0 };
  for (let i = 0; i < frames && !callee.finished; i++) {
    const a = agent(i);
    const got: CalleeEvent[] = [];
    callee.frame(i * 20, a ?? { buf: SILENCE_FRAME, off: 0 }, a ? FRAME_BYTES : 0, digits(i), out, got);
    events.push(...got.map((e) => ({ ...e, frame: i })));
    silence(out);
  }
  return events;
}

describe('callee turn-taking', () => {
  const lines = [
    line('callee', 'Hello?', 'en-survey/01-callee.wav'),
    line('agent', 'Hi', 'en-survey/02-agent.wav'),
    line('callee', 'Sure, one.', 'en-survey/05-callee.wav'),
  ];
  const prompts = {
    nudge: { text: 'nudge', audio: 'prompts/en-nudge.wav', durationMs: 0 },
    goodbye: { text: 'bye', audio: 'prompts/en-goodbye.wav', durationMs: 0 },
  };

  it('answers only after the agent has spoken and then been quiet for silenceMs, plus the pause', () => {
    const callee = new Callee({ lines, prompts, silenceMs: () => 400, nudgeMs: () => 5000 });
    // The agent speaks from frame 50 to 99 (1 s), then silence.
    const events = run(callee, 400, (i) => (i >= 50 && i < 100 ? { buf: speech, off: (i - 45) * FRAME_BYTES } : null));
    const says = events.filter((e) => e.type === 'say');
    expect(says.map((e) => e.text)).toEqual(['Hello?', 'Sure, one.']);
    expect(says[0].frame).toBe(0);
    const lastSpeech = 99;
    expect(says[1].frame).toBeGreaterThanOrEqual(lastSpeech + 400 / 20 + 200 / 20 - 1);
    expect(says[1].frame).toBeLessThanOrEqual(lastSpeech + 400 / 20 + 200 / 20 + 3);
    expect(events.find((e) => e.type === 'agent-turn')!.frame).toBeGreaterThanOrEqual(50);
    expect(events.at(-1)).toEqual(expect.objectContaining({ type: 'hangup' }));
    expect(callee.gaveUp).toBe(false);
  });

  it('nudges a silent agent, says goodbye and gives up', () => {
    const callee = new Callee({ lines, prompts, silenceMs: () => 400, nudgeMs: () => 1000 });
    const events = run(callee, 1000, () => null);
    expect(events.filter((e) => e.type === 'say').map((e) => e.text)).toEqual(['Hello?', 'nudge', 'bye']);
    expect(callee.gaveUp).toBe(true);
  });

  it('branches on the keys the agent pressed, skipping the branches not taken', () => {
    const branching = [
      lines[0],
      lines[1],
      line('callee', 'one', 'en-survey/05-callee.wav', [{ type: 'on_dtmf', digits: '1' }]),
      line('callee', 'two', 'en-survey/08-callee.wav', [{ type: 'on_dtmf', digits: '2' }]),
      line('agent', 'bye', 'en-survey/09-agent.wav'),
      line('callee', 'bye', 'en-survey/01-callee.wav'),
    ];
    const callee = new Callee({ lines: branching, prompts, silenceMs: () => 300, nudgeMs: () => 5000 });
    const events = run(
      callee,
      1500,
      (i) => (i >= 200 && i < 230 ? { buf: speech, off: (i - 195) * FRAME_BYTES } : null),
      (i) => (i === 60 ? '2' : ''),
    );
    expect(events.filter((e) => e.type === 'say').map((e) => e.text)).toEqual(['Hello?', 'two', 'bye']);
    expect(callee.gaveUp).toBe(false);
  });
});

describe('slow consumer', () => {
  it('buffers a bounded number of frames, dropping (and counting) the oldest', () => {
    const ws = Object.assign(new EventEmitter(), {
      OPEN: 1,
      CLOSED: 3,
      readyState: 1,
      bufferedAmount: 10_000_000,
      sent: [] as string[],
      send(m: string) {
        this.sent.push(m);
      },
      close() {},
      terminate() {},
    });
    const sim = {
      seed: 1,
      options: { media: { latencyMs: 0, jitterMs: 0, lossPercent: 0, agentDelayMs: 300 } },
      world: { now: () => 0, findCall: () => call },
      logger: pino({ level: 'silent' }),
    };
    const call = { id: 'c1', accountId: 'a1', media: {} };
    const pacer = { wakeBy: () => {} };
    const s = new Session({ sim, pacer, closed: () => {} } as never, {
      ws: ws as never,
      role: 'listen',
      vendor: 'v',
      call: call as never,
      tracks: ['inbound', 'outbound'],
      customParameters: {},
      origin: 'upgrade',
    });
    s.start({} as never);
    for (let i = 0; i < 1000; i++) s.frame(i * 20, () => 'AAAA');
    expect(s.queued).toBeLessThanOrEqual(2 * 50 + 1);
    expect(s.stats.framesDropped).toBe(2000 - (s.queued - 1));
    ws.bufferedAmount = 0;
    s.flush(1e9);
    expect(s.queued).toBe(0);
    const media = ws.sent.slice(2).map((m) => JSON.parse(m));
    expect(media[0].media.chunk).toBe(String(1000 - 49));
    expect(media.map((m) => Number(m.sequenceNumber))).toEqual(media.map((_, i) => i + 2));
  });
});
