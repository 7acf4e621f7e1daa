import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { CallsimOptions } from '../../src/config.js';
import { clipMulaw, FRAME_BYTES } from '../../src/media/codec.js';
import { frameDb } from '../../src/media/vad.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';

export interface Received {
  at: number;
  msg: any;
}

/** A real-clock server whose calls to +1555… are answered at once (queue 50 ms, no ringing). */
export async function startMediaSim(extra: { scenarios?: unknown[]; options?: Partial<CallsimOptions> } = {}): Promise<TestSim> {
  const sim = await startTestSim({ clock: 'real', speed: 1, ...extra.options });
  sim.running.sim.world.timings.queueMs = [50, 50];
  const r = await sim.admin('PUT', '/config', { scenarios: [...(extra.scenarios ?? []), { toPrefix: '+1555', outcome: 'answered', ringSec: 0 }] });
  expect(r.status).toBe(200);
  return sim;
}

export async function createCall(sim: TestSim, to = '+15555550100', body: Record<string, unknown> = {}): Promise<string> {
  const r = await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to, ...body } });
  expect(r.status).toBe(201);
  return r.body.id;
}

export const wsUrl = (sim: TestSim, callId: string, query = '', vendor = 'jagcall') =>
  `${sim.url.replace('http', 'ws')}/__sim/media/${vendor}/${callId}${query ? `?${query}` : ''}`;

/** A media-stream client that keeps every message with its arrival time. */
export class Client {
  readonly ws: WebSocket;
  readonly got: Received[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => {
      this.got.push({ at: performance.now(), msg: JSON.parse(data.toString()) });
      this.poke();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.poke();
    });
    this.ws.on('error', () => {});
  }

  private poke(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve();
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  events(name: string): Received[] {
    return this.got.filter((g) => g.msg.event === name);
  }

  media(track?: string): Received[] {
    return this.got.filter((g) => g.msg.event === 'media' && (!track || g.msg.media.track === track));
  }

  /** Waits until `pred` holds over what has arrived (checked on every message). */
  async until<T>(pred: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const v = pred();
      if (v) return v;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  get streamSid(): string {
    return this.events('start')[0]?.msg.streamSid;
  }

  /** Sends μ-law audio as Twilio clients do: 20 ms per message. */
  sendAudio(bytes: Buffer): void {
    for (let off = 0; off < bytes.length; off += FRAME_BYTES) {
      this.send({ event: 'media', streamSid: this.streamSid, media: { payload: bytes.subarray(off, off + FRAME_BYTES).toString('base64') } });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

export async function connect(url: string): Promise<Client> {
  const c = new Client(url);
  await c.opened();
  return c;
}

/** Loudness of a received media frame, to tell speech from silence. */
export const loud = (r: Received): boolean => frameDb(Buffer.from(r.msg.media.payload, 'base64'), 0) > -40;

export const agentClip = (path = 'en-survey/02-agent.wav'): Buffer => clipMulaw(path);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens a stream that must be refused: the HTTP status and error body of the refusal. */
export function refused(url: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => {
      ws.close();
      reject(new Error('the upgrade was accepted'));
    });
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
  });
}

/** Index of the last element matching `pred` (-1 if none); the test target predates findLastIndex. */
export function lastIndex<T>(xs: T[], pred: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (pred(xs[i])) return i;
  return -1;
}

/** Everything the server logs from now on, as parsed pino lines (debug and up). */
export function captureLog(sim: TestSim): Array<Record<string, any>> {
  const lines: Array<Record<string, any>> = [];
  sim.running.sim.logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return lines;
}
