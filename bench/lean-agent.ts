/**
 * The agent a load-run benchmark dials, as lean as a WebSocket server can be: the handshake and
 * RFC 6455 frames by hand over `net`, and a `media` frame recognised from its first bytes without
 * unmasking or parsing the rest. The benchmark's agent shares the machine's two cores with the
 * server it measures; a full WebSocket stack spent a third of a core on 50,000 frames a second
 * that the figures would then blame on callsim.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { textFrames } from '../src/media/protocol.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** `{"event":"media"` — the first 16 bytes of every media message callsim sends. */
const MEDIA_HEAD = Buffer.from('{"event":"media"');

export interface LeanConn {
  send(msg: unknown): void;
  close(): void;
}

export interface LeanHandlers {
  /** A `media` frame arrived (its content is not looked at). */
  media(c: LeanConn, now: number): void;
  /** Any other message, parsed. */
  message(c: LeanConn, msg: any, now: number): void;
}

export async function leanAgent(h: LeanHandlers): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buf: Buffer = Buffer.alloc(0);
    let open = false;
    const head = Buffer.alloc(16);
    const c: LeanConn = {
      send: (msg) => socket.write(textFrames([JSON.stringify(msg)])),
      close: () => socket.end(Buffer.from([0x88, 0x02, 0x03, 0xe8])),
    };
    socket.on('data', (chunk: Buffer) => {
      const now = performance.now();
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (!open) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const key = /sec-websocket-key:\s*(\S+)/i.exec(buf.toString('latin1', 0, end))?.[1] ?? '';
        const accept = createHash('sha1')
          .update(key + GUID)
          .digest('base64');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        open = true;
        buf = buf.subarray(end + 4);
      }
      let off = 0;
      while (buf.length - off >= 2) {
        const opcode = buf[off] & 0x0f;
        let len = buf[off + 1] & 0x7f;
        let p = off + 2;
        if (len === 126) {
          if (buf.length - p < 2) break;
          len = buf.readUInt16BE(p);
          p += 2;
        } else if (len === 127) {
          if (buf.length - p < 8) break;
          len = Number(buf.readBigUInt64BE(p));
          p += 8;
        }
        if (buf.length - p < 4 + len) break;
        const mask = buf.subarray(p, p + 4);
        const payload = buf.subarray(p + 4, p + 4 + len);
        off = p + 4 + len;
        if (opcode === 0x8) {
          socket.end(Buffer.from([0x88, 0x00]));
          return;
        }
        if (opcode !== 0x1) continue;
        for (let i = 0; i < 16 && i < len; i++) head[i] = payload[i] ^ mask[i & 3];
        if (len > 16 && head.equals(MEDIA_HEAD)) {
          h.media(c, now);
          continue;
        }
        const text = Buffer.allocUnsafe(len);
        for (let i = 0; i < len; i++) text[i] = payload[i] ^ mask[i & 3];
        h.message(c, JSON.parse(text.toString()), now);
      }
      buf = off < buf.length ? Buffer.from(buf.subarray(off)) : Buffer.alloc(0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
