import { finishPendingDelete } from './agents.js';
import { chargeCall } from './billing.js';
import { onCampaignCallEnded } from './campaigns.js';
import { findConversation, linesWithin } from './conversations.js';
import { invalid, notFound, SimError } from './errors.js';
import { countryOf, normalizeNumber } from './phone.js';
import { resolveScenario } from './scenarios.js';
import type { Task } from './scheduler.js';
import { type Agent, type Call, type CallStatus, type Direction, FINAL_STATUSES } from './types.js';
import type { World } from './world.js';

export interface CallInit {
  accountId: string;
  agentId: string;
  to: string;
  from?: string;
  direction?: Direction;
  metadata?: Record<string, unknown>;
  campaignId?: string | null;
  id?: string;
}

const tasks = new WeakMap<World, Map<string, Task[]>>();
function taskList(world: World, callId: string): Task[] {
  let m = tasks.get(world);
  if (!m) tasks.set(world, (m = new Map()));
  let list = m.get(callId);
  if (!list) m.set(callId, (list = []));
  return list;
}

export const isLive = (call: Call): boolean => !FINAL_STATUSES.has(call.status);

/** A multilingual agent speaks the destination country's language when it knows it (+90 → tr). */
export function callLanguage(world: World, agent: Agent, to: string): string {
  const country = countryOf(to);
  const known = new Set(world.library.conversations.map((c) => c.language));
  if (agent.multilingual && country && (agent.languages.length === 0 || agent.languages.includes(country.language)) && known.has(country.language)) {
    return country.language;
  }
  return agent.language.split('-')[0].toLowerCase();
}

function pickConversation(world: World, language: string, voicemail: boolean, wanted?: string): string | null {
  if (wanted && findConversation(world.library, wanted)) return wanted;
  const pool = world.library.conversations.filter((c) => (c.topic === 'voicemail') === voicemail);
  const inLang = pool.filter((c) => c.language === language);
  const choices = inLang.length ? inLang : pool.filter((c) => c.language === 'en');
  return choices.length ? world.rng.pick(choices).id : null;
}

function between(world: World, [a, b]: [number, number]): number {
  return world.rng.int(a, b);
}

export function getAgentOrThrow(world: World, accountId: string, agentId: string): Agent {
  const account = world.account(accountId);
  const id = account.agentAliases[agentId] ?? agentId;
  const agent = world.store(accountId).agents.get(id);
  if (!agent || agent.status === 'archived') throw notFound('agent', agentId);
  return agent;
}

