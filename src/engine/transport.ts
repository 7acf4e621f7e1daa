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

interface ReadBody {
  body: Buffer;
  tooLarge: boolean;
  aborted: boolean;
}

const EMPTY = Buffer.alloc(0);

/**
 * Reads the body up to `limit`, then calls `done` once; a larger one is flagged (413), not
 * buffered. Callbacks, not a promise: this runs for every request with a body.
 */
function readBody(req: IncomingMessage, limit: number, done: (r: ReadBody) => void): void {
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let size = 0;
  let tooLarge = false;
  let settled = false;
  const settle = (r: ReadBody) => {
    if (settled) return;
    settled = true;
    done(r);
  };
  const hard = limit * HARD_FACTOR;
  if (Number(req.headers['content-length'] ?? 0) > hard) return settle({ body: EMPTY, tooLarge: true, aborted: true });
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      tooLarge = true;
      first = chunks = undefined;
      if (size > hard) {
        req.pause();
        settle({ body: EMPTY, tooLarge: true, aborted: true });
      }
      return;
    }
    // Most bodies arrive in one chunk: no array, no copy.
    if (first === undefined && chunks === undefined) first = chunk;
    else (chunks ??= [first!]).push(chunk);
  });
  req.on('end', () => settle({ body: chunks ? Buffer.concat(chunks) : (first ?? EMPTY), tooLarge, aborted: false }));
  req.on('error', () => settle({ body: EMPTY, tooLarge, aborted: true }));
}

type Received = SimRequest & { aborted: boolean };

/**
 * The transport-free request for one surface (`path` as the surface routes it), handed to `next`:
 * at once for a request without a body, once the body is read otherwise.
 */
export function toSimRequest(req: IncomingMessage, path: string, search: string, limit: number, next: (r: Received) => void): void {
  const method = (req.method ?? 'GET').toUpperCase();
  const make = (body: Buffer | undefined, tooLarge: boolean, aborted: boolean): Received => ({
    method,
    path,
    query: parseQuery(search),
    headers: req.headers,
    body,
    bodyTooLarge: tooLarge,
    remote: req.socket.remoteAddress,
    aborted,
  });
  if (req.method === 'GET' || req.method === 'HEAD') return next(make(undefined, false, false));
  readBody(req, limit, (r) => next(make(r.body, r.tooLarge, r.aborted)));
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
