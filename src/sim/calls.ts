import type { CallFilter, CallList } from './callstore.js';
import { findConversation, linesWithin } from './conversations.js';
import { invalid, notFound, SimError } from './errors.js';
import { countryOf, isE164 } from './phone.js';
import { CallRecord, FIRST_FINAL } from './record.js';
import { resolveScenario, type Scenario } from './scenarios.js';
import { armCall, disarmCall, endCall } from './steps.js';
import { type Agent, type Call, type CallStatus, type Direction, FINAL_STATUSES, type Outcome } from './types.js';
import type { World } from './world.js';

export type { CallFilter, CallList } from './callstore.js';

export interface CallInit {
  accountId: string;
  agentId: string;
  to: string;
  from?: string;
  direction?: Direction;
  metadata?: Record<string, unknown>;
  campaignId?: string | null;
  id?: string;
  /** Forces the outcome, whatever the scenario rules say (an inbound call nobody can answer). */
  outcome?: Outcome;
  /** Why, kept on the call (see `Call.note`). */
  note?: string;
  /** A simulated caller by name (wins over a scenario rule's). */
  caller?: string;
  /** Answered this long after it is placed, whatever the number or the rules say (a load run's calls). */
  answerAfterMs?: number;
}

/**
 * The simulated caller each call was given (a scenario rule or a load run), beside the call so the
 * compact record keeps no field most calls would leave empty; like a call's media, not in snapshots.
 */
const callers = new WeakMap<Call, string>();
export const callerOf = (call: Call): string | undefined => callers.get(call);

export const isLive = (call: Call): boolean => (call instanceof CallRecord ? call.statusCode < FIRST_FINAL : !FINAL_STATUSES.has(call.status));

/** A multilingual agent speaks the destination country's language when it knows it (+90 → tr). */
function callLanguage(world: World, agent: Agent, to: string): string {
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
  const agent = world.store(accountId).agents.get(agentId);
  if (!agent || agent.status === 'archived') throw notFound('agent', agentId);
  return agent;
}

export function createCall(world: World, init: CallInit): CallRecord {
  const agent = getAgentOrThrow(world, init.accountId, init.agentId);
  if (agent.deletePending) throw new SimError('conflict', `agent ${agent.id} is being deleted`);
  // The agent's state blocks the action: activate it first (the vendors' 409, where they have one).
  if (agent.status === 'inactive') throw new SimError('conflict', `agent ${agent.id} is inactive; activate it before it places calls`);
  const to = init.to;
  if (!isE164(to)) throw invalid('to', 'format', `to must be an E.164 phone number, got ${JSON.stringify(to).slice(0, 40)}`);
  const store = world.store(init.accountId);
  let from = init.from;
  if (from !== undefined && !isE164(from)) throw invalid('from', 'format', 'from must be an E.164 phone number');
  if (!from) {
    const primary = agent.primaryNumberId ?? agent.numberIds[0];
    from = (primary && store.numbers.get(primary)?.e164) || String(world.account(init.accountId).settings.callerId ?? '+15005550006');
  }
  const direction = init.direction ?? 'outbound';
  const now = world.now();
  const language = callLanguage(world, agent, direction === 'outbound' ? to : from);
  const scenario: Scenario = init.outcome ? { outcome: init.outcome } : resolveScenario(world, { to, agentId: agent.id, accountId: init.accountId, direction });
  if (scenario.outcome === 'provider-error') {
    throw new SimError('upstream', `telephony provider error: the carrier rejected the call to ${to}`);
  }
  // A load run's call is answered after its own delay, whatever the number or the rules say.
  const outcome = init.answerAfterMs === undefined ? scenario.outcome : 'answered';
  const t = world.timings;
  const voicemail = outcome === 'voicemail';
  const answers = outcome === 'answered' || voicemail;
  const conversationId = answers ? pickConversation(world, language, voicemail, scenario.conversationId) : null;
  const conv = findConversation(world.library, conversationId);
  const talkMs = answers ? Math.round(scenario.durationMs ?? conv?.totalMs ?? 30_000) : 0;

  const queued = direction === 'inbound' || init.answerAfterMs !== undefined ? 0 : between(world, t.queueMs);
  const ringingAt = outcome === 'failed' ? null : now + queued;
  let ringMs = 0;
  if (outcome === 'answered') ringMs = direction === 'inbound' ? world.rng.int(1000, 3000) : between(world, t.ringMs);
  else if (voicemail) ringMs = between(world, t.voicemailRingMs);
  else if (outcome === 'busy') ringMs = between(world, t.busyMs);
  else if (outcome === 'no-answer') ringMs = t.noAnswerMs;
  if (init.answerAfterMs !== undefined) ringMs = init.answerAfterMs;
  else if (scenario.ringMs !== undefined) ringMs = scenario.ringMs;
  const answeredAt = answers && ringingAt !== null ? ringingAt + ringMs : null;
  const endAt = answeredAt !== null ? answeredAt + talkMs : (ringingAt ?? now + queued) + ringMs;
  const final: CallStatus = answers ? 'completed' : (outcome as CallStatus);
  const reason = voicemail ? 'voicemail' : answers ? 'completed' : (outcome as Call['endedReason'] & string);

  const id = init.id ?? world.nextId(init.accountId, 'call');
  // Strings many calls share are stored once: the account's and agent's own ids, interned numbers.
  const call = new CallRecord({
    id,
    accountId: world.account(init.accountId).id,
    agentId: agent.id,
    direction,
    from: world.intern(from),
    to: world.intern(to),
    outcome,
    conversationId,
    language: world.intern(language),
    metadata: init.metadata ?? null,
    campaignId: init.campaignId ?? null,
    createdAt: now,
    talkMs,
    plan: { ringingAt, answeredAt, endAt, final, reason },
  });
  if (init.note) call.note = init.note;
  store.calls.add(call);
  world.callIndex.set(id, init.accountId);
  world.observer.callCreated?.(id, init.accountId);
  const caller = init.caller ?? scenario.caller;
  if (caller) callers.set(call, caller);
  armCall(world, call);
  world.bus.emit({ type: 'call.created', at: now, accountId: init.accountId, call });
  return call;
}