export function createCall(world: World, init: CallInit): Call {
  const agent = getAgentOrThrow(world, init.accountId, init.agentId);
  if (agent.deletePending) throw new SimError('conflict', `agent ${agent.id} is being deleted`);
  const to = normalizeNumber(init.to, world.rng);
  if (!to) throw invalid('to', 'format', `to must be an E.164 phone number, got ${JSON.stringify(init.to)}`);
  const store = world.store(init.accountId);
  let from = init.from;
  if (from !== undefined && !normalizeNumber(from, world.rng)) throw invalid('from', 'format', 'from must be an E.164 phone number');
  if (!from) {
    const primary = agent.primaryNumberId ?? agent.numberIds[0];
    from = (primary && store.numbers.get(primary)?.e164) || String(world.account(init.accountId).settings.callerId ?? '+15005550006');
  }
  const direction = init.direction ?? 'outbound';
  const now = world.now();
  const language = callLanguage(world, agent, direction === 'outbound' ? to : from);
  const scenario = resolveScenario(world, { to, agentId: agent.id, accountId: init.accountId, direction });
  const t = world.timings;
  const voicemail = scenario.outcome === 'voicemail';
  const answers = scenario.outcome === 'answered' || voicemail;
  const conversationId = answers ? pickConversation(world, language, voicemail, scenario.conversationId) : null;
  const conv = findConversation(world.library, conversationId);
  const talkMs = answers ? Math.round(scenario.durationMs ?? conv?.totalMs ?? 30_000) : 0;

  const queued = direction === 'inbound' ? 0 : between(world, t.queueMs);
  const ringingAt = scenario.outcome === 'failed' ? null : now + queued;
  let ringMs = 0;
  if (scenario.outcome === 'answered') ringMs = direction === 'inbound' ? world.rng.int(1000, 3000) : between(world, t.ringMs);
  else if (voicemail) ringMs = between(world, t.voicemailRingMs);
  else if (scenario.outcome === 'busy') ringMs = between(world, t.busyMs);
  else if (scenario.outcome === 'no-answer') ringMs = t.noAnswerMs;
  if (scenario.ringMs !== undefined) ringMs = scenario.ringMs;
  const answeredAt = answers && ringingAt !== null ? ringingAt + ringMs : null;
  const endAt = answeredAt !== null ? answeredAt + talkMs : (ringingAt ?? now + queued) + ringMs;
  const final: CallStatus = answers ? 'completed' : (scenario.outcome as CallStatus);
  const reason = voicemail ? 'voicemail' : answers ? 'completed' : (scenario.outcome as Call['endedReason'] & string);

  const id = init.id ?? world.nextId(init.accountId, 'call');
  const call: Call = {
    id,
    accountId: init.accountId,
    agentId: agent.id,
    direction,
    from,
    to,
    status: 'queued',
    endedReason: null,
    outcome: scenario.outcome,
    conversationId,
    language,
    metadata: init.metadata ?? {},
    campaignId: init.campaignId ?? null,
    createdAt: now,
    answeredAt: null,
    endedAt: null,
    talkMs,
    timeline: [{ status: 'queued', at: now }],
    transcriptReady: false,
    recordingReady: false,
    costCents: 0,
    media: {},
    plan: { ringingAt, answeredAt, endAt, final, reason },
    booking: null,
  };
  store.calls.set(id, call);
  world.callIndex.set(id, init.accountId);
  armCall(world, call);
  world.bus.emit({ type: 'call.created', at: now, accountId: init.accountId, call });
  return call;
}

/** Schedules every step of a call's plan still ahead of now (also after a snapshot restore). */
export function armCall(world: World, call: Call): void {
  const list = taskList(world, call.id);
  const s = world.scheduler;
  const p = call.plan;
  const label = `call ${call.id}`;
  if (call.status === 'queued' && p.ringingAt !== null) list.push(s.at(p.ringingAt, () => setStatus(world, call, 'ringing'), label));
  if ((call.status === 'queued' || call.status === 'ringing') && p.answeredAt !== null) {
    list.push(s.at(p.answeredAt, () => setStatus(world, call, 'in-progress'), label));
  }
  if (isLive(call)) list.push(s.at(p.endAt, () => endCall(world, call, p.final, p.reason), label));
  if (p.answeredAt !== null) armConversationEvents(world, call);
  if (p.answeredAt !== null && !call.transcriptReady) {
    list.push(s.at(p.endAt + world.timings.transcriptDelayMs, () => markReady(world, call, 'transcript'), label));
  }
  if (p.answeredAt !== null && !call.recordingReady) {
    list.push(s.at(p.endAt + world.timings.recordingDelayMs, () => markReady(world, call, 'recording'), label));
  }
}

function armConversationEvents(world: World, call: Call): void {
  const conv = findConversation(world.library, call.conversationId);
  // A live agent books only by what it does on the call (the media engine's business).
  if (!conv || call.plan.answeredAt === null || call.booking || call.liveAgent) return;
  for (const line of linesWithin(conv, call.talkMs)) {
    for (const ev of line.events) {
      if (ev.type !== 'booking') continue;
      const at = call.plan.answeredAt + line.startMs + line.durationMs;
      if (at > call.plan.endAt) continue;
      taskList(world, call.id).push(
        world.scheduler.at(
          at,
          () => {
            if (call.status !== 'in-progress' || call.liveAgent) return;
            call.booking = { ...ev.data };
            world.bus.emit({ type: 'booking.created', at: world.now(), accountId: call.accountId, call, booking: call.booking });
          },
          `call ${call.id} booking`,
        ),
      );
    }
  }
}

function setStatus(world: World, call: Call, status: CallStatus): void {
  if (!isLive(call) || call.status === status) return;
  const previous = call.status;
  const now = world.now();
  call.status = status;
  call.timeline.push({ status, at: now });
  if (status === 'in-progress') call.answeredAt = now;
  world.bus.emit({ type: 'call.status', at: now, accountId: call.accountId, call, previous });
  if (status === 'in-progress') world.bus.emit({ type: 'call.started', at: now, accountId: call.accountId, call });
}

