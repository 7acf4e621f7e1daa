import type { AdminHandlers } from '../admin/handlers/types.js';
import type { Callsim } from '../app.js';
import { fail } from '../engine/errors.js';
import { ok } from '../engine/respond.js';
import type { Call } from '../sim/types.js';
import { settingsFor } from './conditions.js';
import type { MediaHub } from './hub.js';
import { hubFor } from './index.js';
import { peekCallMedia } from './info.js';
import type { Session } from './session.js';

const iso = (ms: number) => new Date(ms).toISOString();

function sessionJson(s: Session) {
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

function callMediaJson(sim: Callsim, hub: MediaHub, call: Call) {
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

/** The media parts of the admin API (specs/admin.yaml, tag Media). */
export const mediaHandlers = {
  listMediaSessions: ({ sim }) => {
    const h = hubFor(sim);
    return ok({ data: [...h.sessions].map(sessionJson), total: h.sessions.size, engines: h.lives.size, pacer: h.pacer.summary() });
  },

  getCallMedia: ({ sim, params }) => {
    const call = sim.world.findCall(params.id);
    if (!call) throw fail('not_found', `No call ${params.id}`);
    return ok(callMediaJson(sim, hubFor(sim), call));
  },

  /** The spec states every key and bound; a call's own conditions override the server's from the next frame. */
  updateCallMedia: ({ sim, params, body }) => {
    const call = sim.world.findCall(params.id);
    if (!call) throw fail('not_found', `No call ${params.id}`);
    Object.assign(call.media, body);
    return ok(callMediaJson(sim, hubFor(sim), call));
  },
} satisfies Partial<AdminHandlers>;
