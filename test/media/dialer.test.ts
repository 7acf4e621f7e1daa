import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import type { TestSim } from '../helpers/sim.js';
import { agentClip, createCall, lastIndex, loud, type Received, startMediaSim } from './helpers.js';

let sim: TestSim;
let wss: WebSocketServer;
let agentUrl: string;
const agents: Array<{ ws: WebSocket; got: Received[] }> = [];

beforeAll(async () => {
  sim = await startMediaSim({ scenarios: [{ toPrefix: '+1555', outcome: 'answered', ringSec: 0, conversationId: 'en-survey' }] });
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  agentUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/agent`;
  wss.on('connection', (ws) => {
    const a = { ws, got: [] as Received[] };
    agents.push(a);
    ws.on('message', (d) => a.got.push({ at: performance.now(), msg: JSON.parse(d.toString()) }));
  });
});
afterAll(async () => {
  await sim.stop();
  wss.close();
});

const until = async <T>(pred: () => T | undefined | false, ms = 5000): Promise<T> => {
  const end = performance.now() + ms;
  for (;;) {
    const v = pred();
    if (v) return v;
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.concurrent('media_url: callsim dials the agent', () => {
  it("streams the call to the agent's server when it is answered, and takes its audio back", async () => {
    const id = await createCall(sim, '+15555550100', { metadata: { media_url: agentUrl } });
    const agent = await until(() => agents.find((a) => a.got.some((g) => g.msg.event === 'start' && g.msg.start.callSid === id)));
    const start = agent.got.find((g) => g.msg.event === 'start')!.msg;
    expect(agent.got[0].msg.event).toBe('connected');
    expect(start.start).toEqual(
      expect.objectContaining({
        callSid: id,
        tracks: ['inbound'],
        customParameters: { callId: id, agentId: 'agt_xxx', from: expect.any(String), to: '+15555550100', direction: 'outbound' },
      }),
    );
    const inbound = () => agent.got.filter((g) => g.msg.event === 'media');
    await until(() => inbound().filter(loud).length > 5 && inbound().length - lastIndex(inbound(), loud) > 10);
    const clip = agentClip().subarray(0, 4000);
    for (let off = 0; off < clip.length; off += 160) {
      agent.ws.send(JSON.stringify({ event: 'media', streamSid: start.streamSid, media: { payload: clip.subarray(off, off + 160).toString('base64') } }));
    }
    await until(() => agent.got.some((g) => g.msg.event === 'dtmf'), 6000);
    const media = (await sim.admin('GET', `/calls/${id}/media`)).body;
    expect(media).toEqual(expect.objectContaining({ mode: 'agent', dialUrl: agentUrl, dialError: null }));
    expect(media.sessions[0]).toEqual(expect.objectContaining({ origin: 'dial', role: 'agent' }));
    agent.ws.close();
    await until(() => sim.running.sim.world.findCall(id)!.status === 'completed');
    expect(sim.running.sim.world.findCall(id)!.endedReason).toBe('hangup');
  });

  it("dials the agent's own mediaUrl too", async () => {
    sim.running.sim.world.store('jc_org_demo').agents.get('agt_yyy')!.mediaUrl = agentUrl;
    const r = await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_yyy', to: '+15555550101' } });
    await until(() => agents.find((a) => a.got.some((g) => g.msg.event === 'start' && g.msg.start.callSid === r.body.id)));
    sim.running.sim.world.store('jc_org_demo').agents.get('agt_yyy')!.mediaUrl = null;
  });

  it('keeps the reason when it cannot dial, and the call goes on with the built-in agent', async () => {
    const id = await createCall(sim, '+15555550100', { metadata: { media_url: 'ws://127.0.0.1:1/nobody' } });
    let media: any;
    for (let i = 0; i < 100 && !media?.dialError; i++) {
      await new Promise((r) => setTimeout(r, 50));
      media = (await sim.admin('GET', `/calls/${id}/media`)).body;
    }
    expect(media.dialError).toMatch(/^cannot dial ws:\/\/127\.0\.0\.1:1\/nobody: .*ECONNREFUSED/);
    const call = sim.running.sim.world.findCall(id)!;
    expect(call.status).toBe('in-progress');
    expect(call.liveControlled).toBeFalsy();
  });
});