/** Ends a live call now: before answer it is canceled, after answer it completes as a hang-up. */
export function hangupCall(world: World, call: Call): Call {
  const c = record(call);
  if (!isLive(c)) throw new SimError('conflict', `call ${c.id} has already ended`);
  disarmCall(world, c);
  const answered = c.status === 'in-progress';
  const now = world.now();
  c.plan = {
    ...c.plan,
    endAt: now,
    final: answered ? 'completed' : 'canceled',
    reason: answered ? 'hangup' : 'canceled',
    answeredAt: answered ? c.planAnsweredAt : null,
  };
  endCall(world, c, c.planFinal, c.planReason);
  armCall(world, c);
  return c;
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
  // A live agent's call is what was said on it, never the script's lines.
  if (call.liveAgent) return [];
  const conv = findConversation(world.library, call.conversationId);
  if (!conv) return [];
  return linesWithin(conv, call.talkMs).map((l) => ({ speaker: l.speaker, text: l.text, offsetMs: l.startMs }));
}

/**
 * Where a call's post-call processing stands: its transcript and recording are ready
 * `transcriptDelayMs` / `recordingDelayMs` after it ends (README, "Post-call processing"). `none`:
 * the call ended without being answered, so nothing will ever be ready.
 */
export type Processing = { state: 'live' } | { state: 'none' } | { state: 'pending'; readyAt: number; delayMs: number } | { state: 'ready' };

