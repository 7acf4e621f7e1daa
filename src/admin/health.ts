import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

const digest = (s: string) => createHash('sha256').update(s).digest();
/** Constant-time check of `Authorization: Bearer <token>`. */
export const tokenMatches = (header: string | undefined, token: string): boolean => timingSafeEqual(digest(header ?? ''), digest(`Bearer ${token}`));

import type { Callsim } from '../app.js';

export const isLoopback = (addr: string | undefined) => !!addr && (addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.'));

/** `GET /__sim/health` without express, under the same gate as the rest of the admin API. */
export function fastHealth(sim: Callsim, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (req.method !== 'GET' || (req.url !== '/__sim/health' && !req.url?.startsWith('/__sim/health?'))) return false;
  const token = sim.options.adminToken;
  if (token ? !tokenMatches(req.headers.authorization, token) : !isLoopback(req.socket.remoteAddress)) return false;
  const body = JSON.stringify({ status: 'ok', vendors: sim.runtimes.map((v) => v.adapter.name), clock: sim.world.clock.mode, seed: sim.seed });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return true;
}
