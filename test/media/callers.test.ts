/**
 * A simulated caller on a live agent's call on the main thread: a scenario rule gives the call a
 * caller, the test's client is the agent (role=agent), and the caller's lines, keys, hang-up,
 * report, transcript and dashboard view follow what the agent's audio did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSim } from '../helpers/sim.js';
import { speech } from './agent-server.js';
import { type Client, connect, createCall, lastIndex, loud, startMediaSim, wsUrl } from './helpers.js';

let sim: TestSim;
beforeAll(async () => {
  sim = await startMediaSim({
    scenarios: [
      { toPrefix: '+15556', outcome: 'answered', ringSec: 0, caller: 'booker' },
      { toPrefix: '+15557', outcome: 'answered', ringSec: 0, caller: 'nobody-by-that-name' },
    ],
  });
  const r = await sim.admin('PUT', '/callers/booker', {
    persona: 'Wants a table tonight',
    language: 'en',
    silenceMs: 300,
    lines: [
      { text: 'Hello?', after: 0 },
      { text: 'Yes, this is Jane.', expect: { answerWithinMs: 1500, speaks: true } },
      { keys: '1', expect: { keys: '9' } },
      { text: 'Thank you, bye.', hangup: true },
    ],
    expect: { endedBy: 'caller', maxInterruptions: 0 },
  });
  expect(r.status).toBe(201);
});
afterAll(() => sim.stop());

/** Waits for the caller to say something after inbound frame `from` and fall quiet again. */
async function callerSays(c: Client, from: number): Promise<number> {
  await c.until(
    () => {
      const m = c.media('inbound').slice(from);
      const last = lastIndex(m, loud);
      // A line has pauses between its words: 600 ms of quiet is the end of it.
      return last >= 0 && m.length - last > 30;
    },
    10_000,
    'the caller to speak and stop',
  );
  return c.media('inbound').length;
}

const reply = (c: Client, ms: number) => c.send({ event: 'media', streamSid: c.streamSid, media: { payload: speech(ms) } });

describe('a simulated caller on a live agent stream', () => {
  it('says its lines as the agent takes its turns, presses its keys, hangs up, and reports line by line', async () => {
    const id = await createCall(sim, '+15556000001');
    const c = await connect(wsUrl(sim, id, 'role=agent'));
    await c.until(() => c.events('start').length, 3000, 'start');
    let seen = await callerSays(c, 0); // "Hello?" at once (after: 0)
    await new Promise((r) => setTimeout(r, 200));
    reply(c, 500);
    seen = await callerSays(c, seen); // "Yes, this is Jane." once the agent has been quiet 300 ms
    await new Promise((r) => setTimeout(r, 300));
    reply(c, 400);
    await c.until(() => c.events('dtmf').length, 5000, 'the caller pressing 1');
    expect(c.events('dtmf')[0].msg.dtmf).toEqual({ track: 'inbound_track', digit: '1' });
    // The `dtmf` message comes as the tone starts; the agent answers once the key press is over.
    await new Promise((r) => setTimeout(r, 400));
    c.send({ event: 'dtmf', streamSid: c.streamSid, dtmf: { digit: '9' } });
    reply(c, 300);
    await c.until(() => c.events('stop').length, 8000, 'the caller hanging up');

    const media = await sim.admin('GET', `/calls/${id}/media`);
    expect(media.status).toBe(200);
    const report = media.body.caller;
    expect(report).toMatchObject({ name: 'booker', persona: 'Wants a table tonight', verdict: 'pass', endedBy: 'caller', linesSaid: 4, linesTotal: 4 });
    expect(report.turns.map((t: any) => t.text)).toEqual(['Hello?', 'Yes, this is Jane.', '', 'Thank you, bye.']);
    expect(report.turns[1].latencyMs).toBeGreaterThan(200);
    expect(report.turns[1].latencyMs).toBeLessThan(1200);
    expect(report.turns[2].keysHeard).toBe('9');
    expect(report.expectations.every((e: any) => e.met)).toBe(true);
    expect(media.body.callerError).toBeNull();
    expect(media.body.digitsHeard).toBe('9');

    const call = sim.running.sim.world.findCall(id)!;
    expect(call.status).toBe('completed');
    expect(call.endedReason).toBe('completed');
    expect(call.turns!.filter((t) => t.speaker === 'callee').map((t) => t.text)).toEqual(['Hello?', 'Yes, this is Jane.', '(presses 1)', 'Thank you, bye.']);
    const page = await sim.admin('GET', `/dashboard/calls/${id}`);
    expect(page.body.media_report.caller.verdict).toBe('pass');
    expect(page.body.media_report.turns.length).toBeGreaterThanOrEqual(2);
  });

  it('a rule naming a caller that does not exist: the scripted callee talks, and the media report says why', async () => {
    const id = await createCall(sim, '+15557000001');
    const c = await connect(wsUrl(sim, id, 'role=agent&nudgeMs=600'));
    await c.until(() => c.events('stop').length, 10_000, 'the callee giving up');
    const media = await sim.admin('GET', `/calls/${id}/media`);
    expect(media.body.caller).toBeNull();
    expect(media.body.callerError).toMatch(/^no caller named nobody-by-that-name/);
    expect(sim.running.sim.world.findCall(id)!.endedReason).toBe('hangup');
  });
});
