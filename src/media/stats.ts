import type { Callsim } from '../app.js';
import type { Call } from '../sim/types.js';
import { settingsFor } from './conditions.js';
import type { MediaHub } from './hub.js';
import { type CallMedia, peekCallMedia } from './info.js';
import type { Session } from './session.js';
import type { CallerReport } from './verdict.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** One stream as the admin API shows it; kept with its call, as it stood, once it closes. */
export function sessionJson(s: Session) {
  const agent = s.role === 'agent' && s.live?.agent === s;
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
    underruns: agent ? s.live!.playout.underruns : 0,
    closedAt: s.closed ? iso(s.closed.at) : null,
    closeCode: s.closed?.code ?? null,
    closeReason: s.closed?.reason ?? null,
  };
}

function percentile(sorted: number[], p: number): number | null {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null;
}

/** GET /__sim/calls/{id}/media: everything the audio loop knows about one call, also after it ended. */
export function callMediaJson(sim: Callsim, hub: MediaHub, call: Call) {
  const info = peekCallMedia(call);
  const turns = info?.log?.latencies ?? [];
  const ms = turns.map((t) => t.latencyMs).sort((a, b) => a - b);
  const live = hub.lives.get(call.id);
  const open = [...hub.sessions].filter((s) => s.call === call).map(sessionJson);
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
      underruns: info?.underruns ?? 0,
      underrunMs: info?.underrunMs ?? 0,
    },
    sessions: [...(info?.closedSessions ?? []), ...open],
    caller: callerJson(info),
    callerError: info?.callerError ?? null,
  };
}

/** A simulated caller's report: as it stands while the call runs, its final one once it ended. */
export function callerJson(info: CallMedia | undefined): CallerReport | null {
  const c = info?.caller;
  if (!c) return null;
  return 'report' in c ? c.report(null, info!.underruns, info!.underrunMs) : c;
}
