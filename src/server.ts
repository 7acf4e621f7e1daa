import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminError } from './admin/errors.js';
import { Callsim } from './app.js';
import type { OptionsInput } from './config.js';
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
      run: async (surface, req) => (await sim.handle(surface, req)).response,
      fallback: (req) =>
        adminError({
          kind: 'not_found',
          message: `Nothing at ${req.path.slice(0, 200)}; vendor APIs live under ${sim.vendors.map((v) => v.prefix).join(', ')}`,
        }),
    }),
  );
}

export async function startServer(opts: OptionsInput = {}, deps: { adapters?: VendorAdapter[] } = {}): Promise<RunningServer> {
  const sim = new Callsim(opts, deps);
  await sim.mountSpecs();
  const server = createHttpServer(sim);
  server.keepAliveTimeout = 65_000;
  const media = attachMedia(server, sim);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(sim.options.port, sim.options.host, () => resolve());
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
