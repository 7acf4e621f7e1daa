import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipMulaw } from '../../src/media/codec.js';
import { liveOutcome } from '../../src/media/outcome.js';
import { type Conversation, type ScriptLine, totalMs } from '../../src/sim/conversations.js';
import type { SimEvent } from '../../src/sim/events.js';
import type { TestSim } from '../helpers/sim.js';
import { agentClip, type Client, connect, lastIndex, loud, startMediaSim, wsUrl } from './helpers.js';

let sim: TestSim;
const events: SimEvent[] = [];

const line = (speaker: 'agent' | 'callee', text: string, audio: string, events: ScriptLine['events'] = []): ScriptLine => ({
  speaker,
  text,
  audio,
  durationMs: clipMulaw(audio).length / 8,
  pauseAfterMs: 300,
  events,
});

/** A short booking call whose canned outcome (summary, sentiment, booking) a live agent must not inherit. */
const booking: Conversation = {
  id: 'test-live-booking',
  language: 'en',
  topic: 'booking',
  outcome: 'booked',
  summary: 'CANNED: the script booked a check-up.',
  sentiment: 0.9,
  totalMs: 0,
  lines: [
    line('callee', 'Hello?', 'en-booking/01-callee.wav'),
    line('agent', 'Great, you are booked.', 'en-booking/08-agent.wav', [{ type: 'booking', data: { service: 'Dental check-up', date: '2026-12-03' } }]),
    line('callee', 'Thank you, bye.', 'en-booking/09-callee.wav'),
  ],
};
booking.totalMs = totalMs(booking.lines);

beforeAll(async () => {
  sim = await startMediaSim({ scenarios: [{ toPrefix: '+1558', outcome: 'answered', ringSec: 0, conversationId: booking.id }] });
  const world = sim.running.sim.world;
  world.library.conversations.push(booking);
  world.timings.transcriptDelayMs = 50;
  world.bus.on((e) => void events.push(e));
});
afterAll(() => sim.stop());

/** A CallGeni.us call (its API reports disposition, summary and sentiment) with a live agent on it. */
async function liveCall(query: string): Promise<{ id: string; c: Client }> {
  const r = await sim.admin('POST', '/calls', { vendor: 'callgenius', to: '+15585550100', agent_id: '42' });
  expect(r.status).toBe(201);
  const c = await connect(wsUrl(sim, r.body.id, `role=agent&${query}`, 'callgenius'));
  return { id: r.body.id, c };
}

async function ended(id: string) {
  const world = sim.running.sim.world;
  const c = new Promise<void>((resolve) => {
    const poll = () => (world.findCall(id)?.transcriptReady ? resolve() : setTimeout(poll, 20));
    poll();
  });
  await c;
  return (await sim.api('callgenius', 'GET', `/api/calls/${id}`)).body;
}

describe.concurrent("a live agent's call is its own", () => {
  it('an agent that answers the caller books what it stands in for, as it speaks; summary and sentiment say what happened', async () => {
    const { id, c } = await liveCall('silenceMs=300');
    await c.until(() => lastIndex(c.media('inbound'), loud) >= 0 && c.media('inbound').length - lastIndex(c.media('inbound'), loud) > 10, 5000, 'hello');
    expect(sim.running.sim.world.findCall(id)!.booking).toBeNull();
    c.sendAudio(agentClip().subarray(0, 6000));
    const call = await ended(id);
    expect(call.disposition).toBe('booked');
    expect(sim.running.sim.world.findCall(id)!.booking).toEqual({ service: 'Dental check-up', date: '2026-12-03' });
    expect(events.filter((e) => e.type === 'booking.created' && e.call.id === id)).toHaveLength(1);
    expect(call.summary).toMatch(/^A live agent \(media stream\) handled the call\. The agent took 1 turn, answering after \d+ ms on average/);
    expect(call.summary).toContain('The caller said 2 lines (first "Hello?", last "Thank you, bye.").');
    expect(call.summary).toContain('A booking was made. The caller hung up after its last line.');
    expect(call.sentiment_score).toBe(0.7);
  });

  it('an agent that never speaks books nothing, and the caller who gave up is unhappy, whatever the script says', async () => {
    const { id } = await liveCall('nudgeMs=500');
    const call = await ended(id);
    // The call lasted past the script's booking line, so the script alone would have said "booked".
    const world = sim.running.sim.world;
    expect(world.findCall(id)!.talkMs).toBeGreaterThan(booking.lines[0].durationMs + 300 + booking.lines[1].durationMs);
    expect(call.disposition).toBe('completed');
    expect(world.findCall(id)!.booking).toBeNull();
    expect(events.some((e) => e.type === 'booking.created' && e.call.id === id)).toBe(false);
    expect(call.summary).toBe(
      'A live agent (media stream) handled the call. The agent never spoke. The caller said 1 line (first "Hello?"). The caller heard nothing for too long, asked if anyone was there, and hung up.',
    );
    expect(call.sentiment_score).toBe(-0.6);
    const detail = (await sim.admin('GET', `/calls/${id}`)).body;
    expect([detail.summary, detail.sentiment, detail.booking]).toEqual([call.summary, -0.6, null]);
  });
});

describe('live outcome rules', () => {
  const base = { agentTurns: 3, latencies: [], calleeLines: ['Hello?', 'Yes.'], calleeLinesLeft: 0, digits: '', booked: false, ending: 'callee-done' as const };
  const turns = (...ms: number[]) => ms.map((latencyMs, i) => ({ turn: i + 1, calleeText: '', calleeEndMs: 0, agentStartMs: latencyMs, latencyMs }));

  it('marks down slow answers, talking over the caller and hanging up on it', () => {
    expect(liveOutcome({ ...base, latencies: turns(400, 600) }).sentiment).toBe(0.4);
    expect(liveOutcome({ ...base, latencies: turns(2500, 2600) }).sentiment).toBe(0.2);
    const rude = liveOutcome({ ...base, latencies: turns(-300, 500, -100), ending: 'agent-left', calleeLinesLeft: 2, digits: '12' });
    expect(rude.sentiment).toBe(-0.5);
    expect(rude.summary).toBe(
      'A live agent (media stream) handled the call. The agent took 3 turns, answering after 500 ms on average (slowest 500 ms). It talked over the caller 2 times. The caller said 2 lines (first "Hello?", last "Yes."). Keys heard: 12. The agent hung up (its media stream closed).',
    );
  });
});
