import type { Callsim } from '../app.js';
import { callMedia } from '../media/info.js';
import { type LiveEnding, liveOutcome } from '../media/outcome.js';
import { TurnLog } from '../media/turns.js';
import type { Call } from '../sim/types.js';
import type { StreamResult } from './messages.js';

/**
 * A worker's report of one call, folded into the call as a main-thread stream would have left it:
 * the media report (`GET /__sim/calls/{id}/media`: turns, caller report, counters, the stream as
 * it closed), the transcript and the live agent's summary and sentiment. Times move from the
 * stream's clock (0 = the stream started) to the call's (0 = answered).
 */
export function applyResult(sim: Callsim, call: Call, r: StreamResult, ending: LiveEnding, iso: (ms: number) => string): void {
  const info = callMedia(call);
  const offset = Math.round(r.connectMs);
  info.startOffsetMs = offset;
  const log = new TurnLog(r.transcript.map((t) => ({ ...t, offsetMs: t.offsetMs + offset })));
  for (const l of r.latencies) log.latencies.push({ ...l, calleeEndMs: l.calleeEndMs + offset, agentStartMs: l.agentStartMs + offset });
  info.log = log;
  info.digitsHeard = r.digitsHeard;
  const s = r.stats;
  Object.assign(info, {
    agentFramesPlayed: s.agentFramesPlayed,
    agentFramesDropped: s.agentFramesDropped,
    agentFramesLost: s.agentFramesLost,
    marksEchoed: s.marksEchoed,
    clears: s.clears,
    underruns: s.underruns,
    underrunMs: s.underrunMs,
  });
  if (r.report) info.caller = r.report;
  if (r.failure?.startsWith('dial:')) info.dialError = `cannot dial ${info.dialUrl}: ${r.failure.slice(6)}`;
  const now = sim.world.now();
  info.closedSessions.push({
    streamSid: s.streamSid,
    vendor: sim.world.accounts.get(call.accountId)?.namespace ?? '',
    callId: call.id,
    role: 'agent',
    origin: 'dial',
    state: 'closed',
    tracks: ['inbound'],
    openedAt: iso((call.answeredAt ?? now) + offset),
    framesSent: s.framesSent,
    framesDropped: s.framesDropped,
    framesLost: s.framesLost,
    queuedMessages: 0,
    bufferedBytes: 0,
    messagesIn: s.messagesIn,
    badMessages: s.badMessages,
    lastBadMessage: s.lastBadMessage,
    marksEchoed: s.marksEchoed,
    underruns: s.underruns,
    closedAt: iso(now),
    closeCode: r.close?.code ?? null,
    closeReason: r.close?.reason ?? null,
  });
  info.ended = true;
  if (call.status !== 'in-progress') return;
  call.turns = log.sorted();
  call.liveAgent = liveOutcome({
    agentTurns: r.agentTurns,
    latencies: log.latencies,
    calleeLines: r.calleeLines,
    calleeLinesLeft: r.linesLeft,
    digits: r.digitsHeard,
    booked: false,
    ending,
  });
}
