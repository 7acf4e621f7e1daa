import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Query, SimRequest, SimResponse } from '../contract/types.js';

export const BODY_LIMIT = 1024 * 1024;
/** Past this much we stop reading and close: a client streaming gigabytes gets no more of our time. */
const HARD_LIMIT = 16 * BODY_LIMIT;

export function parseQuery(search: string): Query {
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

/** Reads the body up to the limit; a larger one is flagged (413), not buffered. */
export function readBody(req: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean; aborted: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > HARD_LIMIT) {
      resolve({ body: Buffer.alloc(0), tooLarge: true, aborted: true });
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        tooLarge = true;
        chunks.length = 0;
        if (size > HARD_LIMIT) {
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

export async function toSimRequest(req: IncomingMessage, pathBelowPrefix: string, search: string): Promise<SimRequest & { aborted: boolean }> {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const { body, tooLarge, aborted } = hasBody ? await readBody(req) : { body: undefined, tooLarge: false, aborted: false };
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: pathBelowPrefix,
    query: parseQuery(search),
    headers: req.headers,
    body,
    bodyTooLarge: tooLarge,
    aborted,
  };
}

export function sendSimResponse(res: ServerResponse, out: SimResponse, opts: { head?: boolean; close?: boolean } = {}): void {
  if (out.drop) {
    res.socket?.destroy();
    return;
  }
  const headers: Record<string, string | number> = { ...out.headers };
  let payload: Buffer | string | undefined;
  if (Buffer.isBuffer(out.body)) payload = out.body;
  else if (out.body !== undefined && out.status !== 204) {
    payload = JSON.stringify(out.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  headers['content-length'] = payload ? Buffer.byteLength(payload) : 0;
  if (opts.close) headers.connection = 'close';
  res.writeHead(out.status, headers);
  res.end(opts.head ? undefined : payload);
}
