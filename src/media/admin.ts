import { type Response, Router } from 'express';
import type { Callsim } from '../app.js';
import { parseSettings, settingsFor } from './conditions.js';
import type { MediaHub } from './hub.js';
import { callMediaJson, sessionJson } from './stats.js';

const fail = (res: Response, status: number, code: string, message: string) => res.status(status).json({ error: { code, message } });

/** Mounted under /__sim behind the admin gate. */
export function mediaRoutes(sim: Callsim, hub: () => MediaHub): Router {
  const r = Router();
  r.get('/media/sessions', (_req, res) => {
    const h = hub();
    res.json({ data: [...h.sessions].map(sessionJson), total: h.sessions.size, engines: h.lives.size, pacer: h.pacer.summary() });
  });
  r.get('/calls/:id/media', (req, res) => {
    const call = sim.world.findCall(req.params.id);
    if (!call) return fail(res, 404, 'not_found', `No call ${req.params.id}`);
    res.json(callMediaJson(sim, hub(), call));
  });
  r.put('/calls/:id/media', (req, res) => {
    const call = sim.world.findCall(req.params.id);
    if (!call) return fail(res, 404, 'not_found', `No call ${req.params.id}`);
    const body = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return fail(res, 400, 'invalid_conditions', 'Send a JSON object of conditions');
    const unknown = Object.keys(body).filter((k) => !(k in settingsFor(sim, call)));
    if (unknown.length)
      return fail(res, 400, 'invalid_conditions', `Unknown key(s) ${unknown.join(', ')}; known: ${Object.keys(settingsFor(sim, call)).join(', ')}`);
    const settings = parseSettings(body);
    if (typeof settings === 'string') return fail(res, 400, 'invalid_conditions', settings);
    Object.assign(call.media, settings);
    res.json(callMediaJson(sim, hub(), call));
  });
  return r;
}
