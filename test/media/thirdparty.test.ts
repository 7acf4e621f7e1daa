/**
 * The Twilio Media Streams handler of a real voice-agent framework, not one written here: the
 * OpenAI Agents SDK's TwilioRealtimeTransportLayer (@openai/agents-extensions), the piece a Node
 * voice agent runs behind Twilio's <Connect><Stream>. It bridges the stream to a realtime speech
 * model; the model here is a small stand-in WebSocket server speaking the realtime API's events,
 * so what the library does with callsim's messages (and what it sends back) can be seen.
 */
import type { AddressInfo } from 'node:net';
import { TwilioRealtimeTransportLayer } from '@openai/agents-extensions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { clipMulaw } from '../../src/media/codec.js';
import type { TestSim } from '../helpers/sim.js';
import { agentClip, createCall, sleep, startMediaSim } from './helpers.js';

let sim: TestSim;

/** One model connection: the events the library sent it, and a way to make the "model" speak. */
interface ModelConn {
  ws: WebSocket;
  events: Array<Record<string, any>>;
}

/** The stand-in realtime model: answers session.update, keeps what it is sent. */
async function modelServer(): Promise<{ url: string; conns: ModelConn[]; close(): void }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  const conns: ModelConn[] = [];
  let n = 0;
  wss.on('connection', (ws) => {
    const conn: ModelConn = { ws, events: [] };
    conns.push(conn);
    ws.on('message', (data) => {
      const e = JSON.parse(data.toString());
      conn.events.push(e);
      if (e.type === 'session.update') ws.send(JSON.stringify({ type: 'session.updated', event_id: `evt_${n++}`, session: e.session }));
    });
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v1/realtime`, conns, close: () => wss.close() };
}

/** What the library forwarded to the model as the caller's audio, as one μ-law buffer. */
const heardByModel = (c: ModelConn) => Buffer.concat(c.events.filter((e) => e.type === 'input_audio_buffer.append').map((e) => Buffer.from(e.audio, 'base64')));

/** The model says `audio` (μ-law) as one response, in one delta, as the realtime API may. */
function speak(c: ModelConn, id: string, audio: Buffer, done = true): void {
  const send = (e: Record<string, unknown>) => c.ws.send(JSON.stringify({ event_id: `evt_${id}_${e.type}`, ...e }));
  const ids = { item_id: `item_${id}`, content_index: 0, output_index: 0, response_id: `resp_${id}` };
  send({ type: 'response.created', response: { id: `resp_${id}`, object: 'realtime.response' } });
  send({ type: 'response.output_audio.delta', ...ids, delta: audio.toString('base64') });
  if (!done) return;
  send({ type: 'response.output_audio.done', ...ids });
  send({ type: 'response.done', response: { id: `resp_${id}`, object: 'realtime.response', output: [] } });
}

async function until<T>(pred: () => T | undefined | false | Promise<T | undefined | false>, ms = 8000, what = 'condition'): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

beforeAll(async () => {
  sim = await startMediaSim({ scenarios: [{ toPrefix: '+1555', outcome: 'answered', ringSec: 0, conversationId: 'en-survey' }] });
});
afterAll(() => sim.stop());

describe('a third-party Twilio Media Streams library (@openai/agents-extensions TwilioRealtimeTransportLayer)', () => {
  it('runs a call as the dial-out target, and listens to one', async () => {
    const model = await modelServer();
    const agentWss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => agentWss.once('listening', r));
    const twilioMessages: Array<Record<string, any>> = [];
    let agent: TwilioRealtimeTransportLayer | undefined;
    let agentSocket: WebSocket | undefined;
    // The agent's server, as the SDK's Twilio example wires it: one transport per Twilio connection.
    agentWss.on('connection', (ws) => {
      agentSocket = ws;
      agent = new TwilioRealtimeTransportLayer({ twilioWebSocket: ws });
      agent.on('*', (e: any) => e.type === 'twilio_message' && twilioMessages.push(e.message));
      void agent.connect({ apiKey: 'sk-test', url: model.url });
    });
    try {
      const agentUrl = `ws://127.0.0.1:${(agentWss.address() as AddressInfo).port}/twilio`;
      const id = await createCall(sim, '+15555550100', {
        metadata: { media_url: agentUrl, custom_parameters: { from_number: '+15005550006', to_number: '+15555550100' } },
      });
      await sim.admin('PUT', `/calls/${id}/media`, { silenceMs: 300 });
      const start = await until(() => twilioMessages.find((m) => m.event === 'start'), 5000, 'start');
      expect(twilioMessages[0]).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
      expect(start.start.customParameters).toEqual(expect.objectContaining({ from_number: '+15005550006', to_number: '+15555550100' }));
      const toAgentModel = await until(() => model.conns[0], 5000, 'the agent model connection');

      // The caller's "Hello?" reaches the model through the library bit-exact (its end, at least: the
      // library drops what arrives before its model connection is up, as it would behind Twilio).
      const hello = clipMulaw('en-survey/01-callee.wav');
      await until(() => heardByModel(toAgentModel).includes(hello.subarray(hello.length - 800)), 5000, 'the hello at the model');

      // A listener, the same library on callsim's listen URL: it gets the inbound track (the callee).
      const listenWs = new WebSocket(`${sim.url.replace('http', 'ws')}/__sim/media/jagcall/${id}`);
      const listener = new TwilioRealtimeTransportLayer({ twilioWebSocket: listenWs });
      const listenMessages: Array<Record<string, any>> = [];
      listener.on('*', (e: any) => e.type === 'twilio_message' && listenMessages.push(e.message));
      await new Promise((r) => listenWs.once('open', r));
      await listener.connect({ apiKey: 'sk-test', url: model.url });
      const toListenModel = model.conns[1];

      // The model answers: 2 s of speech in one delta, which the library sends as one 16,000-byte media message.
      speak(toAgentModel, 'a1', agentClip().subarray(0, 16_000));
      const callee = clipMulaw('en-survey/05-callee.wav');
      await until(() => heardByModel(toAgentModel).includes(callee) && heardByModel(toListenModel).includes(callee), 10_000, '"Sure, one." at both models');
      expect(listenMessages.find((m) => m.event === 'start')!.start.tracks).toEqual(['inbound']);
      expect(new Set(listenMessages.filter((m) => m.event === 'media').map((m) => m.media.track))).toEqual(new Set(['inbound']));

      // The library's marks came back once the audio before them had played.
      const marks = twilioMessages.filter((m) => m.event === 'mark').map((m) => m.mark.name);
      expect(marks).toEqual(['item_a1:2000:g1:m1', 'done:item_a1:g1:m2']);
      let media = (await sim.admin('GET', `/calls/${id}/media`)).body;
      expect(media.stats).toEqual(expect.objectContaining({ agentFramesPlayed: 100, marksEchoed: 2, underruns: 0 }));
      expect(media.turns[0]).toEqual(expect.objectContaining({ calleeText: 'Hello?' }));

      // Barge-in: the caller starts speaking while the model talks; the library sends clear, callsim drops the rest.
      speak(toAgentModel, 'a2', agentClip().subarray(0, 32_000), false);
      await sleep(400);
      toAgentModel.ws.send(JSON.stringify({ type: 'input_audio_buffer.speech_started', event_id: 'evt_barge', item_id: 'item_u2', audio_start_ms: 0 }));
      await until(async () => (await sim.admin('GET', `/calls/${id}/media`)).body.stats.clears === 1, 3000, 'the clear');
      await until(() => toAgentModel.events.find((e) => e.type === 'conversation.item.truncate'), 3000, 'the truncate');
      await sleep(200);
      media = (await sim.admin('GET', `/calls/${id}/media`)).body;
      expect(media.stats.agentFramesPlayed).toBeLessThan(100 + 200);
      expect(media.sessions.map((s: any) => [s.role, s.badMessages])).toEqual([
        ['agent', 0],
        ['listen', 0],
      ]);

      // The agent ends the call: its session closes, and so does the Twilio socket; the listener gets stop.
      agent!.close();
      agentSocket!.close();
      await until(() => sim.running.sim.world.findCall(id)!.status === 'completed', 3000, 'the call to end');
      await until(() => listenMessages.some((m) => m.event === 'stop'), 3000, 'stop at the listener');
      expect(sim.running.sim.world.findCall(id)!.endedReason).toBe('hangup');
      listener.close();
    } finally {
      agentWss.close();
      model.close();
    }
  });
});