function endCall(world: World, call: Call, final: CallStatus, reason: Call['endedReason']): void {
  if (!isLive(call)) return;
  setStatus(world, call, final);
  call.endedAt = world.now();
  call.endedReason = reason;
  if (call.answeredAt !== null) call.talkMs = call.endedAt - call.answeredAt;
  chargeCall(world, call);
  world.bus.emit({ type: 'call.ended', at: call.endedAt, accountId: call.accountId, call });
  onCampaignCallEnded(world, call);
  finishPendingDelete(world, call.accountId, call.agentId);
}

function markReady(world: World, call: Call, what: 'transcript' | 'recording'): void {
  if (call.answeredAt === null) return;
  if (what === 'transcript') {
    call.transcriptReady = true;
    world.bus.emit({ type: 'transcript.ready', at: world.now(), accountId: call.accountId, call });
  } else {
    call.recordingReady = true;
    world.bus.emit({ type: 'recording.ready', at: world.now(), accountId: call.accountId, call });
  }
}

/** Ends a live call now: before answer it is canceled, after answer it completes as a hang-up. */
export function hangupCall(world: World, call: Call): Call {
  if (!isLive(call)) throw new SimError('conflict', `call ${call.id} has already ended`);
  for (const task of taskList(world, call.id)) world.scheduler.cancel(task);
  taskList(world, call.id).length = 0;
  const answered = call.status === 'in-progress';
  const now = world.now();
  call.plan = { ...call.plan, endAt: now, final: answered ? 'completed' : 'canceled', reason: answered ? 'hangup' : 'canceled' };
  if (!answered) call.plan.answeredAt = null;
  endCall(world, call, call.plan.final, call.plan.reason);
  armCall(world, call);
  return call;
}

export interface TranscriptTurn {
  speaker: 'agent' | 'callee';
  text: string;
  offsetMs: number;
}

/** What was said, with offsets from answer time; empty until the transcript is ready. */
export function callTranscript(world: World, call: Call): TranscriptTurn[] {
  if (!call.transcriptReady) return [];
  if (call.turns) return call.turns.map((t) => ({ ...t }));
  const conv = findConversation(world.library, call.conversationId);
  if (!conv) return [];
  return linesWithin(conv, call.talkMs).map((l) => ({ speaker: l.speaker, text: l.text, offsetMs: l.startMs }));
}

export function callSummary(world: World, call: Call): { summary: string | null; sentiment: number | null } {
  if (!call.transcriptReady) return { summary: null, sentiment: null };
  if (call.liveAgent) return { summary: call.liveAgent.summary, sentiment: call.liveAgent.sentiment };
  const conv = findConversation(world.library, call.conversationId);
  return conv ? { summary: conv.summary, sentiment: conv.sentiment } : { summary: null, sentiment: null };
}

/**
 * Whether a booking was made in the part of the call that was heard. A live agent's call books
 * only what happened on it (`call.booking`), never what its script would have said.
 */
export function callBooked(world: World, call: Call): boolean {
  if (call.booking) return true;
  if (call.liveAgent) return false;
  const conv = findConversation(world.library, call.conversationId);
  return !!conv && linesWithin(conv, call.talkMs).some((l) => l.events.some((e) => e.type === 'booking'));
}

export function getCallOrThrow(world: World, accountId: string, callId: string): Call {
  const call = world.store(accountId).calls.get(callId);
  if (!call) throw notFound('call', callId);
  return call;
}

export interface CallFilter {
  agentId?: string;
  status?: CallStatus[];
  direction?: Direction;
  since?: number;
  until?: number;
}

/** Newest first, as every vendor lists them. */
export function listCalls(world: World, accountId: string, f: CallFilter = {}): Call[] {
  const out: Call[] = [];
  for (const c of world.store(accountId).calls.values()) {
    if (f.agentId !== undefined && c.agentId !== f.agentId) continue;
    if (f.status && !f.status.includes(c.status)) continue;
    if (f.direction && c.direction !== f.direction) continue;
    if (f.since !== undefined && c.createdAt < f.since) continue;
    if (f.until !== undefined && c.createdAt > f.until) continue;
    out.push(c);
  }
  return out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
}

