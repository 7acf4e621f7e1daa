import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../src/fixtures/index.js';
import { clipMulaw, decodeMulaw, encodeMulaw, FRAME_BYTES } from '../../src/media/codec.js';
import { DtmfDetector } from '../../src/media/dtmf.js';
import { dtmfTone } from '../../src/media/tones.js';
import { type Conversation, type ScriptLine, totalMs } from '../../src/sim/conversations.js';
import type { TestSim } from '../helpers/sim.js';
import { agentClip, type Client, connect, createCall, lastIndex, loud, startMediaSim, wsUrl } from './helpers.js';

let sim: TestSim;

const line = (speaker: 'agent' | 'callee', text: string, audio: string, events: ScriptLine['events'] = []): ScriptLine => ({
  speaker,
  text,
  audio,
  durationMs: clipMulaw(audio).length / 8,
  pauseAfterMs: 300,
  events,
});

/** An IVR-like script: the callee's answer depends on the key the agent presses. */
const branching: Conversation = {
  id: 'test-branching',
  language: 'en',
  topic: 'test',
  outcome: 'completed',
  summary: '',
  sentiment: 0,
  totalMs: 0,
  lines: [
    line('callee', 'Hello?', 'en-survey/01-callee.wav'),
    line('agent', 'Press 1 for yes, or 2 for no.', 'en-survey/04-agent.wav'),
    line('callee', 'Sure, one.', 'en-survey/05-callee.wav', [{ type: 'on_dtmf', digits: '1' }]),
    line('callee', 'Yes, I would.', 'en-survey/08-callee.wav', [{ type: 'on_dtmf', digits: '2' }]),
  ],
};
branching.totalMs = totalMs(branching.lines);

beforeAll(async () => {
  sim = await startMediaSim({
    scenarios: [
      { toPrefix: '+1557', outcome: 'answered', ringSec: 0, conversationId: 'test-branching' },
      { toPrefix: '+1555', outcome: 'answered', ringSec: 0, conversationId: 'en-survey' },
    ],
  });
  sim.running.sim.world.library.conversations.push(branching);
});
afterAll(() => sim.stop());

async function afterHello(c: Client): Promise<void> {
  await c.until(
    () => {
      const m = c.media('inbound');
      const last = lastIndex(m, loud);
      return last >= 0 && m.length - last > 10;
    },
    5000,
    'hello',
  );
}

describe.concurrent('DTMF', () => {
  it('a key the callee presses in its script reaches the client as a dtmf event', async () => {
    const id = await createCall(sim);
    const c = await connect(wsUrl(sim, id, 'role=agent&silenceMs=300'));
    await afterHello(c);
    c.sendAudio(agentClip().subarray(0, 4000));
    const dtmf = await c.until(() => c.events('dtmf')[0], 6000, 'dtmf');
    expect(dtmf.msg).toEqual({ event: 'dtmf', sequenceNumber: expect.any(String), streamSid: c.streamSid, dtmf: { track: 'inbound_track', digit: '1' } });
    // It comes when the callee has said "Sure, one.": right after its last loud frame.
    const lastLoud = c.media('inbound')[lastIndex(c.media('inbound'), loud)];
    expect(dtmf.at - lastLoud.at).toBeLessThan(200);
    await c.close();
  });

  it('a key the client sends is heard by the callee, and the script branches on it', async () => {
    const id = await createCall(sim, '+15575550100');
    const c = await connect(wsUrl(sim, id, 'role=agent&silenceMs=300'));
    await afterHello(c);
    c.send({ event: 'dtmf', streamSid: c.streamSid, dtmf: { digit: '2' } });
    await c.until(() => sim.running.sim.world.findCall(id)!.status === 'completed', 6000, 'the call to end');
    const call = sim.running.sim.world.findCall(id)!;
    expect(call.turns!.map((t) => [t.speaker, t.text])).toEqual([
      ['callee', 'Hello?'],
      ['agent', ''],
      ['callee', 'Yes, I would.'],
    ]);
    const media = (await sim.admin('GET', `/calls/${id}/media`)).body;
    expect(media.digitsHeard).toBe('2');
    expect(media.stats.agentFramesPlayed).toBeGreaterThanOrEqual(5);
  });
});

describe.concurrent('in-band DTMF', () => {
  it('a key the client plays as a tone in its audio is heard as a key, and the script branches on it', async () => {
    const id = await createCall(sim, '+15575550101');
    const c = await connect(wsUrl(sim, id, 'role=agent&silenceMs=300'));
    await afterHello(c);
    // What a framework does for a key press: the tone itself, as ordinary media (here: callsim's own generator).
    c.sendAudio(dtmfTone('1'));
    await c.until(() => sim.running.sim.world.findCall(id)!.status === 'completed', 6000, 'the call to end');
    expect(sim.running.sim.world.findCall(id)!.turns!.map((t) => [t.speaker, t.text])).toEqual([
      ['callee', 'Hello?'],
      ['agent', ''],
      ['callee', 'Sure, one.'],
    ]);
    expect((await sim.admin('GET', `/calls/${id}/media`)).body.digitsHeard).toBe('1');
  });
});

/** μ-law audio through the detector 20 ms at a time: the keys it hears. */
function hear(audio: Buffer): string {
  const d = new DtmfDetector();
  let keys = '';
  const padded = Buffer.concat([audio, Buffer.alloc(FRAME_BYTES * 3, 0xff)]);
  for (let off = 0; off + FRAME_BYTES <= padded.length; off += FRAME_BYTES) keys += d.push(padded, off);
  return keys;
}

const quieter = (audio: Buffer, db: number) => encodeMulaw(Int16Array.from(decodeMulaw(audio), (v) => Math.round(v * 10 ** (db / 20))));

describe('DTMF detector', () => {
  it('hears every key of the keypad once, louder or quieter, and a key pressed twice twice', () => {
    const keys = '123A456B789C*0#D';
    expect(hear(Buffer.concat([...keys].map(dtmfTone)))).toBe(keys);
    expect(hear(quieter(Buffer.concat([...keys].map(dtmfTone)), -25))).toBe(keys);
    expect(hear(Buffer.concat([dtmfTone('5'), dtmfTone('5')]))).toBe('55');
    // Misaligned with the 20 ms frames: the tone starts 7 ms into a frame.
    expect(hear(Buffer.concat([Buffer.alloc(56, 0xff), dtmfTone('9')]))).toBe('9');
  });

  it('hears no key in speech: none in any clip the project ships', () => {
    const root = join(FIXTURES_DIR, 'conversations', 'audio');
    const clips = readdirSync(root).flatMap((dir) => readdirSync(join(root, dir)).map((f) => `${dir}/${f}`));
    expect(clips.length).toBeGreaterThan(50);
    const heard = clips.map((clip) => [clip, hear(clipMulaw(clip))]).filter(([, keys]) => keys);
    expect(heard).toEqual([]);
  });
});
