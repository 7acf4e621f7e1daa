import { callSummary, isLive } from '../../sim/calls.js';
import { isoTime } from '../../sim/clock.js';
import type { Agent, Call, CallStatus } from '../../sim/types.js';
import type { World } from '../../sim/world.js';
import { orNull, recordingLink, transcriptTurns } from '../shared/mappers.js';
import type { VendorServices } from '../types.js';

export type CalleagueStatus = 'ringing' | 'in-progress' | 'completed' | 'failed' | 'no-answer';

/**
 * Calleague has five statuses. A queued call is about to dial, so it is `ringing`; busy and
 * canceled calls did not connect, so they are `failed` and `endedReason` says why.
 */
const STATUS: Record<CallStatus, CalleagueStatus> = {
  queued: 'ringing',
  ringing: 'ringing',
  'in-progress': 'in-progress',
  completed: 'completed',
  busy: 'failed',
  'no-answer': 'no-answer',
  failed: 'failed',
  canceled: 'failed',
};

export const calleagueStatus = (s: CallStatus): CalleagueStatus => STATUS[s];

/** Every neutral status a Calleague status filter stands for (`failed` → failed, busy, canceled). */
export const simStatuses = (s: CalleagueStatus): CallStatus[] => (Object.keys(STATUS) as CallStatus[]).filter((k) => STATUS[k] === s);

const ts = orNull(isoTime);

export function agentJson(a: Agent) {
  return {
    agentId: a.id,
    name: a.name,
    language: a.language,
    languages: a.languages.length ? [...a.languages] : [a.language],
    multilingual: a.multilingual,
    // No voice, no key in the JSON (undefined is left out), without a spread between keys.
    voice: a.voice || undefined,
    status: a.status === 'active' ? 'active' : 'inactive',
    createdAt: isoTime(a.createdAt),
  };
}

/** Answered talk time in whole seconds; null while the call is live. */
export const durationSec = (c: Call): number | null => (isLive(c) ? null : Math.round(c.talkMs / 1000));

/** The call as lists show it: its progress and outcome. */
export function callJson(c: Call) {
  return {
    callId: c.id,
    agentId: c.agentId,
    status: calleagueStatus(c.status),
    direction: c.direction,
    to: c.to,
    from: c.from,
    durationSec: durationSec(c),
    endedReason: c.endedReason,
    language: c.language,
    metadata: c.metadata,
    recordingReady: c.recordingReady,
    transcriptReady: c.transcriptReady,
    createdAt: isoTime(c.createdAt),
    answeredAt: ts(c.answeredAt),
    endedAt: ts(c.endedAt),
  };
}

export const transcriptJson = (world: World, c: Call) =>
  transcriptTurns(world, c, (agent, text, offsetSec) => ({ role: agent ? 'agent' : 'user', text, offsetSec }));

/** One call's detail: the list fields plus what the simulated conversation produced. */
export function callDetailJson(world: World, services: VendorServices, c: Call) {
  const { summary, sentiment } = callSummary(world, c);
  return Object.assign(callJson(c), {
    summary,
    sentiment,
    transcript: transcriptJson(world, c),
    recordingUrl: recordingLink(services, c, world.now())?.url ?? null,
  });
}
