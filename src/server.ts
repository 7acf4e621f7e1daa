import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Callsim } from './app.js';
import type { CallsimOptions } from './config.js';
import { sendSimResponse, toSimRequest } from './transport/http.js';
import { adminError, adminGate, basicsRouter } from './admin/basics.js';
import { recordingsRouter } from './admin/recordings.js';
import { webhooksRouter } from './admin/webhooks.js';
import { inboundRouter } from './admin/inbound.js';
import { configRouter } from './admin/config.js';
import { checkoutRouter, stateRouter } from './admin/state.js';
import { attachMedia, mediaAdminRouter, type MediaHandle } from './media/index.js';
import { dashboardRouter, eventsRouter } from './dashboard/index.js';
import { callsRouter } from './admin/calls.js';

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
 */
export function createHttpServer(sim: Callsim): http.Server {
  const byPrefix = sim.runtimes.map((r) => ({ prefix: r.adapter.prefix, runtime: r }));
  const admin = express();
  admin.disable('x-powered-by');
  admin.set('query parser', 'simple');
  admin.use('/__sim/recordings', recordingsRouter(sim));
  admin.use('/__sim/checkout', express.urlencoded({ extended: false }), checkoutRouter(sim));
  admin.use('/__sim', adminGate(sim), express.json({ limit: '16mb', type: () => true }));
  admin.use('/__sim', basicsRouter(sim), webhooksRouter(sim), inboundRouter(sim), configRouter(sim), stateRouter(sim), callsRouter(sim), mediaAdminRouter(sim), eventsRouter(sim));
  admin.use('/', dashboardRouter(sim));
  admin.use('/__sim', (req, res) => adminError(res, 404, 'not_found', `No admin route ${req.method} ${req.path}`));
  admin.use((req, res) => adminError(res, 404, 'not_found', `Nothing at ${req.path}; vendor APIs live under ${byPrefix.map((v) => v.prefix).join(', ')}`));
  admin.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    adminError(res, status, err.type === 'entity.parse.failed' ? 'malformed_json' : status === 413 ? 'payload_too_large' : 'error', err.message);
  });

  return http.createServer(async (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    for (const { prefix, runtime } of byPrefix) {
      if (path === prefix || path.startsWith(prefix + '/')) {
        const simReq = await toSimRequest(req, path.slice(prefix.length) || '/', q === -1 ? '' : url.slice(q + 1));
        const outcome = await sim.handle(runtime, simReq);
        const out = outcome.response;
        const send = () => sendSimResponse(res, out, { head: req.method === 'HEAD', close: simReq.aborted });
        if (out.delayMs) setTimeout(send, out.delayMs);
        else send();
        return;
      }
    }
    admin(req, res);
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
    sim, server, url, media,
    close: async () => {
      await media.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      sim.world.scheduler.stop();
    },
  };
}
