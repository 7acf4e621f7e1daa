import type { Task } from './scheduler.js';
import type { Call, CallPlan, CallStatus, Direction, EndedReason, Outcome, TimelineEntry } from './types.js';

/**
 * One call as the store keeps it: small integers and shared strings, because a long load rehearsal
 * keeps hundreds of thousands of them. The `Call` view (status names, absolute times, the
 * timeline, the plan) is computed by getters, and `toJSON` writes the same record a snapshot has
 * always held, so snapshots of version 1 stay what they were.
 *
 * Times other than `createdAt` are offsets from it: they fit V8's small integers, which live inside
 * the object, where an absolute epoch time would need a separate 16-byte heap number. Statuses,
 * reasons and flags share one integer.
 */

export const STATUSES: readonly CallStatus[] = ['queued', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled'];
const REASONS: ReadonlyArray<EndedReason | null> = [null, 'completed', 'voicemail', 'busy', 'no-answer', 'failed', 'canceled', 'hangup'];
const OUTCOMES: readonly Outcome[] = ['answered', 'voicemail', 'busy', 'no-answer', 'failed'];
const code = <T>(list: readonly T[], value: T, what: string): number => {
  const i = list.indexOf(value);
  if (i < 0) throw new Error(`unknown ${what} ${String(value)}`);
  return i;
};
export const statusCode = (s: CallStatus): number => code(STATUSES, s, 'call status');
/** Status codes from here on are final. */
export const FIRST_FINAL = 3;

// Bit layout of `bits`: the status in the lowest 3 bits, then these fields of 3 bits, then flags.
const REASON_SHIFT = 3; // 3 bits
const OUTCOME_SHIFT = 6; // 3 bits
const PLAN_FINAL_SHIFT = 9; // 3 bits
const PLAN_REASON_SHIFT = 12; // 3 bits
const INBOUND = 1 << 15;
const TRANSCRIPT = 1 << 16;
const RECORDING = 1 << 17;
const LIVE_CONTROLLED = 1 << 18;
const FIELD = 7;

/** What `takeOverCall` plans as the end: never, until the live session ends the call. */
const OPEN_END = Number.MAX_SAFE_INTEGER;

const offset = (t: number | null, base: number): number | null => (t === null ? null : t - base);

/** What a call is made from: the `Call` fields fixed at creation (metadata may be absent). */
export type CallFields = Pick<
  Call,
  'id' | 'accountId' | 'agentId' | 'direction' | 'from' | 'to' | 'outcome' | 'conversationId' | 'language' | 'campaignId' | 'createdAt' | 'talkMs' | 'plan'
> & { metadata: Record<string, unknown> | null };

export class CallRecord implements Call {
  readonly id: string;
  readonly accountId: string;
  readonly agentId: string;
  readonly from: string;
  readonly to: string;
  readonly createdAt: number;
  readonly conversationId: string | null;
  readonly language: string;
  readonly campaignId: string | null;
  /** Status, ended reason, outcome, plan final/reason and flags: see the bit layout above. */
  bits: number;
  /** Offsets from createdAt (ms) of what happened; null = not (yet). */
  ringOff: number | null = null;
  answerOff: number | null = null;
  endOff: number | null = null;
  /** Offsets from createdAt of the plan; a null end is the open end of a live-controlled call. */
  planRingOff: number | null;
  planAnswerOff: number | null;
  planEndOff: number | null;
  talkMs: number;
  costCents = 0;
  booking: Record<string, unknown> | null = null;
  turns?: Array<{ speaker: 'agent' | 'callee'; text: string; offsetMs: number }> | null;
  liveAgent?: { summary: string | null; sentiment: number | null } | null;
  note?: string;
  /** The call's queued step while it has one (steps.ts). */
  task: Task | null = null;
  private meta: Record<string, unknown> | null;
  private mediaSettings: Record<string, number> | null = null;

  constructor(f: CallFields) {
    this.id = f.id;
    this.accountId = f.accountId;
    this.agentId = f.agentId;
    this.from = f.from;
    this.to = f.to;
    this.createdAt = f.createdAt;
    this.conversationId = f.conversationId;
    this.language = f.language;
    this.campaignId = f.campaignId;
    this.meta = f.metadata && Object.keys(f.metadata).length ? f.metadata : null;
    this.talkMs = f.talkMs;
    this.bits = (code(OUTCOMES, f.outcome, 'outcome') << OUTCOME_SHIFT) | (f.direction === 'inbound' ? INBOUND : 0);
    this.planRingOff = null;
    this.planAnswerOff = null;
    this.planEndOff = null;
    this.plan = f.plan;
  }

  get statusCode(): number {
    return this.bits & FIELD;
  }
  set statusCode(c: number) {
    this.bits = (this.bits & ~FIELD) | c;
  }
  get status(): CallStatus {
    return STATUSES[this.bits & FIELD];
  }
  set status(s: CallStatus) {
    this.statusCode = statusCode(s);
  }
  get isFinal(): boolean {
    return (this.bits & FIELD) >= FIRST_FINAL;
  }
  get endedReason(): EndedReason | null {
    return REASONS[(this.bits >> REASON_SHIFT) & FIELD];
  }
  set endedReason(r: EndedReason | null) {
    this.setField(REASON_SHIFT, code(REASONS, r, 'ended reason'));
  }
  get outcome(): Outcome {
    return OUTCOMES[(this.bits >> OUTCOME_SHIFT) & FIELD];
  }
  get direction(): Direction {
    return this.bits & INBOUND ? 'inbound' : 'outbound';
  }
  get transcriptReady(): boolean {
    return (this.bits & TRANSCRIPT) !== 0;
  }
  set transcriptReady(v: boolean) {
    this.flag(TRANSCRIPT, v);
  }
  get recordingReady(): boolean {
    return (this.bits & RECORDING) !== 0;
  }
  set recordingReady(v: boolean) {
    this.flag(RECORDING, v);
  }
  get liveControlled(): boolean {
    return (this.bits & LIVE_CONTROLLED) !== 0;
  }
  set liveControlled(v: boolean) {
    this.flag(LIVE_CONTROLLED, v);
  }
  private flag(f: number, on: boolean): void {
    this.bits = on ? this.bits | f : this.bits & ~f;
  }

  get answeredAt(): number | null {
    return this.answerOff === null ? null : this.createdAt + this.answerOff;
  }
  set answeredAt(t: number | null) {
    this.answerOff = offset(t, this.createdAt);
  }
  get endedAt(): number | null {
    return this.endOff === null ? null : this.createdAt + this.endOff;
  }
  set endedAt(t: number | null) {
    this.endOff = offset(t, this.createdAt);
  }
  get ringingAt(): number | null {
    return this.ringOff === null ? null : this.createdAt + this.ringOff;
  }

  get metadata(): Record<string, unknown> {
    return this.meta ?? {};
  }
  /** Per-call media settings; made on first use (most calls never have any). */
  get media(): Record<string, number> {
    if (!this.mediaSettings) this.mediaSettings = {};
    return this.mediaSettings;
  }

  /** Every status the call went through, derived from the times it keeps. */
  get timeline(): TimelineEntry[] {
    const t: TimelineEntry[] = [{ status: 'queued', at: this.createdAt }];
    if (this.ringOff !== null) t.push({ status: 'ringing', at: this.createdAt + this.ringOff });
    if (this.answerOff !== null) t.push({ status: 'in-progress', at: this.createdAt + this.answerOff });
    if (this.isFinal && this.endOff !== null) t.push({ status: this.status, at: this.createdAt + this.endOff });
    return t;
  }

  get planRingingAt(): number | null {
    return this.planRingOff === null ? null : this.createdAt + this.planRingOff;
  }
  get planAnsweredAt(): number | null {
    return this.planAnswerOff === null ? null : this.createdAt + this.planAnswerOff;
  }
  get planEndAt(): number {
    return this.planEndOff === null ? OPEN_END : this.createdAt + this.planEndOff;
  }
  get planFinal(): CallStatus {
    return STATUSES[(this.bits >> PLAN_FINAL_SHIFT) & FIELD];
  }
  get planReason(): EndedReason {
    return REASONS[(this.bits >> PLAN_REASON_SHIFT) & FIELD] ?? 'completed';
  }
  get plan(): CallPlan {
    return { ringingAt: this.planRingingAt, answeredAt: this.planAnsweredAt, endAt: this.planEndAt, final: this.planFinal, reason: this.planReason };
  }
  set plan(p: CallPlan) {
    this.planRingOff = offset(p.ringingAt, this.createdAt);
    this.planAnswerOff = offset(p.answeredAt, this.createdAt);
    this.planEndOff = p.endAt >= OPEN_END ? null : p.endAt - this.createdAt;
    this.setField(PLAN_FINAL_SHIFT, statusCode(p.final));
    this.setField(PLAN_REASON_SHIFT, code(REASONS, p.reason, 'ended reason'));
  }

  private setField(shift: number, value: number): void {
    this.bits = (this.bits & ~(FIELD << shift)) | (value << shift);
  }

  /** The snapshot record (version 1): the same keys, in the same order, as a plain call object. */
  toJSON(): Call {
    const out: Call = {
      id: this.id,
      accountId: this.accountId,
      agentId: this.agentId,
      direction: this.direction,
      from: this.from,
      to: this.to,
      status: this.status,
      endedReason: this.endedReason,
      outcome: this.outcome,
      conversationId: this.conversationId,
      language: this.language,
      metadata: this.metadata,
      campaignId: this.campaignId,
      createdAt: this.createdAt,
      answeredAt: this.answeredAt,
      endedAt: this.endedAt,
      talkMs: this.talkMs,
      timeline: this.timeline,
      transcriptReady: this.transcriptReady,
      recordingReady: this.recordingReady,
      costCents: this.costCents,
      media: this.mediaSettings ?? {},
      plan: this.plan,
      booking: this.booking,
    };
    if (this.turns !== undefined) out.turns = this.turns;
    if (this.liveControlled) out.liveControlled = true;
    if (this.liveAgent) out.liveAgent = this.liveAgent;
    if (this.note) out.note = this.note;
    return out;
  }

  /** A record from a snapshot (or any plain call object), checked against the snapshot schema first. */
  static fromJSON(c: Call, intern: (s: string) => string = (s) => s): CallRecord {
    const r = new CallRecord({
      id: c.id,
      accountId: intern(c.accountId),
      agentId: intern(c.agentId),
      direction: c.direction,
      from: intern(c.from),
      to: intern(c.to),
      outcome: c.outcome,
      conversationId: c.conversationId === null ? null : intern(c.conversationId),
      language: intern(c.language),
      metadata: c.metadata ?? null,
      campaignId: c.campaignId ?? null,
      createdAt: c.createdAt,
      talkMs: c.talkMs,
      plan: c.plan,
    });
    r.status = c.status;
    r.endedReason = c.endedReason ?? null;
    r.answeredAt = c.answeredAt ?? null;
    r.endedAt = c.endedAt ?? null;
    const ringing = c.timeline?.find((t) => t.status === 'ringing');
    r.ringOff = ringing ? ringing.at - c.createdAt : null;
    r.transcriptReady = !!c.transcriptReady;
    r.recordingReady = !!c.recordingReady;
    r.costCents = c.costCents ?? 0;
    if (c.media && Object.keys(c.media).length) Object.assign(r.media, c.media);
    r.booking = c.booking ?? null;
    if (c.turns !== undefined) r.turns = c.turns;
    r.liveControlled = !!c.liveControlled;
    if (c.liveAgent) r.liveAgent = c.liveAgent;
    if (c.note) r.note = c.note;
    return r;
  }
}
