import type http from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Callsim } from '../app.js';
import { dashboardRouter, eventsRouter } from '../dashboard/index.js';
import { mediaAdminRouter } from '../media/index.js';
import { adminError, adminGate, basicsRouter } from './basics.js';
import { callsRouter } from './calls.js';
import { configRouter } from './config.js';
import { inboundRouter } from './inbound.js';
import { recordingsRouter } from './recordings.js';
import { checkoutRouter, stateRouter } from './state.js';
import { webhooksRouter } from './webhooks.js';

/** Everything that is not vendor traffic: the /__sim admin API, signed links, the dashboard. */
export function createAdminApp(sim: Callsim): http.RequestListener {
  const admin = express();
  admin.disable('x-powered-by');
  admin.set('query parser', 'simple');
  admin.use('/__sim/recordings', recordingsRouter(sim));
  admin.use('/__sim/checkout', express.urlencoded({ extended: false }), checkoutRouter(sim));
  admin.use('/__sim', adminGate(sim), express.json({ limit: '16mb', type: () => true }));
  admin.use(
    '/__sim',
    basicsRouter(sim),
    webhooksRouter(sim),
    inboundRouter(sim),
    configRouter(sim),
    stateRouter(sim),
    callsRouter(sim),
    mediaAdminRouter(sim),
    eventsRouter(sim),
  );
  admin.use('/', dashboardRouter(sim));
  admin.use('/__sim', (req, res) => adminError(res, 404, 'not_found', `No admin route ${req.method} ${req.path}`));
  admin.use((req, res) =>
    adminError(res, 404, 'not_found', `Nothing at ${req.path}; vendor APIs live under ${sim.runtimes.map((v) => v.adapter.prefix).join(', ')}`),
  );
  admin.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    const code =
      err.type === 'entity.parse.failed'
        ? 'malformed_json'
        : status === 413
          ? 'payload_too_large'
          : status === 415
            ? 'unsupported_media_type'
            : status === 400
              ? 'bad_request'
              : 'error';
    adminError(res, status, code, err.message);
  });
  return admin as unknown as http.RequestListener;
}
