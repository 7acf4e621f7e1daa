import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import type { TestSim } from '../helpers/sim.js';
import { agentClip, captureLog, createCall, lastIndex, loud, type Received, startMediaSim } from './helpers.js';

let sim: TestSim;
let wss: WebSocketServer;
let agentUrl: string;
let log: Array<Record<string, any>>;
const agents: Array<{ ws: WebSocket; got: Received[]; req: IncomingMessage }> = [];

/** A voice agent's WebSocket server: keeps every connection, its handshake and what it was sent. */
async function agentServer(): Promise<{ wss: WebSocketServer; url: string }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  server.on('connection', (ws, req) => {
    const a = { ws, got: [] as Received[], req };
    agents.push(a);
    ws.on('message', (d) => a.got.push({ at: performance.now(), msg: JSON.parse(d.toString()) }));
  });
  return { wss: server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/agent` };
}

beforeAll(async () => {
  sim = await startMediaSim({ scenarios: [{ toPrefix: '+1555', outcome: 'answered', ringSec: 0, conversationId: 'en-survey' }] });
  log = captureLog(sim);
  ({ wss, url: agentUrl } = await agentServer());
});
afterAll(async () => {
  await sim.stop();
  wss.close();
});

const startOf = (callId: string) => until(() => agents.find((a) => a.got.some((g) => g.msg.event === 'start' && g.msg.start.callSid === callId)));

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
    const agent = await startOf(id);
    const start = agent.got.find((g) => g.msg.event === 'start')!.msg;
    expect(agent.got[0].msg).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    expect(agent.req.headers['x-twilio-signature']).toBeUndefined();
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
    // The call has ended and its stream is gone, but what it did stays readable.
    const after = (await sim.admin('GET', `/calls/${id}/media`)).body;
    expect(after.live).toBe(false);
    expect(after.sessions).toEqual([
      expect.objectContaining({ origin: 'dial', role: 'agent', state: 'closed', closeCode: 1005, closedAt: expect.any(String), badMessages: 0 }),
    ]);
    expect(after.sessions[0].framesSent).toBeGreaterThan(20);
    const mine = log.filter((l) => l.callId === id);
    expect(mine.find((l) => l.msg === 'media dial-out connected')).toEqual(expect.objectContaining({ level: 20, url: agentUrl, streamSid: start.streamSid }));
    expect(mine.find((l) => l.msg === 'media stream opened')).toEqual(expect.objectContaining({ level: 20, role: 'agent', origin: 'dial' }));
    expect(mine.find((l) => l.msg === 'media stream closed')).toEqual(expect.objectContaining({ level: 20, code: 1005 }));
  });

  it("sends the call's metadata.custom_parameters and the agent's custom_parameters (CallingBox) as start.customParameters", async () => {
    const created = await sim.api('callingbox', 'POST', '/v1/agents', {
      body: { name: 'Pipecat bot', media_url: agentUrl, custom_parameters: { from_number: '+15005550006', to_number: 'agent-default', bot: 'pipecat' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.custom_parameters).toEqual({ from_number: '+15005550006', to_number: 'agent-default', bot: 'pipecat' });
    const updated = await sim.api('callingbox', 'PATCH', `/v1/agents/${created.body.id}`, {
      body: { custom_parameters: { from_number: '+15005550006', to_number: 'agent-default' } },
    });
    expect(updated.body.custom_parameters).toEqual({ from_number: '+15005550006', to_number: 'agent-default' });
    const call = await sim.api('callingbox', 'POST', '/v1/calls', {
      body: { agent_id: created.body.id, to: '+15555550123', from: '+15551234567', metadata: { custom_parameters: { to_number: '+15555550123', lang: 'en' } } },
    });
    expect(call.status).toBe(201);
    expect(call.body.metadata).toEqual({ custom_parameters: { to_number: '+15555550123', lang: 'en' } });
    const agent = await startOf(call.body.id);
    expect(agent.got.find((g) => g.msg.event === 'start')!.msg.start.customParameters).toEqual({
      callId: call.body.id,
      agentId: created.body.id,
      from: '+15551234567',
      to: '+15555550123',
      direction: 'outbound',
      from_number: '+15005550006',
      to_number: '+15555550123',
      lang: 'en',
    });
    agent.ws.close();
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
    expect(log.find((l) => l.callId === id && l.msg === 'media dial-out failed')).toEqual(
      expect.objectContaining({ level: 30, url: 'ws://127.0.0.1:1/nobody', reason: expect.stringMatching(/ECONNREFUSED/) }),
    );
  });
});

describe('X-Twilio-Signature', () => {
  it("signs the dial-out handshake as Twilio signs a WebSocket URL: the twilio package's validateRequest accepts it", async () => {
    const token = 'test_auth_token_0123456789abcdef';
    const signed = await startMediaSim({ options: { mediaAuthToken: token } });
    try {
      const url = `${agentUrl}?tenant=acme&lang=en`;
      const id = await createCall(signed, '+15555550100', { metadata: { media_url: url } });
      const agent = await startOf(id);
      const signature = agent.req.headers['x-twilio-signature'] as string;
      // What the agent's server sees and checks: its own URL, rebuilt from the request, and no form parameters.
      const seen = `ws://${agent.req.headers.host}${agent.req.url}`;
      expect(seen).toBe(url);
      expect(twilio.validateRequest(token, signature, seen, {})).toBe(true);
      expect(twilio.validateRequest('another_token', signature, seen, {})).toBe(false);
      expect(twilio.validateRequest(token, signature, `${agentUrl}?tenant=evil&lang=en`, {})).toBe(false);
      agent.ws.close();
    } finally {
      await signed.stop();
    }
  });
});
