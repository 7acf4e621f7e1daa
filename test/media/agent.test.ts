import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import wavefile from 'wavefile';
import { encodeMulaw } from '../../src/media/codec.js';
import { renderRecording } from '../../src/media/recording.js';
import { frameDb } from '../../src/media/vad.js';
import type { TestSim } from '../helpers/sim.js';
import { agentClip, type Client, connect, createCall, lastIndex, loud, refused, startMediaSim, wsUrl } from './helpers.js';

let sim: TestSim;
beforeAll(async () => {
  sim = await startMediaSim({ scenarios: [{ toPrefix: '+1555', outcome: 'answered', ringSec: 0, conversationId: 'en-survey' }] });
});
afterAll(() => sim.stop());

/** Waits for a burst of callee speech after frame `from`, then for it to go quiet. */
async function calleeSpeaks(c: Client, from: number, timeoutMs = 8000): Promise<{ start: number; end: number }> {
  await c.until(
    () => {
      const m = c.media('inbound').slice(from);
      const last = lastIndex(m, loud);
      return last >= 0 && m.length - last > 15;
    },
    timeoutMs,
    'the callee to speak and stop',
  );
  const m = c.media('inbound').slice(from);
  return { start: m.find(loud)!.at, end: m[lastIndex(m, loud)].at };
}

const world = () => sim.running.sim.world;

describe.concurrent('role=agent', () => {
  it('the callee waits for the agent to finish, then answers; latency, transcript and recording follow what flowed', async () => {
    const id = await createCall(sim);
    const c = await connect(wsUrl(sim, id, 'role=agent&silenceMs=400'));
    await c.until(() => c.events('start').length, 3000, 'start');
    expect(c.events('start')[0].msg.start.tracks).toEqual(['inbound']);
    expect(c.media('outbound')).toEqual([]);
    const hello = await calleeSpeaks(c, 0);
    const clip = agentClip().subarray(0, 8000);
    const replyDelayMs = 200;
    await new Promise((r) => setTimeout(r, replyDelayMs));
    const sentAt = performance.now();
    c.sendAudio(clip);
    const clipMs = clip.length / 8;
    const from = c.media('inbound').length;
    const answer = await calleeSpeaks(c, from, 10_000);
    // clip played out in real time, 400 ms of silence ends the agent's turn, the script's 1 s pause.
    const gap = answer.start - sentAt - clipMs;
    expect(gap).toBeGreaterThan(400 + 1000 - 60);
    expect(gap).toBeLessThan(400 + 1000 + 250);
    await c.until(() => c.events('dtmf').length, 3000, 'the callee pressing 1');
    expect(c.events('dtmf')[0].msg.dtmf).toEqual({ track: 'inbound_track', digit: '1' });

    const media = await sim.admin('GET', `/calls/${id}/media`);
    expect(media.body.mode).toBe('agent');
    expect(media.body.turns[0]).toEqual(expect.objectContaining({ turn: 1, calleeText: 'Hello?' }));
    const measured = sentAt - hello.end;
    expect(media.body.turns[0].latencyMs).toBeGreaterThan(measured - 80);
    expect(media.body.turns[0].latencyMs).toBeLessThan(measured + 120);
    expect(media.body.stats.agentFramesPlayed).toBeGreaterThanOrEqual(Math.floor(clip.length / 160));

    const openFor = performance.now() - c.events('start')[0].at;
    await c.close();
    const call = world().findCall(id)!;
    await new Promise((r) => setTimeout(r, 50));
    expect(call.status).toBe('completed');
    expect(call.endedReason).toBe('hangup');
    expect(call.turns!.map((t) => [t.speaker, t.text])).toEqual([
      ['callee', 'Hello?'],
      ['agent', ''],
      ['callee', 'Sure, one.'],
    ]);

    const wav = new wavefile.WaveFile(await renderRecording(world(), call));
    const [agent, callee] = wav.getSamples(false, Int16Array) as unknown as Int16Array[];
    expect(agent.length).toBe(Math.round(call.talkMs * 8));
    // The engine took over at startOffsetMs (answer → stream start); the rest is the stream itself.
    expect(Math.abs(agent.length / 8 - (media.body.startOffsetMs + openFor))).toBeLessThan(300);
    const db = (track: Int16Array, fromMs: number, toMs: number) => frameDb(encodeMulaw(track.subarray(fromMs * 8, toMs * 8)), 0);
    const agentStart = media.body.turns[0].agentStartMs;
    expect(db(agent, agentStart + 100, agentStart + 120)).toBeGreaterThan(-45);
    const helloAt = call.turns![0].offsetMs;
    expect(db(agent, helloAt + 100, helloAt + 120)).toBeLessThan(-60);
    expect(db(callee, helloAt + 100, helloAt + 120)).toBeGreaterThan(-45);
  });

  it('a silent agent hears "Is anyone there?", then a goodbye, and the callee hangs up', async () => {
    const id = await createCall(sim);
    const c = await connect(wsUrl(sim, id, 'role=agent&nudgeMs=500'));
    await c.until(() => c.closed, 9000, 'the callee hanging up');
    expect(c.events('stop')).toHaveLength(1);
    const call = world().findCall(id)!;
    expect(call.status).toBe('completed');
    expect(call.endedReason).toBe('hangup');
    expect(call.turns!.map((t) => t.text)).toEqual(['Hello?', 'Hello? Is anyone there?', "I can't hear anything, goodbye."]);
    expect((await sim.admin('GET', `/calls/${id}/media`)).body.turns).toEqual([]);
  });

  it('one agent per call: a second is refused, listeners may join and hear both sides (tracks=both)', async () => {
    const id = await createCall(sim);
    const agent = await connect(wsUrl(sim, id, 'role=agent'));
    await agent.until(() => agent.events('start').length, 3000, 'start');
    expect((await refused(wsUrl(sim, id, 'role=agent'))).body.error.code).toBe('agent_taken');
    const listener = await connect(wsUrl(sim, id, 'tracks=both'));
    await listener.until(() => listener.events('start').length, 3000, 'start');
    agent.sendAudio(agentClip().subarray(0, 8000));
    await listener.until(() => listener.media('outbound').filter(loud).length > 5, 5000, 'the agent heard by the listener');
    await agent.close();
    await listener.until(() => listener.closed, 3000, 'the call ending with its agent');
    expect(listener.events('stop')).toHaveLength(1);
    expect(world().findCall(id)!.endedReason).toBe('hangup');
  });
});
