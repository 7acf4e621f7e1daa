import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMulaw, FRAME_BYTES } from '../../src/media/codec.js';
import type { TestSim } from '../helpers/sim.js';
import { type Client, connect, createCall, loud, sleep, startMediaSim, wsUrl } from './helpers.js';

let sim: TestSim;
beforeAll(async () => {
  sim = await startMediaSim();
});
afterAll(() => sim.stop());

/** A steady 440 Hz tone, loud in every 20 ms frame, so a hole in it is a silent frame. */
const TONE = encodeMulaw(Int16Array.from({ length: 8000 * 2 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000))));
const frameOf = (k: number) => TONE.subarray((k * FRAME_BYTES) % TONE.length, ((k * FRAME_BYTES) % TONE.length) + FRAME_BYTES);

/** An agent stream and a listener hearing what the agent's audio sounds like at the callee. */
async function agentAndEar(query = ''): Promise<{ id: string; agent: Client; ear: Client }> {
  const id = await createCall(sim);
  const agent = await connect(wsUrl(sim, id, `role=agent&nudgeMs=60000&${query}`));
  const ear = await connect(wsUrl(sim, id, 'tracks=outbound'));
  await agent.until(() => agent.media().length > 5 && ear.events('start').length, 5000, 'both streams started');
  return { id, agent, ear };
}

/**
 * Sends `frames` 20 ms frames as a real-time sender does: one every 20 ms on absolute deadlines,
 * each sleep as late as the timers make it. The first goes `lead` ms before one of the server's
 * frame deadlines (read off the inbound frames' arrival), the worst case for a loop that makes
 * frames before it reads what arrived.
 */
async function pacedSend(c: Client, frames: number, lead: number, from = 0): Promise<number> {
  const tick = c.media().at(-1)!.at;
  let start = tick + 20 - lead;
  while (start < performance.now() + 5) start += 20;
  for (let k = 0; k < frames; k++) {
    const wait = start + 20 * k - performance.now();
    if (wait > 0) await sleep(wait);
    c.send({ event: 'media', streamSid: c.streamSid, media: { payload: frameOf(from + k).toString('base64') } });
  }
  return start;
}

/** Silent runs shorter than 200 ms between loud frames: holes in an utterance, not pauses. */
function holes(ear: Client): number {
  const loudness = ear.media('outbound').map(loud);
  let n = 0;
  let run = 0;
  let heard = false;
  for (const l of loudness) {
    if (l) {
      if (heard && run > 0 && run < 10) n++;
      heard = true;
      run = 0;
    } else run++;
  }
  return n;
}

const media = async (id: string) => (await sim.admin('GET', `/calls/${id}/media`)).body;

describe('playout buffer', () => {
  it('a sender paced in real time, one 20 ms frame every 20 ms with timer jitter, plays without a hole mid-utterance', async () => {
    const { id, agent, ear } = await agentAndEar();
    // Six 800 ms utterances with 300 ms pauses, each sent 1–2 ms before the server's deadline.
    for (let u = 0; u < 6; u++) {
      await pacedSend(agent, 40, 1 + (u % 2), u * 40);
      await sleep(300);
    }
    await sleep(300);
    const m = await media(id);
    expect(m.stats.agentFramesPlayed).toBe(240);
    expect(holes(ear)).toBe(0);
    expect(m.stats.underruns).toBe(0);
    expect(m.conditions.playoutMs).toBe(60);
    await agent.close();
    await ear.close();
  });

  it('counts an underrun, with the silence it made, when the sender stalls mid-utterance', async () => {
    const { id, agent, ear } = await agentAndEar();
    await pacedSend(agent, 25, 5);
    await sleep(100);
    await pacedSend(agent, 25, 5, 25);
    await sleep(300);
    const m = await media(id);
    expect(m.stats.underruns).toBe(1);
    expect(m.stats.underrunMs).toBeGreaterThanOrEqual(60);
    expect(m.stats.underrunMs).toBeLessThan(400);
    expect(holes(ear)).toBe(1);
    expect(m.sessions.find((s: any) => s.role === 'agent').underruns).toBe(1);
    await agent.close();
    await ear.close();
  });

  it('takes its depth per call (?playoutMs=, PUT /__sim/calls/{id}/media) and per server (PUT /__sim/config)', async () => {
    const firstHeard = async (query: string) => {
      const { agent, ear } = await agentAndEar(query);
      const sentAt = await pacedSend(agent, 20, 10);
      const first = await ear.until(() => ear.media('outbound').find(loud), 3000, 'the agent heard');
      await agent.close();
      await ear.close();
      return first.at - sentAt;
    };
    const bare = await firstHeard('playoutMs=0');
    const deep = await firstHeard('playoutMs=300');
    // 300 ms of a paced sender's audio (or 300 ms of waiting) must be queued before it plays.
    expect(deep - bare).toBeGreaterThan(220);
    expect(deep - bare).toBeLessThan(400);

    const id = await createCall(sim);
    expect((await sim.admin('PUT', `/calls/${id}/media`, { playoutMs: 500 })).body.conditions.playoutMs).toBe(500);
    expect((await sim.admin('PUT', `/calls/${id}/media`, { playoutMs: 5000 })).body.error.message).toBe('playoutMs must be <= 1000');
    try {
      const r = await sim.admin('PUT', '/config', { media: { playoutMs: 120 } });
      expect(r.body.media).toEqual(expect.objectContaining({ playoutMs: 120, latencyMs: 0 }));
      expect((await media(await createCall(sim))).conditions.playoutMs).toBe(120);
      expect((await media(id)).conditions.playoutMs).toBe(500);
    } finally {
      await sim.admin('PUT', '/config', { media: { playoutMs: 60 } });
    }
  });
});

describe('message size', () => {
  it("accepts Pipecat's 16,000-byte end-of-call silence and larger; refuses audio beyond 60 s queued with the reason, and carries on", async () => {
    const { id, agent, ear } = await agentAndEar();
    const send = (bytes: number) =>
      agent.send({ event: 'media', streamSid: agent.streamSid, media: { payload: Buffer.alloc(bytes, 0xff).toString('base64') } });
    send(16_000);
    send(80_000);
    await sleep(300);
    let m = await media(id);
    expect(m.stats.agentFramesPlayed).toBeGreaterThan(5);
    expect(m.sessions.find((s: any) => s.role === 'agent')).toEqual(expect.objectContaining({ badMessages: 0, state: 'streaming' }));
    // 12 s are queued; 50 s more would pass the 60 s bound.
    send(400_000);
    await sleep(100);
    m = await media(id);
    const s = m.sessions.find((x: any) => x.role === 'agent');
    expect(s.badMessages).toBe(1);
    expect(s.lastBadMessage).toMatch(/^media: 1\d\.\d s of audio already waits to be played and this message holds 50000 ms more; at most 60 s may be queued$/);
    expect(m.stats.agentFramesDropped).toBe(2500);
    expect(agent.closed).toBeNull();
    // The stream still works: clear drops the queue and a mark comes straight back.
    agent.send({ event: 'clear', streamSid: agent.streamSid });
    agent.send({ event: 'mark', streamSid: agent.streamSid, mark: { name: 'after' } });
    await agent.until(() => agent.events('mark').length, 2000, 'the mark');
    await agent.close();
    await ear.close();
  });
});
