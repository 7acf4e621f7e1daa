import type http from 'node:http';
import type { SimRequest, SimResponse } from '../contract/types.js';
import type { AnySurface } from './surface.js';
import { sendSimResponse, toSimRequest } from './transport.js';

/** An answer that is not served from a spec (the dashboard's static files). */
export interface RawRoute {
  matches(method: string, path: string): boolean;
  serve(req: http.IncomingMessage, res: http.ServerResponse): void;
}

export interface ListenerOptions {
  surfaces: AnySurface[];
  raw: RawRoute[];
  /** Runs one request through its surface's pipeline (the caller adds journal and listeners); a promise only when the handler answers with one. */
  run(surface: AnySurface, req: SimRequest): SimResponse | Promise<SimResponse>;
  /** Answers a path no surface or raw route claims. */
  fallback(req: SimRequest): SimResponse;
}

/**
 * node:http straight into the engine: raw routes first, then the surface whose prefix owns the
 * path (longest prefix wins), else the fallback. Every request gets an answer, never a hung socket.
 */
export function requestListener(o: ListenerOptions): http.RequestListener {
  const surfaces = [...o.surfaces].sort((a, b) => b.prefix.length - a.prefix.length);
  const unanswered = (req: http.IncomingMessage, res: http.ServerResponse, err: Error) => {
    process.emitWarning(`callsim: unanswered request ${req.method} ${req.url}: ${err?.stack ?? err}`);
    if (res.headersSent) return void res.destroy();
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'internal_error', message: 'Internal simulator error' } }));
  };
  // Promise-free unless a handler answers with a promise: every hop saved is saved on every request.
  const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
    let url = req.url ?? '/';
    // HTTP/1.1 servers must accept the absolute form (`GET http://host/path`), as proxies send it.
    // The path is taken as sent (no dot-segment folding), exactly as for the origin form.
    if (url[0] !== '/' && /^https?:\/\//i.test(url)) url = req.url = url.replace(/^https?:\/\/[^/?#]*/i, '') || '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const search = q === -1 ? '' : url.slice(q + 1);
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = o.raw.find((r) => r.matches(method, path));
    if (raw) return raw.serve(req, res);
    const surface = surfaces.find((s) => path === s.prefix || path.startsWith(`${s.prefix}/`));
    const routed = surface?.routeBelowPrefix ? path.slice(surface.prefix.length) || '/' : path;
    toSimRequest(req, routed, search, surface?.bodyLimit ?? 0, (simReq) => {
      const send = (out: SimResponse) => {
        const write = () => sendSimResponse(res, out, { head: method === 'HEAD', close: simReq.aborted });
        if (out.delayMs) setTimeout(write, out.delayMs);
        else write();
      };
      try {
        const out = surface ? o.run(surface, simReq) : o.fallback(simReq);
        if (out instanceof Promise) out.then(send).catch((err: Error) => unanswered(req, res, err));
        else send(out);
      } catch (err) {
        unanswered(req, res, err as Error);
      }
    });
  };
  return boundPerConnection((req, res) => {
    try {
      serve(req, res);
    } catch (err) {
      unanswered(req, res, err as Error);
    }
  });
}

/** Requests of one connection worked on at once: later pipelined ones wait until an answer has gone out. */
const MAX_IN_FLIGHT_PER_CONNECTION = 16;
/** Pipelined requests one connection may have waiting; past it the connection is closed. */
const MAX_WAITING_PER_CONNECTION = 1024;

interface ConnectionLoad {
  active: number;
  waiting: Array<() => void>;
}

/**
 * A client that pipelines and never reads must not make the server buffer without bound: each
 * connection gets a few requests worked on at a time (an answer the client does not read holds its
 * slot until it has gone out), the rest wait unworked, and a connection that piles up more than
 * MAX_WAITING_PER_CONNECTION is closed. Other clients are served meanwhile.
 */
function boundPerConnection(handle: (req: http.IncomingMessage, res: http.ServerResponse) => unknown): http.RequestListener {
  const loads = new WeakMap<object, ConnectionLoad>();
  return (req, res) => {
    const socket = req.socket;
    let load = loads.get(socket);
    if (!load) loads.set(socket, (load = { active: 0, waiting: [] }));
    const current = load;
    const start = () => {
      current.active++;
      res.once('close', () => {
        current.active--;
        current.waiting.shift()?.();
      });
      handle(req, res);
    };
    if (current.active < MAX_IN_FLIGHT_PER_CONNECTION) return start();
    if (current.waiting.length >= MAX_WAITING_PER_CONNECTION) {
      socket.destroy();
      return;
    }
    current.waiting.push(start);
  };
}
