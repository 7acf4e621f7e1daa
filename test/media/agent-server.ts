import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type WebSocket, WebSocketServer } from 'ws';
import { frameDb } from '../../src/media/vad.js';
import { agentClip } from './helpers.js';

/** What one stream callsim opened to the test agent carried. */
export interface AgentConn {
  ws: WebSocket;
  headers: IncomingHttpHeaders;
  url: string;
  start: any;
  events: Array<{ at: number; msg: any }>;
  closed: { code: number } | null;
  /** Replies sent (one after each utterance of the caller). */
  replies: number;
}

export interface AgentOptions {
  /** Greets with this much speech when the stream starts (0: waits for the caller). */
  greetMs?: number;
  /** Replies with this much speech after each utterance of the caller (0: never replies). */
  replyMs?: number;
  /** How long the caller must have been quiet before the agent replies. */
  quietMs?: number;
  /** Called with every message; return true to skip the default handling. */
  onMessage?: (c: AgentConn, msg: any) => boolean | undefined;
}

/** A speech clip of `ms`, as one base64 `media` payload. */
export const speech = (ms: number): string =>
  agentClip()
    .subarray(0, ms * 8)
    .toString('base64');

/**
 * A small voice agent for load runs and dial-outs to call: it greets, then answers each thing the
 * caller says once the caller has been quiet a moment, as a turn-taking bot does. Everything it
 * got is kept per stream for the test to look at.
 */
export async function startAgent(o: AgentOptions = {}) {
  const { greetMs = 400, replyMs = 400, quietMs = 200 } = o;
  const wss = new WebSocketServer({ port: 0 });
  const conns: AgentConn[] = [];
  wss.on('connection', (ws, req) => {
    const c: AgentConn = { ws, headers: req.headers, url: req.url ?? '', start: null, events: [], closed: null, replies: 0 };
    conns.push(c);
    let loud = false;
    let quietFor = 0;
    const say = (ms: number) => ws.send(JSON.stringify({ event: 'media', streamSid: c.start?.streamSid, media: { payload: speech(ms) } }));
    ws.on('close', (code) => (c.closed = { code }));
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      c.events.push({ at: performance.now(), msg });
      if (o.onMessage?.(c, msg)) return;
      if (msg.event === 'start') {
        c.start = msg.start;
        if (greetMs) say(greetMs);
      } else if (msg.event === 'media' && replyMs) {
        const frameLoud = frameDb(Buffer.from(msg.media.payload, 'base64'), 0) > -40;
        if (frameLoud) {
          loud = true;
          quietFor = 0;
        } else if (loud && (quietFor += 20) >= quietMs) {
          loud = false;
          c.replies++;
          say(replyMs);
        }
      } else if (msg.event === 'stop') ws.close();
    });
  });
  await new Promise((r) => wss.once('listening', r));
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/agent`,
    conns,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of conns) c.ws.terminate();
        wss.close(() => resolve());
      }),
  };
}
