/**
 * Load runs end to end: callsim's worker threads dial a real WebSocket agent (agent-server.ts) for
 * each call, a simulated caller talks with it, and the run, each call's media report, transcript
 * and end, and the failures are what happened. Every admin answer is checked against specs/admin.yaml.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallOpts, send } from '../helpers/admin-spec.js';
import type { TestSim } from '../helpers/sim.js';
import { startAgent } from './agent-server.js';
import { refused, startMediaSim, wsUrl } from './helpers.js';

let sim: TestSim;
const admin = (method: string, path: string, o: CallOpts = {}) => send(sim.url, method, path, o);

beforeAll(async () => {
  sim = await startMediaSim({ options: { mediaAuthToken: 'load-secret' } });
});
afterAll(() => sim.stop());

/** Waits for a run to be done (polling its spec-checked GET). */
async function finished(id: string, timeoutMs = 20_000): Promise<any> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const r = await admin('GET', `/__sim/load/${id}`);
    expect(r.status).toBe(200);
    if (r.body.status === 'done') return r.body;
    if (performance.now() > deadline) throw new Error(`load run ${id} still running: ${JSON.stringify(r.body.calls)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

const quick = {
  persona: 'Books a table',
  language: 'en',
  silenceMs: 300,
  lines: [
    { text: 'Hello?', after: 'agent', expect: { answerWithinMs: 1500, speaks: true } },
    { text: 'Thank you, bye.', hangup: true },
  ],
  expect: { endedBy: 'caller', maxInterruptions: 0 },
};

describe.sequential('load runs', () => {
  it('dials the agent for every call at the arrival rate; each call talks with the caller and ends with its report', async () => {
    const agent = await startAgent({ greetMs: 400, replyMs: 400 });
    try {
      expect((await admin('PUT', '/__sim/callers/quick', { body: quick })).status).toBe(201);
      const r = await admin('POST', '/__sim/load', { body: { count: 3, ratePerSec: 10, mediaUrl: agent.url, caller: 'quick' } });
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ id: expect.stringMatching(/^load_\d+$/), status: 'running', count: 3, target: agent.url, caller: 'quick' });
      const run = await finished(r.body.id);
      expect(run.calls).toEqual({ started: 3, completed: 3, failed: 0, active: 0 });
      expect(run.verdicts).toEqual({ pass: 3, fail: 0 });
      expect(run.failures).toEqual({});
      expect(run.turnLatencyMs.turns).toBeGreaterThanOrEqual(3);
      expect(run.turnLatencyMs.p50).toBeGreaterThan(0);
      expect(run.media.workers).toBeGreaterThanOrEqual(1);
      expect(run.callIds).toHaveLength(3);
      // Three calls at 10 a second: the last is placed about 200 ms after the first.
      expect(agent.conns).toHaveLength(3);
      const placed = run.callIds.map((id: string) => sim.running.sim.world.findCall(id)!.createdAt);
      expect(placed[2] - placed[0]).toBeGreaterThan(150);
      expect(placed[2] - placed[0]).toBeLessThan(1000);

      for (const c of agent.conns) {
        expect(c.events[0].msg).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
        expect(c.start.customParameters).toMatchObject({ callId: expect.any(String), to: '+15555550100', direction: 'outbound' });
        expect(c.start.tracks).toEqual(['inbound']);
        expect(c.headers['x-twilio-signature']).toBeTruthy();
        expect(c.events.at(-1)!.msg.event).toBe('stop');
      }
      const id = run.callIds[0];
      const media = await admin('GET', `/__sim/calls/${id}/media`);
      expect(media.body).toMatchObject({ mode: 'agent', live: false, dialUrl: agent.url, dialError: null });
      expect(media.body.caller).toMatchObject({ name: 'quick', verdict: 'pass', endedBy: 'caller', linesSaid: 2, linesTotal: 2 });
      expect(media.body.caller.turns[0]).toMatchObject({ line: 1, text: 'Hello?', interrupted: false });
      expect(media.body.caller.turns[0].latencyMs).toBeGreaterThan(200);
      expect(media.body.turns[0]).toMatchObject({ turn: 1, calleeText: 'Hello?' });
      expect(media.body.sessions).toEqual([expect.objectContaining({ role: 'agent', origin: 'dial', state: 'closed', badMessages: 0 })]);
      const call = sim.running.sim.world.findCall(id)!;
      expect(call.status).toBe('completed');
      expect(call.endedReason).toBe('completed');
      expect(call.turns!.filter((t) => t.speaker === 'callee').map((t) => t.text)).toEqual(['Hello?', 'Thank you, bye.']);
      // Its audio runs in a worker: no stream on the main thread may take it.
      const ws = await refused(wsUrl(sim, id, 'role=listen', sim.running.sim.world.accounts.get(call.accountId)!.namespace));
      expect(ws.status).toBe(409);
      expect(ws.body.error.code).toBe('load_call');
    } finally {
      await agent.close();
    }
  });

  it('counts failures by reason: a dial that cannot connect, an agent that drops the stream, an expectation not met', async () => {
    const dropper = await startAgent({
      greetMs: 0,
      onMessage: (c, msg) => {
        if (msg.event === 'start') setTimeout(() => c.ws.terminate(), 300);
        return true;
      },
    });
    const silent = await startAgent({ greetMs: 0, replyMs: 0 });
    try {
      await admin('PUT', '/__sim/callers/quick', { body: { ...quick, nudgeMs: 600 } });
      const refusedRun = await finished((await admin('POST', '/__sim/load', { body: { count: 2, ratePerSec: 50, mediaUrl: 'ws://127.0.0.1:9/' } })).body.id);
      expect(refusedRun.calls).toMatchObject({ started: 2, completed: 0, failed: 2 });
      expect(Object.keys(refusedRun.failures)).toEqual([expect.stringMatching(/^dial: .*ECONNREFUSED/)]);
      const failedCall = sim.running.sim.world.findCall(refusedRun.callIds[0])!;
      expect(failedCall.endedReason).toBe('failed');
      expect((await admin('GET', `/__sim/calls/${failedCall.id}/media`)).body.dialError).toMatch(/^cannot dial ws:\/\/127\.0\.0\.1:9\/: .*ECONNREFUSED/);

      const unparsable = await finished((await admin('POST', '/__sim/load', { body: { count: 2, ratePerSec: 50, mediaUrl: 'ws://' } })).body.id);
      expect(unparsable.failures).toEqual({ 'dial: Invalid URL: ws://': 2 });

      const dropped = await finished(
        (await admin('POST', '/__sim/load', { body: { count: 1, ratePerSec: 1, mediaUrl: dropper.url, caller: 'quick' } })).body.id,
      );
      expect(dropped.failures).toEqual({ "the agent's stream closed with 1006": 1 });

      const unanswered = await finished(
        (await admin('POST', '/__sim/load', { body: { count: 1, ratePerSec: 1, mediaUrl: silent.url, caller: 'quick' } })).body.id,
      );
      expect(unanswered.verdicts).toEqual({ pass: 0, fail: 1 });
      expect(unanswered.failures).toEqual({ 'expectation line 1 answerWithinMs not met': 1 });
      const report = (await admin('GET', `/__sim/calls/${unanswered.callIds[0]}/media`)).body.caller;
      expect(report.endedBy).toBe('caller-gave-up');
      expect(report.expectations.filter((e: { met: boolean }) => !e.met).map((e: { expect: string }) => e.expect)).toEqual([
        'answerWithinMs',
        'speaks',
        'endedBy',
      ]);
    } finally {
      await dropper.close();
      await silent.close();
    }
  });

  it('bad messages from the agent are counted and ignored; the call goes on', async () => {
    const noisy = await startAgent({
      onMessage: (c, msg) => {
        if (msg.event !== 'start') return false;
        for (const junk of ['not json', '{"event":"nope"}', '{"event":"media","media":{"payload":"@@@"}}']) c.ws.send(junk);
        return false;
      },
    });
    try {
      const run = await finished((await admin('POST', '/__sim/load', { body: { count: 1, ratePerSec: 1, mediaUrl: noisy.url, caller: 'quick' } })).body.id);
      expect(run.calls).toMatchObject({ completed: 1, failed: 0 });
      const media = (await admin('GET', `/__sim/calls/${run.callIds[0]}/media`)).body;
      expect(media.sessions[0]).toMatchObject({ badMessages: 3, lastBadMessage: 'media.payload is not valid base64' });
    } finally {
      await noisy.close();
    }
  });

  it('without a caller each call plays its own conversation’s callee lines; DELETE stops a run and hangs up its calls', async () => {
    const agent = await startAgent({ greetMs: 300, replyMs: 300 });
    try {
      const r = await admin('POST', '/__sim/load', { body: { count: 50, ratePerSec: 5, mediaUrl: agent.url, maxCallSec: 60 } });
      await new Promise((res) => setTimeout(res, 1500));
      const stopped = await admin('DELETE', `/__sim/load/${r.body.id}`);
      expect(stopped.status).toBe(200);
      expect(stopped.body.stopped).toBe(true);
      const run = await finished(r.body.id);
      expect(run.calls.started).toBeLessThan(50);
      expect(run.calls.active).toBe(0);
      const first = (await admin('GET', `/__sim/calls/${run.callIds[0]}/media`)).body.caller;
      const conv = sim.running.sim.world.findCall(run.callIds[0])!.conversationId;
      expect(first.name).toBe(conv);
      expect(first.endedBy).toBe('other');
      for (const id of run.callIds) expect(sim.running.sim.world.findCall(id)!.status).toBe('completed');
    } finally {
      await agent.close();
    }
  });

  it('through a vendor agent: its media_url is dialled, and a recorded run keeps what flowed', async () => {
    const agent = await startAgent({ greetMs: 400, replyMs: 400 });
    try {
      const made = await sim.api('callingbox', 'POST', '/v1/agents', {
        body: { name: 'Load agent', voice: 'alloy', prompt: 'hi', media_url: agent.url, custom_parameters: { tenant: 'acme' } },
      });
      expect(made.status).toBe(201);
      const r = await admin('POST', '/__sim/load', {
        body: { count: 1, ratePerSec: 1, vendor: 'callingbox', agent: made.body.id, caller: 'quick', record: true },
      });
      expect(r.body.target).toBe(`callingbox/${made.body.id}`);
      const run = await finished(r.body.id);
      expect(run.calls.completed).toBe(1);
      // Dialled once, by the run's worker (the main thread's dialer leaves a run's calls alone).
      expect(agent.conns).toHaveLength(1);
      expect(agent.conns[0].start.customParameters.tenant).toBe('acme');
      const call = sim.running.sim.world.findCall(run.callIds[0])!;
      expect(call.agentId).toBe(made.body.id);
      const { renderRecording } = await import('../../src/media/recording.js');
      const wavefile = (await import('wavefile')).default;
      await new Promise((res) => setTimeout(res, 3000));
      const wav = new wavefile.WaveFile(await renderRecording(sim.running.sim.world, call));
      const [agentTrack, callerTrack] = wav.getSamples(false, Int16Array) as unknown as Int16Array[];
      const energy = (t: Int16Array) => t.reduce((n, v) => n + Math.abs(v), 0) / t.length;
      expect(energy(agentTrack)).toBeGreaterThan(50);
      expect(energy(callerTrack)).toBeGreaterThan(50);
    } finally {
      await agent.close();
    }
  });
});
