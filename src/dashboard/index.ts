import { existsSync } from 'node:fs';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { adminError } from '../admin/basics.js';
import type { Callsim } from '../app.js';
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

/** The page and its assets, at `/`. */
export function dashboardRouter(_sim: Callsim): Router {
  const r = Router();
  const dir = assetsDir();
  r.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.setHeader('content-security-policy', CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  });
  r.get(['/', '/index.html'], (_req, res) => {
    // A build or package that left the page out gets told so, not a bare 404.
    if (!existsSync(join(dir, 'index.html'))) return adminError(res, 500, 'dashboard_missing', `The dashboard's files are missing (looked in ${dir})`);
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(join(dir, 'index.html'));
  });
  // no-cache, not max-age: after an upgrade the page must never mix old and new modules.
  r.use(
    '/assets',
    express.static(dir, { index: false, redirect: false, cacheControl: false, setHeaders: (res) => res.setHeader('cache-control', 'no-cache') }),
  );
  return r;
}

/** The live event stream the page listens to, mounted under `/__sim`, plus the two views it reads. */
export function eventsRouter(sim: Callsim): Router {
  const r = Router();
  const hub = hubFor(sim);
  sim.shutdownListeners.push(() => hub.closeAll());
  r.get('/events', (req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // The socket goes with the stream: a kept-alive idle socket would hold server.close() up again.
      connection: 'close',
      // Proxies (nginx) would otherwise hold events back to fill a buffer.
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    // Node sets `server` on the sockets it accepts; the hub ends the stream once it stops listening.
    const server = (req.socket as unknown as { server?: Server }).server;
    hub.add(res, server);
  });
  r.get('/dashboard/calls/:id', (req, res) => {
    const call = sim.world.findCall(req.params.id);
    if (!call) return adminError(res, 404, 'not_found', `No call ${req.params.id}`);
    res.json(callPageJson(sim, call));
  });
  r.get('/dashboard/meta', (_req, res) => res.json(metaJson(sim)));
  return r;
}

/** Ends every open event stream, so a server can close while dashboards are open. */
export function closeEventStreams(sim: Callsim): void {
  hubFor(sim).closeAll();
}
