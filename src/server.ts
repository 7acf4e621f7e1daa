import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fastHealth } from './admin/health.js';
import { Callsim } from './app.js';
import type { CallsimOptions } from './config.js';
import { attachMedia, type MediaHandle } from './media/index.js';
import { sendSimResponse, toSimRequest } from './transport/http.js';

export interface RunningServer {
  sim: Callsim;
  server: http.Server;
  media: MediaHandle;
  url: string;
  close(): Promise<void>;
}

/**
 * One server, one port: vendor traffic goes straight from node:http into the transport-free
 * pipeline (express costs most of raw throughput); express serves the admin API and dashboard.
 * Express is loaded right after the port opens, not before: it is a seventh of the start-up time,
 * and health answers on the fast path meanwhile.
 */
export function createHttpServer(sim: Callsim): http.Server {
  const byPrefix = sim.runtimes.map((r) => ({ prefix: r.adapter.prefix, runtime: r }));
  let admin: Promise<http.RequestListener> | undefined;
  const loadAdmin = () => (admin ??= import('./admin/app.js').then((m) => m.createAdminApp(sim)));
  setImmediate(() => void loadAdmin());

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    let url = req.url ?? '/';
    // HTTP/1.1 servers must accept the absolute form (`GET http://host/path`), as proxies send it.
    // The path is taken as sent (no dot-segment folding), exactly as for the origin form.
    if (/^https?:\/\//i.test(url)) url = req.url = url.replace(/^https?:\/\/[^/?#]*/i, '') || '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    for (const { prefix, runtime } of byPrefix) {
      if (path === prefix || path.startsWith(`${prefix}/`)) {
        const simReq = await toSimRequest(req, path.slice(prefix.length) || '/', q === -1 ? '' : url.slice(q + 1));
        const outcome = await sim.handle(runtime, simReq);
        const out = outcome.response;
        const send = () => sendSimResponse(res, out, { head: req.method === 'HEAD', close: simReq.aborted });
        if (out.delayMs) setTimeout(send, out.delayMs);
        else send();
        return;
      }
    }
    if (fastHealth(sim, req, res)) return;
    (await loadAdmin())(req, res);
  };
  return http.createServer((req, res) => {
    // Last line of defence: whatever escaped the pipeline still gets an answer, never a hung socket.
    serve(req, res).catch((err: Error) => {
      process.emitWarning(`callsim: unanswered request ${req.method} ${req.url}: ${err?.stack ?? err}`);
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal_error', message: 'Internal simulator error' } }));
    });
  });
}

export async function startServer(opts: Partial<CallsimOptions> = {}): Promise<RunningServer> {
  const sim = new Callsim(opts);
  const server = createHttpServer(sim);
  server.keepAliveTimeout = 65_000;
  const media = attachMedia(server, sim);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? sim.options.port, opts.host ?? sim.options.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${addr.port}`;
  sim.baseUrl = url;
  return {
    sim,
    server,
    url,
    media,
    close: async () => {
      for (const l of sim.shutdownListeners) l();
      await media.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      sim.world.scheduler.stop();
    },
  };
}
