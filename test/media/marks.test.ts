import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSim } from '../helpers/sim.js';
import { agentClip, type Client, connect, createCall, startMediaSim, wsUrl } from './helpers.js';

let sim: TestSim;
beforeAll(async () => {
  sim = await startMediaSim();
});
afterAll(() => sim.stop());

async function agent(query: string): Promise<{ c: Client; id: string }> {
  const id = await createCall(sim);
  const c = await connect(wsUrl(sim, id, `role=agent&nudgeMs=60000&${query}`));
  await c.until(() => c.events('start').length, 3000, 'start');
  return { c, id };
}

/** Sends a mark and waits for its echo: the round trip in ms. */
async function roundTrip(c: Client, name: string): Promise<number> {
  const sent = performance.now();
  c.send({ event: 'mark', streamSid: c.streamSid, mark: { name } });
  const echo = await c.until(() => c.events('mark').find((m) => m.msg.mark.name === name), 5000, `mark ${name}`);
  return echo.at - sent;
}

describe('marks and clear', () => {
  it('echoes a mark after the latency each way (latencyMs=100 → about 200 ms)', async () => {
    const { c } = await agent('latencyMs=100');
    for (const name of ['a', 'b', 'c']) {
      const rtt = await roundTrip(c, name);
      expect(rtt).toBeGreaterThanOrEqual(190);
      expect(rtt).toBeLessThanOrEqual(260);
    }
    expect(c.events('mark')[0].msg).toEqual({ event: 'mark', sequenceNumber: expect.any(String), streamSid: c.streamSid, mark: { name: 'a' } });
    await c.close();
  });

  it('follows the server latency set live with PUT /__sim/config', async () => {
    const { c } = await agent('');
    expect(await roundTrip(c, 'fast')).toBeLessThan(60);
    expect((await sim.admin('PUT', '/config', { media: { latencyMs: 80 } })).status).toBe(200);
    try {
      const rtt = await roundTrip(c, 'slow');
      expect(rtt).toBeGreaterThanOrEqual(150);
      expect(rtt).toBeLessThanOrEqual(230);
    } finally {
      await sim.admin('PUT', '/config', { media: { latencyMs: 0 } });
    }
    await c.close();
  });

  it('echoes a mark only once the audio queued before it has played', async () => {
    const { c } = await agent('latencyMs=20');
    const audio = agentClip().subarray(0, 4000);
    const sent = performance.now();
    c.sendAudio(audio);
    c.send({ event: 'mark', streamSid: c.streamSid, mark: { name: 'after-audio' } });
    const echo = await c.until(() => c.events('mark')[0], 5000, 'the mark');
    const rtt = echo.at - sent;
    expect(rtt).toBeGreaterThanOrEqual(500 + 40 - 5);
    expect(rtt).toBeLessThanOrEqual(500 + 40 + 80);
    await c.close();
  });

  it('clear drops the queued agent audio and echoes the pending marks at once', async () => {
    const { c, id } = await agent('latencyMs=50');
    c.sendAudio(agentClip().subarray(0, 16_000));
    c.send({ event: 'mark', streamSid: c.streamSid, mark: { name: 'pending-1' } });
    c.send({ event: 'mark', streamSid: c.streamSid, mark: { name: 'pending-2' } });
    await new Promise((r) => setTimeout(r, 300));
    const sent = performance.now();
    c.send({ event: 'clear', streamSid: c.streamSid });
    await c.until(() => c.events('mark').length === 2, 3000, 'both marks');
    expect(c.events('mark').map((m) => m.msg.mark.name)).toEqual(['pending-1', 'pending-2']);
    expect(c.events('mark')[1].at - sent).toBeLessThan(100 + 60);
    await new Promise((r) => setTimeout(r, 200));
    const media = (await sim.admin('GET', `/calls/${id}/media`)).body;
    // 2 s were queued; only what played before the clear (≈ 300 ms − latency) reached the callee.
    expect(media.stats.agentFramesPlayed).toBeLessThan(25);
    expect(media.stats.clears).toBe(1);
    await c.close();
  });

  it('echoes marks on listen streams too (nothing is queued there)', async () => {
    const id = await createCall(sim);
    const c = await connect(wsUrl(sim, id, 'latencyMs=30'));
    await c.until(() => c.events('start').length, 3000, 'start');
    const rtt = await roundTrip(c, 'x');
    expect(rtt).toBeGreaterThanOrEqual(55);
    expect(rtt).toBeLessThan(120);
    await c.close();
  });
});
