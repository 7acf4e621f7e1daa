import { MAX_QUEUED_BYTES } from './playout.js';

/**
 * The largest WebSocket message a client may send (1 MiB): a `media` message carrying all the
 * audio that may be queued (base64 is 4/3 of it) fits, with room for the JSON around it. Larger
 * closes the socket with 1009, as the WebSocket protocol says.
 */
export const MAX_MESSAGE_BYTES = 2 ** Math.ceil(Math.log2(Math.ceil(MAX_QUEUED_BYTES / 3) * 4 + 4096));

/** Sustained messages a second a client may send, and the burst allowed above that. */
const RATE_PER_SEC = 1000;
const BURST = 2000;
/** Bad messages a client may send before it is cut off. */
const MAX_BAD = 100;

/**
 * What one client may send: a token bucket against floods (a TTS engine may send seconds of audio
 * at once, so bursts are allowed) and an allowance of bad messages. Each check returns why the
 * socket must close, or null.
 */
export class InputLimits {
  private tokens = BURST;
  private refilledAt = performance.now();
  bad = 0;
  lastBad: string | null = null;

  admit(now: number): string | null {
    this.tokens = Math.min(BURST, this.tokens + ((now - this.refilledAt) * RATE_PER_SEC) / 1000) - 1;
    this.refilledAt = now;
    return this.tokens < 0 ? `message flood: more than ${RATE_PER_SEC} messages a second` : null;
  }

  strike(reason: string): string | null {
    this.bad++;
    this.lastBad = reason;
    return this.bad > MAX_BAD ? `too many bad messages; last: ${reason}` : null;
  }
}
