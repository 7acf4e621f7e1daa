import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../helpers/sim.js';

/**
 * Post-call processing, said out loud: a transcript is ready `transcriptDelayMs` (1.5 s) and a
 * recording `recordingDelayMs` (2.5 s) after a call ends, both configurable down to 0. Until then
 * each vendor says "not ready yet" its own way, and a call whose audio came from the user's own
 * agent never reports the script's transcript, summary or booking.
 */
let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim({ rateLimits: { calleague: false, callgenius: false } });
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.reset();
  await sim.admin('PUT', '/config', { transcriptDelayMs: 1500, recordingDelayMs: 2500, scenarios: [] });
});

/** Starts a JagCall call and advances until it has just ended (within 100 ms). */
async function endedJagCall(): Promise<string> {
  const id = (await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155559876' } })).body.id;
  for (let i = 0; i < 3000; i++) {
    if ((await sim.api('jagcall', 'GET', `/v1/calls/${id}`)).body.status === 'completed') return id;
    await sim.advance(100);
  }
  throw new Error('the call never ended');
}

describe('post-call processing', () => {
  it('JagCall: 409 with a code, a reason and Retry-After until each part is ready, then 200', async () => {
    const live = (await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155559876' } })).body.id;
    const early = await sim.api('jagcall', 'GET', `/v1/calls/${live}/transcript`);
    expect([early.status, early.body.error.code]).toEqual([409, 'call_in_progress']);
    const id = await endedJagCall();
    const t = await sim.api('jagcall', 'GET', `/v1/calls/${id}/transcript`);
    expect([t.status, t.body.error.code]).toEqual([409, 'transcript_not_ready']);
    expect(t.body.error.message).toMatch(/being processed: ready in about 1\.\d s/);
    expect(Number(t.headers.get('retry-after'))).toBe(2);
    await sim.advance(1500);
    const ready = await sim.api('jagcall', 'GET', `/v1/calls/${id}/transcript`);
    expect(ready.status).toBe(200);
    expect(ready.body.transcript.length).toBeGreaterThan(0);
    const r = await sim.api('jagcall', 'GET', `/v1/calls/${id}/recording`);
    expect([r.status, r.body.error.code]).toEqual([409, 'recording_not_ready']);
    await sim.advance(1000);
    expect((await sim.api('jagcall', 'GET', `/v1/calls/${id}/recording`)).status).toBe(200);
    // A call nobody answered: its transcript is complete and empty, it has no recording.
    const busy = (await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+15005550002' } })).body.id;
    await sim.advance(60_000);
    expect((await sim.api('jagcall', 'GET', `/v1/calls/${busy}/transcript`)).body.transcript).toEqual([]);
    expect((await sim.api('jagcall', 'GET', `/v1/calls/${busy}/recording`)).body.error.code).toBe('no_recording');
  });

  it('CallGeni.us says why a recording is not there yet', async () => {
    const call = (await sim.admin('POST', '/calls', { vendor: 'callgenius', to: '+61400000001' })).body.id;
    const live = await sim.api('callgenius', 'GET', `/api/calls/${call}/recording`);
    expect(live.status).toBe(404);
    expect(live.body.message).toMatch(/^Recording not available yet: the call is still in progress/);
    for (let i = 0; i < 3000 && (await sim.api('callgenius', 'GET', `/api/calls/${call}`)).body.status !== 'completed'; i++) await sim.advance(100);
    const processing = await sim.api('callgenius', 'GET', `/api/calls/${call}/recording`);
    expect(processing.body.message).toMatch(/^Recording not available yet: the call ended moments ago/);
    await sim.advance(2500);
    expect((await sim.api('callgenius', 'GET', `/api/calls/${call}/recording`)).status).toBe(200);
  });

  it('with both delays 0, a call is complete with transcript and recording the moment it ends', async () => {
    expect((await sim.admin('PUT', '/config', { transcriptDelayMs: 0, recordingDelayMs: 0 })).body).toEqual(
      expect.objectContaining({ transcriptDelayMs: 0, recordingDelayMs: 0 }),
    );
    const id = await endedJagCall();
    expect((await sim.api('jagcall', 'GET', `/v1/calls/${id}/transcript`)).status).toBe(200);
    expect((await sim.api('jagcall', 'GET', `/v1/calls/${id}/recording`)).status).toBe(200);
    const cl = (await sim.api('calleague', 'POST', '/api/core/voice/agent/call', { body: { agentId: 'ag_123', to: '+14155550123' } })).body.callId;
    for (let i = 0; i < 3000; i++) {
      const c = (await sim.api('calleague', 'GET', `/api/core/voice/call/${cl}`)).body;
      if (c.status === 'completed') {
        expect([c.transcriptReady, c.recordingReady]).toEqual([true, true]);
        break;
      }
      await sim.advance(100);
    }
    expect((await sim.admin('PUT', '/config', { transcriptDelayMs: -1 })).status).toBe(400);
  });

  it("a live agent's call reports no script outcome on any vendor: no booking, summary or scripted transcript", async () => {
    await sim.admin('PUT', '/config', { scenarios: [{ toPrefix: '+1415', outcome: 'answered', conversationId: 'en-booking' }] });
    const ids = {
      calleague: (await sim.api('calleague', 'POST', '/api/core/voice/agent/call', { body: { agentId: 'ag_123', to: '+14155550123' } })).body.callId,
      callingbox: (await sim.api('callingbox', 'POST', '/v1/calls', { body: { agent_id: 'agent_3f9a1c2b7d4e', to: '+14155550123' } })).body.id,
      jagcall: (await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155550123' } })).body.id,
      callgenius: String((await sim.admin('POST', '/calls', { vendor: 'callgenius', to: '+14155550123' })).body.id),
    };
    const world = sim.running.sim.world;
    // Answered: a live media client takes the agent's place (what the media session marks).
    await sim.advance(15_000);
    for (const id of Object.values(ids)) {
      const call = world.findCall(id)!;
      expect(call.status).toBe('in-progress');
      call.liveAgent = { summary: null, sentiment: null };
    }
    const partial = await sim.api('callgenius', 'GET', `/api/calls/${ids.callgenius}/transcript`);
    expect(partial.body).toEqual([]);
    await sim.advance(600_000);
    const cl = (await sim.api('calleague', 'GET', `/api/core/voice/call/${ids.calleague}`)).body;
    expect([cl.summary, cl.sentiment]).toEqual([null, null]);
    const cg = (await sim.api('callgenius', 'GET', `/api/calls/${ids.callgenius}`)).body;
    expect([cg.disposition, cg.summary]).toEqual(['completed', null]);
    expect((await sim.api('callgenius', 'GET', `/api/calls/${ids.callgenius}/transcript`)).body).toEqual([]);
    expect((await sim.api('callingbox', 'GET', `/v1/calls/${ids.callingbox}`)).body.transcript).toEqual([]);
    expect((await sim.api('jagcall', 'GET', `/v1/calls/${ids.jagcall}/transcript`)).body.transcript).toEqual([]);
    for (const id of Object.values(ids)) expect(world.findCall(id)!.booking, id).toBeNull();
  });
});
