import type { WebSocket } from 'ws';
import { textFrames } from './protocol.js';

/** The socket's own send buffer may hold this much; past it frames wait in the stream's queue. */
const HIGH_WATER_BYTES = 64 * 1024;

type RawSocket = { cork(): void; uncork(): void; write(b: Buffer): boolean };

/** A WebSocket close reason is at most 123 bytes. */
const reasonText = (s: string): string =>
  Buffer.from(s)
    .subarray(0, 120)
    .toString()
    .replace(/\uFFFD+$/, '');

/**
 * The socket side of a stream. At 1,000 streams the socket writes are most of the work, so a
 * batch (a listener's frame of both tracks) goes out in one write: as frames built here and written
 * straight to the TCP socket when this is the server side (unmasked frames, no compression; ws
 * writes synchronously, so order is kept), else corked around ws's own sends.
 */
export class Wire {
  private readonly raw: RawSocket | undefined;
  private readonly direct: boolean;

  constructor(readonly ws: WebSocket) {
    const inner = ws as unknown as { _socket?: RawSocket; _isServer?: boolean; _extensions?: object };
    this.raw = inner._socket;
    this.direct = !!this.raw && inner._isServer === true && !Object.keys(inner._extensions ?? {}).length;
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  get buffered(): number {
    return this.ws.bufferedAmount;
  }

  blocked(): boolean {
    return this.ws.bufferedAmount > HIGH_WATER_BYTES;
  }

  send(text: string): void {
    if (this.open) this.ws.send(text);
  }

  /** ASCII messages, in one write. */
  sendAll(texts: readonly string[]): void {
    if (!this.open || !texts.length) return;
    if (this.direct) {
      this.raw!.write(textFrames(texts));
      return;
    }
    this.batch(() => texts.forEach((t) => this.ws.send(t)));
  }

  batch(fn: () => void): void {
    this.raw?.cork();
    try {
      fn();
    } finally {
      this.raw?.uncork();
    }
  }

  close(code: number, reason: string): void {
    if (this.open) this.ws.close(code, reasonText(reason));
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** Sends `last`, closes with `code`, and cuts off a peer that does not answer the close in time. */
  closeWith(last: string, code: number, reason: string, waitMs: number): Promise<void> {
    const ws = this.ws;
    const done = new Promise<void>((resolve) => {
      if (ws.readyState === ws.CLOSED) return resolve();
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, waitMs);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.send(last);
    this.close(code, reason);
    return done;
  }
}