/**
 * A live media session takes over an answered call: its scripted end is cancelled and the session
 * ends it with `endCallNow` when the conversation really ends.
 */
export function takeOverCall(world: World, call: Call): void {
  if (call.status !== 'in-progress' || call.liveControlled) return;
  for (const task of taskList(world, call.id)) world.scheduler.cancel(task);
  taskList(world, call.id).length = 0;
  call.liveControlled = true;
  call.plan = { ...call.plan, endAt: Number.MAX_SAFE_INTEGER };
}

/** Ends an answered call now (completed), with transcript and recording following as usual. */
export function endCallNow(world: World, call: Call, reason: Call['endedReason'] = 'completed'): void {
  if (!isLive(call)) return;
  const now = world.now();
  call.plan = {
    ...call.plan,
    endAt: now,
    final: call.status === 'in-progress' ? 'completed' : 'canceled',
    reason: call.status === 'in-progress' ? (reason ?? 'completed') : 'canceled',
  };
  if (call.status !== 'in-progress') call.plan.answeredAt = null;
  for (const task of taskList(world, call.id)) world.scheduler.cancel(task);
  taskList(world, call.id).length = 0;
  endCall(world, call, call.plan.final, call.plan.reason);
  armCall(world, call);
}

/** Re-arms every live call, e.g. after restoring a snapshot. */
export function armAll(world: World): void {
  for (const store of world.stores.values())
    for (const call of store.calls.values()) {
      if (isLive(call) || !call.transcriptReady || !call.recordingReady) armCall(world, call);
    }
}

export interface SeedCall {
  id: string;
  agentId: string;
  direction?: Direction;
  from: string;
  to: string;
  status: CallStatus;
  endedReason?: Call['endedReason'];
  conversationId?: string | null;
  language?: string;
  metadata?: Record<string, unknown>;
  createdAt: number;
  answeredAt?: number | null;
  endedAt?: number | null;
  campaignId?: string | null;
}

/** A call from the fixtures, as it stood when recorded: ended, with transcript and recording. */
export function seedCall(world: World, accountId: string, s: SeedCall): Call {
  const answeredAt = s.answeredAt ?? null;
  const endedAt = s.endedAt ?? null;
  const talkMs = answeredAt !== null && endedAt !== null ? endedAt - answeredAt : 0;
  const final = FINAL_STATUSES.has(s.status);
  const call: Call = {
    id: s.id,
    accountId,
    agentId: s.agentId,
    direction: s.direction ?? 'outbound',
    from: s.from,
    to: s.to,
    status: s.status,
    endedReason: s.endedReason ?? (final ? (s.status === 'completed' ? 'completed' : (s.status as Call['endedReason'])) : null),
    outcome:
      answeredAt !== null
        ? s.endedReason === 'voicemail'
          ? 'voicemail'
          : 'answered'
        : s.status === 'busy'
          ? 'busy'
          : s.status === 'no-answer'
            ? 'no-answer'
            : 'failed',
    conversationId: s.conversationId ?? null,
    language: s.language ?? 'en',
    metadata: s.metadata ?? {},
    campaignId: s.campaignId ?? null,
    createdAt: s.createdAt,
    answeredAt,
    endedAt,
    talkMs,
    timeline: [
      { status: 'queued', at: s.createdAt },
      ...(answeredAt !== null ? [{ status: 'in-progress' as const, at: answeredAt }] : []),
      ...(final && endedAt !== null ? [{ status: s.status, at: endedAt }] : []),
    ],
    transcriptReady: final && answeredAt !== null,
    recordingReady: final && answeredAt !== null,
    costCents: 0,
    media: {},
    plan: { ringingAt: s.createdAt, answeredAt, endAt: endedAt ?? s.createdAt, final: final ? s.status : 'completed', reason: 'completed' },
    booking: null,
  };
  world.store(accountId).calls.set(call.id, call);
  world.callIndex.set(call.id, accountId);
  world.reserveId(world.account(accountId).namespace, 'call', call.id);
  return call;
}
