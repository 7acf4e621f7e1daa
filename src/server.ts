import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminError } from './admin/errors.js';
import { Callsim } from './app.js';
import type { CallsimOptions, OptionsInput } from './config.js';
import { dashboardRoute } from './dashboard/index.js';
import { requestListener } from './engine/listener.js';
import { attachMedia, type MediaHandle } from './media/index.js';
import type { VendorAdapter } from './vendors/types.js';

export interface RunningServer {
  sim: Callsim;
  server: http.Server;
  media: MediaHandle;
  url: string;
  close(): Promise<void>;
}

/**
 * One server, one port, one engine: node:http hands every request straight to the surface whose
 * prefix owns it (a vendor's API, the admin API), the dashboard's static files to their raw route.
 */
export function createHttpServer(sim: Callsim): http.Server {
  return http.createServer(
    requestListener({
      surfaces: sim.surfaces,
      raw: [dashboardRoute(sim), ...sim.vendors.flatMap((v) => v.adapter.raw ?? [])],
      run: (surface, req) => {
        const outcome = sim.handle(surface, req);
        return outcome instanceof Promise ? outcome.then((o) => o.response) : outcome.response;
      },
      fallback: (req) =>
        adminError({
          kind: 'not_found',
          message: `Nothing at ${req.path.slice(0, 200)}; vendor APIs live under ${sim.vendors.map((v) => v.prefix).join(', ')}`,
        }),
    }),
  );
}

/**
 * Limits suited to a local server: a client that trickles its headers or body, or holds idle
 * connections, gets cut off in seconds (Node's defaults would wait 5 minutes); the connection cap
 * leaves room for a load rehearsal's thousands of media streams.
 */
function applyLimits(server: http.Server, l: CallsimOptions['limits']): void {
  server.headersTimeout = l.headersTimeoutMs;
  server.requestTimeout = l.requestTimeoutMs;
  server.keepAliveTimeout = l.keepAliveTimeoutMs;
  server.maxConnections = l.maxConnections;
  // How often Node checks the two timeouts above; its default (30 s) would let a trickle run past them.
  (server as http.Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1000, l.headersTimeoutMs);
}

/** How long close() lets answers still being sent finish before it cuts their connections. */
const CLOSE_GRACE_MS = 2000;

export async function startServer(opts: OptionsInput = {}, deps: { adapters?: VendorAdapter[] } = {}): Promise<RunningServer> {
  const sim = new Callsim(opts, deps);
  // Loaded only when asked for: a single process never loads the cluster or its Redis client.
  const cluster = sim.options.cluster ? await import('./cluster/index.js') : undefined;
  const refused = cluster?.clusterRefusal(sim.options);
  if (refused) throw new Error(`--cluster: ${refused}`);
  await sim.mountSpecs();
  const server = createHttpServer(sim);
  applyLimits(server, sim.options.limits);
  const media = attachMedia(server, sim);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(sim.options.port, sim.options.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${addr.port}`;
  sim.baseUrl = url;
  const node =
    cluster && sim.options.cluster
      ? await cluster.joinCluster(sim, server, sim.options.cluster).catch((err: Error) => {
          server.close();
          sim.world.scheduler.stop();
          throw err;
        })
      : undefined;
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
        // A client that never reads its answer (a recording, an event stream) must not hold close() forever.
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      });
      sim.world.scheduler.stop();
      await node?.close();
    },
  };
}
