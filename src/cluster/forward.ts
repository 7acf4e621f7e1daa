import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';

/** Marks a request one process forwarded to another: it is answered where it lands, never sent on again. */
export const FORWARDED = 'x-callsim-forwarded';

/** Hop-by-hop headers (RFC 9110 §7.6.1): each connection's own, so neither passed on nor back. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

const endToEnd = (headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP.has(k))) as http.OutgoingHttpHeaders;

/**
 * A plain HTTP proxy of one request to the process that owns it: the same method, path and query,
 * headers and body; the owner's status, headers and body back, as they come. `body`: the body when
 * it was read already (to find the owner), else the request is streamed.
 */
export function forwardRequest(req: http.IncomingMessage, res: http.ServerResponse, target: string, from: number, body?: Buffer): void {
  const url = new URL(target);
  const headers = endToEnd(req.headers);
  headers[FORWARDED] = String(from);
  if (body) headers['content-length'] = body.length;
  const up = http.request({ host: url.hostname, port: url.port, method: req.method, path: req.url, headers, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
    answer.pipe(res);
    // The client went away: so does the owner's answer (an event stream, a recording).
    res.on('close', () => answer.destroy());
  });
  up.on('error', (err) => {
    if (res.headersSent) return void res.destroy();
    const text = JSON.stringify({
      error: { code: 'owner_unreachable', message: `The callsim process that owns this (${target}) did not answer: ${err.message}` },
    });
    res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  if (body) up.end(body);
  else req.pipe(up);
}

/**
 * A WebSocket upgrade (a media stream) tunnelled to the owner as bytes: the request head as it came,
 * then both directions piped, so the owner speaks to the client directly.
 */
export function forwardUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, target: string, from: number): void {
  const url = new URL(target);
  const up = net.connect(Number(url.port), url.hostname, () => {
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    lines.push(`${FORWARDED}: ${from}`);
    up.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) up.write(head);
    socket.pipe(up);
    up.pipe(socket);
  });
  up.on('error', () => socket.destroy());
  socket.on('error', () => up.destroy());
  socket.on('close', () => up.destroy());
  up.on('close', () => socket.destroy());
}
