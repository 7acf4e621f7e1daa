import { type NextFunction, type Request, type Response, Router } from 'express';
import type { Callsim } from '../app.js';

export const adminError = (res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}) =>
  res.status(status).json({ error: { code, message, ...extra } });

import { isLoopback, tokenMatches } from './health.js';

/** Loopback only, unless an admin token is set: then the token, from anywhere. */
export function adminGate(sim: Callsim) {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = sim.options.adminToken;
    if (token) {
      if (!tokenMatches(req.headers.authorization, token))
        return adminError(res, 401, 'unauthorized', 'The admin API needs Authorization: Bearer <admin token>');
      return next();
    }
    if (!isLoopback(req.socket.remoteAddress))
      return adminError(res, 403, 'forbidden', 'The admin API answers on loopback only; start callsim with --admin-token to open it');
    next();
  };
}

/** health, reset, clock. */
export function basicsRouter(sim: Callsim): Router {
  const r = Router();
  r.get('/health', (_req, res) => {
    res.json({ status: 'ok', vendors: sim.runtimes.map((v) => v.adapter.name), clock: sim.world.clock.mode, seed: sim.seed });
  });
  r.post('/reset', (_req, res) => {
    sim.reset();
    res.json({ status: 'reset', now: new Date(sim.world.now()).toISOString() });
  });
  r.get('/clock', (_req, res) => {
    const w = sim.world;
    res.json({
      mode: w.clock.mode,
      now: new Date(w.now()).toISOString(),
      nowMs: w.now(),
      speed: sim.options.clock === 'real' ? sim.options.speed : null,
      pending: w.scheduler.size(),
      nextAt: w.scheduler.nextAt() !== undefined ? new Date(w.scheduler.nextAt()!).toISOString() : null,
    });
  });
  r.post('/clock/advance', async (req, res) => {
    const ms = req.body?.ms;
    if (sim.world.clock.mode !== 'virtual') {
      return adminError(res, 409, 'real_clock', 'The clock is real (--clock real); advancing needs --clock virtual (CALLSIM_CLOCK=virtual)');
    }
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 366 * 86_400_000) {
      return adminError(res, 400, 'invalid_ms', 'ms must be a number of milliseconds from 0 to 31622400000 (one year)');
    }
    const out = await sim.world.scheduler.advance(Math.floor(ms));
    res.json({ mode: 'virtual', now: new Date(out.now).toISOString(), nowMs: out.now, ran: out.ran, pending: sim.world.scheduler.size() });
  });
  return r;
}
