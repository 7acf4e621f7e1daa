import type { RawData } from 'ws';
import { decodeBase64 } from './codec.js';
import { DTMF_DIGIT } from './tones.js';

/**
 * Twilio Media Streams messages. callsim → client: connected (event, protocol and version only, as
 * Twilio sends it), then start, media, mark, dtmf and stop, each with a string `sequenceNumber`
 * counting from "1" as on Twilio. client →
 * callsim: media, mark, clear (bidirectional streams), plus dtmf, which a carrier would send as
 * key presses. Outgoing messages are built as strings: at 1,000 streams this is the hot path.
 */
export type Track = 'inbound' | 'outbound';

export interface StartInfo {
  streamSid: string;
  accountSid: string;
  callSid: string;
  tracks: Track[];
  customParameters: Record<string, string>;
}

const q = JSON.stringify;

export const connectedMsg = (): string => '{"event":"connected","protocol":"Call","version":"1.0.0"}';

export const startMsg = (seq: number, s: StartInfo): string =>
  q({
    event: 'start',
    sequenceNumber: String(seq),
    start: {
      streamSid: s.streamSid,
      accountSid: s.accountSid,
      callSid: s.callSid,
      tracks: s.tracks,
      customParameters: s.customParameters,
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
    streamSid: s.streamSid,
  });

export const mediaMsg = (seq: number, sid: string, track: Track, chunk: number, timestamp: number, payload: string): string =>
  `{"event":"media","sequenceNumber":"${seq}","media":{"track":"${track}","chunk":"${chunk}","timestamp":"${timestamp}","payload":"${payload}"},"streamSid":"${sid}"}`;

export const markMsg = (seq: number, sid: string, name: string): string => q({ event: 'mark', sequenceNumber: String(seq), streamSid: sid, mark: { name } });

export const dtmfMsg = (seq: number, sid: string, digit: string): string =>
  q({ event: 'dtmf', sequenceNumber: String(seq), streamSid: sid, dtmf: { track: 'inbound_track', digit } });

export const stopMsg = (seq: number, s: StartInfo): string =>
  q({ event: 'stop', sequenceNumber: String(seq), streamSid: s.streamSid, stop: { accountSid: s.accountSid, callSid: s.callSid } });

/**
 * Unmasked WebSocket text frames (RFC 6455 §5.2, as a server sends them) for ASCII messages, in
 * one buffer: a listener's frame of both tracks then costs one socket write. Media messages are
 * ASCII by construction (JSON keys, digits, hex, base64).
 */
export function textFrames(texts: readonly string[]): Buffer {
  let size = 0;
  for (const t of texts) size += t.length + (t.length < 126 ? 2 : t.length < 65_536 ? 4 : 10);
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  for (const t of texts) {
    buf[off++] = 0x81;
    if (t.length < 126) buf[off++] = t.length;
    else if (t.length < 65_536) {
      buf[off++] = 126;
      buf.writeUInt16BE(t.length, off);
      off += 2;
    } else {
      buf[off++] = 127;
      buf.writeBigUInt64BE(BigInt(t.length), off);
      off += 8;
    }
    off += buf.write(t, off, 'latin1');
  }
  return buf;
}

export type ClientMsg = { event: 'media'; payload: Buffer } | { event: 'mark'; name: string } | { event: 'clear' } | { event: 'dtmf'; digits: string };

const MAX_MARK_NAME = 256;

/** A client message, or why it is ignored. Never throws, whatever arrives. */
export function parseClientMsg(data: RawData, isBinary: boolean, streamSid: string): ClientMsg | string {
  if (isBinary) return 'binary frames are not part of the protocol; send JSON text';
  let m: unknown;
  try {
    m = JSON.parse(data.toString());
  } catch {
    return 'not JSON';
  }
  if (!m || typeof m !== 'object' || Array.isArray(m)) return 'not a JSON object';
  const msg = m as Record<string, any>;
  if (msg.streamSid !== undefined && msg.streamSid !== streamSid) return `streamSid ${String(msg.streamSid).slice(0, 40)} is not this stream's`;
  switch (msg.event) {
    case 'media': {
      const payload = msg.media?.payload;
      if (typeof payload !== 'string' || !payload) return 'media.payload must be base64 μ-law audio';
      // Any length a carrier takes: what bounds a client is the audio it has queued (playout.ts).
      const bytes = decodeBase64(payload);
      if (!bytes) return 'media.payload is not valid base64';
      if (!bytes.length) return 'media.payload holds no audio';
      return { event: 'media', payload: bytes };
    }
    case 'mark': {
      const name = msg.mark?.name;
      if (typeof name !== 'string' || name.length > MAX_MARK_NAME) return `mark.name must be a string of at most ${MAX_MARK_NAME} characters`;
      return { event: 'mark', name };
    }
    case 'clear':
      return { event: 'clear' };
    case 'dtmf': {
      const digits = msg.dtmf?.digit ?? msg.dtmf?.digits;
      if (typeof digits !== 'string' || !digits || digits.length > 32 || ![...digits].every((d) => DTMF_DIGIT.test(d))) {
        return 'dtmf.digit must be 0-9, *, #, or A-D';
      }
      return { event: 'dtmf', digits };
    }
    default:
      return `unknown event ${JSON.stringify(String(msg.event)).slice(0, 40)}`;
  }
}
