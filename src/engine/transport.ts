import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Query, SimRequest, SimResponse } from '../contract/types.js';

/** Past this multiple of a surface's limit we stop reading and close: a client streaming gigabytes gets no more of our time. */
const HARD_FACTOR = 16;

function parseQuery(search: string): Query {
  const q: Query = {};
  if (!search) return q;
  for (const [k, v] of new URLSearchParams(search)) {
    const prev = q[k];
    if (prev === undefined) q[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else q[k] = [prev, v];
  }
  return q;
}

/** Reads the body up to `limit`; a larger one is flagged (413), not buffered. */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean; aborted: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const hard = limit * HARD_FACTOR;
    if (Number(req.headers['content-length'] ?? 0) > hard) {
      resolve({ body: Buffer.alloc(0), tooLarge: true, aborted: true });
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        if (size > hard) {
          req.pause();
          resolve({ body: Buffer.alloc(0), tooLarge: true, aborted: true });
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge, aborted: false }));
    req.on('error', () => resolve({ body: Buffer.alloc(0), tooLarge, aborted: true }));
  });
}

/** The transport-free request for one surface: `path` as the surface routes it. */
export async function toSimRequest(req: IncomingMessage, path: string, search: string, limit: number): Promise<SimRequest & { aborted: boolean }> {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const { body, tooLarge, aborted } = hasBody ? await readBody(req, limit) : { body: undefined, tooLarge: false, aborted: false };
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path,
    query: parseQuery(search),
    headers: req.headers,
    body,
    bodyTooLarge: tooLarge,
    remote: req.socket.remoteAddress,
    aborted,
  };
}

export function sendSimResponse(res: ServerResponse, out: SimResponse, opts: { head?: boolean; close?: boolean } = {}): void {
  if (out.drop) {
    res.socket?.destroy();
    return;
  }
  const headers: Record<string, string | number> = { ...out.headers };
  if (opts.close) headers.connection = 'close';
  if (out.body instanceof Readable) {
    const stream = out.body;
    // A body a handler streams may say its length itself (a recording); otherwise it is chunked.
    res.writeHead(out.status, headers);
    if (opts.head) {
      stream.destroy();
      res.end();
      return;
    }
    // A client that goes away takes its stream with it (an event stream, a recording being rendered).
    res.on('close', () => stream.destroy());
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    return;
  }
  let payload: Buffer | string | undefined;
  if (Buffer.isBuffer(out.body)) payload = out.body;
  else if (out.body !== undefined && out.status !== 204) {
    payload = out.stringify ? out.stringify(out.body) : JSON.stringify(out.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  headers['content-length'] = payload ? Buffer.byteLength(payload) : 0;
  res.writeHead(out.status, headers);
  res.end(opts.head ? undefined : payload);
}
