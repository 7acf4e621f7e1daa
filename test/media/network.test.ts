import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSim } from '../helpers/sim.js';
import { agentClip, connect, createCall, startMediaSim, wsUrl } from './helpers.js';

let sim: TestSim;
beforeAll(async () => {
  sim = await startMediaSim();
});
afterAll(() => sim.stop());

async function answered(id: string): Promise<void> {
  while (sim.running.sim.world.findCall(id)!.status !== 'in-progress') await new Promise((r) => setTimeout(r, 10));
}

describe.concurrent('network conditions', () => {
  it('loses frames (gaps in chunk numbers, counted) but never messages', async () => {
    const id = await createCall(sim);
    const c = await connect(wsUrl(sim, id, 'tracks=inbound&lossPercent=50'));
    await c.until(() => c.media().length >= 25, 5000, 'frames');
    await c.close();
    const chunks = c.media().map((m) => Number(m.msg.media.chunk));
    const span = chunks.at(-1)! - chunks[0] + 1;
    expect(chunks.length / span).toBeGreaterThan(0.25);
    expect(chunks.length / span).toBeLessThan(0.75);
    // connected carries no number (as on Twilio); every message after it counts on from 1, lost frames or not.
    c.got.slice(1).forEach((g, i) => expect(g.msg.sequenceNumber).toBe(String(i + 1)));
    const media = (await sim.admin('GET', `/calls/${id}/media`)).body;
    expect(media.sessions[0]?.framesLost ?? span - chunks.length).toBeGreaterThan(0);
  });

  it('delays everything by the one-way latency, and jitter never reorders', async () => {
    const id = await createCall(sim);
    await answered(id);
    const opened = performance.now();
    const c = await connect(wsUrl(sim, id, 'latencyMs=200&jitterMs=30&tracks=outbound'));
    await c.until(() => c.media().length >= 50, 5000, 'frames');
    await c.close();
    expect(c.events('start')[0].at - opened).toBeGreaterThanOrEqual(195);
    const frames = c.media().map((m) => m.msg.media);
    frames.forEach((m, i) => i && expect(Number(m.timestamp) - Number(frames[i - 1].timestamp)).toBe(20));
  });

  it('upstream loss: lost agent packets reach the callee as silence', async () => {
    const id = await createCall(sim);
    const c = await connect(wsUrl(sim, id, 'role=agent&lossPercent=100&nudgeMs=60000'));
    await c.until(() => c.events('start').length, 3000, 'start');
    c.sendAudio(agentClip().subarray(0, 3200));
    await new Promise((r) => setTimeout(r, 600));
    const media = (await sim.admin('GET', `/calls/${id}/media`)).body;
    expect(media.stats.agentFramesLost).toBe(20);
    expect(media.turns).toEqual([]);
    await c.close();
  });

  it('the built-in agent answers the callee after agentDelayMs', async () => {
    const id = await createCall(sim);
    const c = await connect(wsUrl(sim, id, 'agentDelayMs=500'));
    let media: any;
    while (!media?.turns.length) {
      await new Promise((r) => setTimeout(r, 50));
      media = (await sim.admin('GET', `/calls/${id}/media`)).body;
    }
    expect(media.turns[0]).toEqual(expect.objectContaining({ calleeText: 'Hello?' }));
    expect(media.turns[0].latencyMs).toBeGreaterThanOrEqual(500);
    expect(media.turns[0].latencyMs).toBeLessThanOrEqual(530);
    await c.close();
  });
});
