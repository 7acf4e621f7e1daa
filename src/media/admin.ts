import { type Response, Router } from 'express';
import type { Callsim } from '../app.js';
import type { Call } from '../sim/types.js';
import { parseSettings, settingsFor } from './conditions.js';
import type { MediaHub } from './hub.js';
import { peekCallMedia } from './info.js';
import type { Session } from './session.js';

const fail = (res: Response, status: number, code: string, message: string) => res.status(status).json({ error: { code, message } });
const iso = (ms: number) => new Date(ms).toISOString();

export function sessionJson(s: Session) {
  return {
    streamSid: s.streamSid,
    vendor: s.vendor,
    callId: s.call.id,
    role: s.role,
    origin: s.origin,
    state: s.state,
    tracks: s.tracks,
    openedAt: iso(s.openedAt),
    framesSent: s.stats.framesSent,
    framesDropped: s.stats.framesDropped,
    framesLost: s.stats.framesLost,
    queuedMessages: s.queued,
    bufferedBytes: s.bufferedBytes,
    messagesIn: s.stats.messagesIn,
    badMessages: s.limits.bad,
    lastBadMessage: s.limits.lastBad,
    marksEchoed: s.stats.marksEchoed,
  };
}

function percentile(sorted: number[], p: number): number | null {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null;
}

export function callMediaJson(sim: Callsim, hub: MediaHub, call: Call) {
  const info = peekCallMedia(call);
  const turns = info?.log?.latencies ?? [];
  const ms = turns.map((t) => t.latencyMs).sort((a, b) => a - b);
  const live = hub.lives.get(call.id);
  return {
    callId: call.id,
    vendor: sim.world.accounts.get(call.accountId)?.namespace ?? null,
    status: call.status,
    streamed: !!info?.mode,
    live: !!live && live.call === call && !live.ended,
    mode: info?.mode ?? null,
    startOffsetMs: info?.startOffsetMs ?? null,
    conditions: settingsFor(sim, call),
    callConditions: { ...call.media },
    turns,
    latency: {
      turns: ms.length,
      avgMs: ms.length ? Math.round(ms.reduce((a, b) => a + b, 0) / ms.length) : null,
      p50Ms: percentile(ms, 0.5),
      maxMs: ms.length ? ms[ms.length - 1] : null,
    },
    digitsHeard: info?.digitsHeard ?? '',
    dialUrl: info?.dialUrl ?? null,
    dialError: info?.dialError ?? null,
    stats: {
      streamsOpened: info?.streamsOpened ?? 0,
      agentFramesPlayed: info?.agentFramesPlayed ?? 0,
      agentFramesDropped: info?.agentFramesDropped ?? 0,
      agentFramesLost: info?.agentFramesLost ?? 0,
      marksEchoed: info?.marksEchoed ?? 0,
      clears: info?.clears ?? 0,
    },
    sessions: [...hub.sessions].filter((s) => s.call === call).map(sessionJson),
  };
}

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
