import { existsSync } from 'node:fs';
import type http from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type serveStaticType from 'serve-static';
import { adminError } from '../admin/errors.js';
import type { AdminHandlers } from '../admin/handlers/types.js';
import type { Callsim } from '../app.js';
import { fail } from '../engine/errors.js';
import { gateRefusal } from '../engine/gate.js';
import type { RawRoute } from '../engine/listener.js';
import { ok } from '../engine/respond.js';
import { PACKAGE_ROOT } from '../fixtures/index.js';
import { hubFor } from './hub.js';
import { callPageJson, metaJson } from './views.js';

/**
 * The page's files: next to this module (the source tree, or dist when a build copies them), else
 * the package's own src/dashboard/assets (an installed package that ships them under that path).
 */
export function assetsDir(): string {
  const local = fileURLToPath(new URL('./assets/', import.meta.url));
  return existsSync(join(local, 'index.html')) ? local : join(PACKAGE_ROOT, 'src', 'dashboard', 'assets');
}

/**
 * Everything the page may load or reach is this server: a browser refusing anything else makes "no
 * CDN, nothing from the internet" a rule the browser enforces, not just a habit of the code.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const send = (res: http.ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

/**
 * The page (`/`, `/index.html`) and its assets (`/assets/…`): static files, so a raw route, behind the
 * control plane's gate like the API the page calls (a page served to another site would be the
 * first step of DNS rebinding).
 */
export function dashboardRoute(sim: Callsim): RawRoute {
  const dir = assetsDir();
  let served: ReturnType<typeof serveStaticType> | undefined;
  // Loaded on the page's first request: serve-static and its dependencies cost ~40 ms of start-up.
  const assets: ReturnType<typeof serveStaticType> = (req, res, next) => {
    const serveStatic = createRequire(import.meta.url)('serve-static') as typeof serveStaticType;
    // no-cache, not max-age: after an upgrade the page must never mix old and new modules.
    served ??= serveStatic(dir, { index: false, redirect: false, cacheControl: false, setHeaders: (r) => r.setHeader('cache-control', 'no-cache') });
    return served(req, res, next);
  };
  return {
    matches: (method, path) => (method === 'GET' || method === 'HEAD') && (path === '/' || path === '/index.html' || path.startsWith('/assets/')),
    serve(req, res) {
      const refusal = gateRefusal(sim.gate, { remote: req.socket.remoteAddress, headers: req.headers });
      if (refusal) {
        const out = adminError(refusal);
        return send(res, out.status, out.body);
      }
      res.setHeader('content-security-policy', CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
      const path = (req.url ?? '/').split('?')[0];
      if (path.startsWith('/assets/')) {
        req.url = (req.url ?? '').slice('/assets'.length);
        return assets(req, res, () => send(res, 404, { error: { code: 'not_found', message: `No dashboard asset ${path}` } }));
      }
      // A build or package that left the page out gets told so, not a bare 404.
      if (!existsSync(join(dir, 'index.html')))
        return send(res, 500, { error: { code: 'dashboard_missing', message: `The dashboard's files are missing (looked in ${dir})` } });
      res.setHeader('cache-control', 'no-cache');
      req.url = '/index.html';
      assets(req, res, () => send(res, 404, { error: { code: 'not_found', message: 'No dashboard page' } }));
    },
  };
}

/** The live event stream the page listens to, and the two views it reads (specs/admin.yaml, tag Dashboard). */
export const dashboardHandlers = {
  streamEvents: ({ sim }) => {
    const out = new PassThrough();
    out.write('retry: 2000\n\n');
    hubFor(sim).add(out);
    return {
      status: 200,
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // The socket goes with the stream: a kept-alive idle socket would hold server.close() up again.
        connection: 'close',
        // Proxies (nginx) would otherwise hold events back to fill a buffer.
        'x-accel-buffering': 'no',
      },
      body: out,
    };
  },

  getDashboardCall: ({ sim, params }) => {
    const call = sim.world.findCall(params.id);
    if (!call) throw fail('not_found', `No call ${params.id}`);
    return ok(callPageJson(sim, call));
  },

  getDashboardMeta: ({ sim }) => ok(metaJson(sim)),
} satisfies Partial<AdminHandlers>;