export function processing(world: World, call: Call, what: 'transcript' | 'recording'): Processing {
  if (isLive(call)) return { state: 'live' };
  if (call.answeredAt === null) return { state: 'none' };
  if (what === 'transcript' ? call.transcriptReady : call.recordingReady) return { state: 'ready' };
  const delayMs = what === 'transcript' ? world.timings.transcriptDelayMs : world.timings.recordingDelayMs;
  return { state: 'pending', readyAt: Math.max(world.now(), (call.endedAt ?? world.now()) + delayMs), delayMs };
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

export function getCallOrThrow(world: World, accountId: string, callId: string): CallRecord {
  const call = world.store(accountId).calls.get(callId);
  if (!call) throw notFound('call', callId);
  return call;
}

/**
 * Newest first, as every vendor lists them, read lazily: `slice` of a page costs the page, and
 * `length` is the total. Pass it where a list is paginated.
 */
export function queryCalls(world: World, accountId: string, f: CallFilter = {}): CallList {
  return world.store(accountId).calls.query(f);
}

/** Every matching call, newest first (O(matches)); lists that page use `queryCalls`. */
export function listCalls(world: World, accountId: string, f: CallFilter = {}): CallRecord[] {
  return queryCalls(world, accountId, f).slice();
}

/** The newest calls across accounts, and how many match in all, reading `limit` per account. */
export function newestCalls(world: World, accountIds: Iterable<string>, f: CallFilter, limit: number): { items: CallRecord[]; total: number } {
  let total = 0;
  const items: CallRecord[] = [];
  for (const id of accountIds) {
    const list = queryCalls(world, id, f);
    total += list.length;
    items.push(...list.slice(0, limit));
  }
  items.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  return { items: items.slice(0, limit), total };
}

/**
 * A live media session takes over an answered call: its scripted end is cancelled and the session
 * ends it with `endCallNow` when the conversation really ends.
 */
export function takeOverCall(world: World, call: Call): void {
  const c = record(call);
  if (c.status !== 'in-progress' || c.liveControlled) return;
  disarmCall(world, c);
  c.liveControlled = true;
  c.plan = { ...c.plan, endAt: Number.MAX_SAFE_INTEGER };
}

/** Ends an answered call now (completed), with transcript and recording following as usual. */
export function endCallNow(world: World, call: Call, reason: Call['endedReason'] = 'completed'): void {
  const c = record(call);
  if (!isLive(c)) return;
  const now = world.now();
  const answered = c.status === 'in-progress';
  c.plan = {
    ...c.plan,
    endAt: now,
    final: answered ? 'completed' : 'canceled',
    reason: answered ? (reason ?? 'completed') : 'canceled',
    answeredAt: answered ? c.planAnsweredAt : null,
  };
  disarmCall(world, c);
  endCall(world, c, c.planFinal, c.planReason);
  armCall(world, c);
}

/** Re-arms every call that still has steps ahead, e.g. after restoring a snapshot. */
export function armAll(world: World): void {
  for (const store of world.stores.values())
    for (const call of store.calls.values()) {
      if (isLive(call) || !call.transcriptReady || !call.recordingReady) armCall(world, call);
    }
}

/** Calls reach the sim's functions as `Call`; every one the world holds is a record. */
function record(call: Call): CallRecord {
  if (!(call instanceof CallRecord)) throw new Error(`call ${call.id} is not one of the world's calls`);
  return call;
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
export function seedCall(world: World, accountId: string, s: SeedCall): CallRecord {
  const answeredAt = s.answeredAt ?? null;
  const endedAt = s.endedAt ?? null;
  const talkMs = answeredAt !== null && endedAt !== null ? endedAt - answeredAt : 0;
  const final = FINAL_STATUSES.has(s.status);
  const call = new CallRecord({
    id: s.id,
    accountId,
    agentId: s.agentId,
    direction: s.direction ?? 'outbound',
    from: s.from,
    to: s.to,
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
    metadata: s.metadata ?? null,
    campaignId: s.campaignId ?? null,
    createdAt: s.createdAt,
    talkMs,
    plan: { ringingAt: s.createdAt, answeredAt, endAt: endedAt ?? s.createdAt, final: final ? s.status : 'completed', reason: 'completed' },
  });
  call.status = s.status;
  call.endedReason = s.endedReason ?? (final ? (s.status === 'completed' ? 'completed' : (s.status as Call['endedReason'])) : null);
  call.answeredAt = answeredAt;
  call.endedAt = endedAt;
  call.transcriptReady = final && answeredAt !== null;
  call.recordingReady = final && answeredAt !== null;
  world.store(accountId).calls.add(call);
  world.callIndex.set(call.id, accountId);
  world.observer.callCreated?.(call.id, accountId);
  world.reserveId(world.account(accountId).namespace, 'call', call.id);
  if (final) world.retention?.settled(call);
  return call;
}
