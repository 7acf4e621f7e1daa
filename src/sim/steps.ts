import { finishPendingDelete } from './agents.js';
import { chargeCall } from './billing.js';
import { onCampaignCallEnded } from './campaigns.js';
import { type Conversation, type ConversationLibrary, findConversation, withOffsets } from './conversations.js';
import { type CallRecord, statusCode } from './record.js';
import type { Task } from './scheduler.js';
import type { CallStatus, EndedReason } from './types.js';
import type { World } from './world.js';

/**
 * A call's steps on the scheduler: ringing, answer, bookings the script makes, end, transcript and
 * recording ready. One task per live call walks through them, requeued after each step, instead of
 * one queued object and closure per step kept for the call's life: at 100,000 live calls the queue
 * holds 100,000 entries, not 600,000.
 *
 * Each call reserves a block of sequence numbers when armed and each step keeps its place in the
 * block, so steps of different calls falling due at the same instant run in exactly the order they
 * did when every step was queued up front (same seed, same events, same webhook order).
 */

const QUEUED = statusCode('queued');
const RINGING = statusCode('ringing');
const IN_PROGRESS = statusCode('in-progress');

// Places in a call's block, in the order the steps were always queued.
const RING = 0;
const ANSWER = 1;
const END = 2;
const FIRST_BOOKING = 3;

// Which steps a call had when it was armed.
const HAS_RING = 1;
const HAS_ANSWER = 2;
const HAS_END = 4;
const HAS_TRANSCRIPT = 8;
const HAS_RECORDING = 16;

interface BookingLine {
  /** When the line starts and ends, from the answer. */
  startMs: number;
  endMs: number;
  data: Record<string, unknown> | undefined;
}

const bookingCache = new WeakMap<Conversation, BookingLine[]>();
/** The script's booking events in script order; worked out once per conversation. */
function bookingsOf(conv: Conversation): BookingLine[] {
  let list = bookingCache.get(conv);
  if (!list) {
    list = [];
    for (const line of withOffsets(conv))
      for (const ev of line.events) if (ev.type === 'booking') list.push({ startMs: line.startMs, endMs: line.startMs + line.durationMs, data: ev.data });
    bookingCache.set(conv, list);
  }
  return list;
}

const blockCache = new WeakMap<ConversationLibrary, number>();
/** Sequence numbers per call: the fixed steps plus room for the longest script's bookings. */
function blockSize(world: World): number {
  let n = blockCache.get(world.library);
  if (n === undefined) {
    n = FIRST_BOOKING + 2 + Math.max(0, ...world.library.conversations.map((c) => bookingsOf(c).length));
    blockCache.set(world.library, n);
  }
  return n;
}

class CallTask implements Task {
  at = 0;
  seq = 0;
  cancelled = false;
  constructor(
    readonly world: World,
    readonly call: CallRecord,
    /** First sequence number of the call's block. */
    readonly base: number,
    /** Steps already due when armed run at this instant, in block order. */
    readonly armedAt: number,
    readonly has: number,
    /** Talk time when armed: a script line heard within it may book. */
    readonly talkMs: number,
    readonly bookings: readonly BookingLine[],
    readonly transcriptPlace: number,
  ) {}

  get label(): string {
    return `call ${this.call.id}`;
  }

  run(): void {
    const place = this.seq - this.base;
    runStep(this, place);
    if (this.call.task !== this || this.cancelled) return;
    if (!this.queueNext()) {
      this.call.task = null;
      settled(this.world, this.call);
    }
  }

  weight(): number {
    let n = 1;
    let at = this.at;
    let place = this.seq - this.base;
    for (;;) {
      const next = this.next(at, place);
      if (!next) return n;
      n++;
      [at, place] = next;
    }
  }

  /** Queues the step after the current one; false when none is left. */
  queueNext(): boolean {
    const next = this.next(this.at, this.seq - this.base);
    if (!next) return false;
    this.world.scheduler.requeue(this, next[0], this.base + next[1]);
    return true;
  }

  /** When step `place` runs, or undefined when the call did not have it when armed. */
  private timeOf(place: number): number | undefined {
    const c = this.call;
    let t: number | null | undefined;
    if (place === RING) t = this.has & HAS_RING ? c.planRingingAt : undefined;
    else if (place === ANSWER) t = this.has & HAS_ANSWER ? c.planAnsweredAt : undefined;
    else if (place === END) t = this.has & HAS_END ? c.planEndAt : undefined;
    else if (place === this.transcriptPlace) t = this.has & HAS_TRANSCRIPT ? c.planEndAt + this.world.timings.transcriptDelayMs : undefined;
    else if (place === this.transcriptPlace + 1) t = this.has & HAS_RECORDING ? c.planEndAt + this.world.timings.recordingDelayMs : undefined;
    else {
      const b = this.bookings[place - FIRST_BOOKING];
      const answered = c.planAnsweredAt;
      if (b && answered !== null && b.startMs < this.talkMs && answered + b.endMs <= c.planEndAt) t = answered + b.endMs;
    }
    return t === null || t === undefined ? undefined : Math.max(t, this.armedAt);
  }

  /** The first step after (at, place) in (time, place) order. */
  private next(at: number, place: number): [number, number] | undefined {
    let best: [number, number] | undefined;
    for (let p = 0; p <= this.transcriptPlace + 1; p++) {
      const t = this.timeOf(p);
      if (t === undefined || t < at || (t === at && p <= place)) continue;
      if (!best || t < best[0] || (t === best[0] && p < best[1])) best = [t, p];
    }
    return best;
  }
}

function runStep(task: CallTask, place: number): void {
  const { world, call } = task;
  if (place === RING) setStatus(world, call, RINGING);
  else if (place === ANSWER) setStatus(world, call, IN_PROGRESS);
  else if (place === END) endCall(world, call, call.planFinal, call.planReason);
  else if (place === task.transcriptPlace) markReady(world, call, 'transcript');
  else if (place === task.transcriptPlace + 1) markReady(world, call, 'recording');
  else {
    // A live agent books only by what it does on the call (the media engine's business).
    if (call.statusCode !== IN_PROGRESS || call.liveAgent) return;
    call.booking = { ...task.bookings[place - FIRST_BOOKING].data };
    world.bus.emit({ type: 'booking.created', at: world.now(), accountId: call.accountId, call, booking: call.booking });
  }
}

/** Schedules every step of a call's plan still ahead (also after a snapshot restore). */
export function armCall(world: World, call: CallRecord): void {
  const status = call.statusCode;
  const answers = call.planAnswerOff !== null;
  let has = 0;
  if (status === QUEUED && call.planRingOff !== null) has |= HAS_RING;
  if ((status === QUEUED || status === RINGING) && answers) has |= HAS_ANSWER;
  if (!call.isFinal) has |= HAS_END;
  if (answers && !call.transcriptReady) has |= HAS_TRANSCRIPT;
  if (answers && !call.recordingReady) has |= HAS_RECORDING;
  const conv = findConversation(world.library, call.conversationId);
  const bookings = conv && answers && !call.booking ? bookingsOf(conv) : [];
  const size = blockSize(world);
  const task = new CallTask(world, call, world.scheduler.reserve(size), world.now(), has, call.talkMs, bookings, size - 2);
  task.at = -Infinity;
  task.seq = task.base - 1;
  call.task = task;
  if (!task.queueNext()) {
    call.task = null;
    settled(world, call);
  }
}

/** Cancels whatever step the call has queued. */
export function disarmCall(world: World, call: CallRecord): void {
  world.scheduler.cancel(call.task ?? undefined);
  call.task = null;
}

/** A call with nothing left to happen: it may now leave the store (retention). */
function settled(world: World, call: CallRecord): void {
  if (call.isFinal) world.retention?.settled(call);
}

function setStatus(world: World, call: CallRecord, status: number): void {
  if (call.isFinal || call.statusCode === status) return;
  const previous = call.status;
  const from = call.statusCode;
  const now = world.now();
  call.statusCode = status;
  if (status === RINGING) call.ringOff = now - call.createdAt;
  else if (status === IN_PROGRESS) call.answerOff = now - call.createdAt;
  world.store(call.accountId).calls.moved(call, from);
  world.bus.emit({ type: 'call.status', at: now, accountId: call.accountId, call, previous });
  if (status === IN_PROGRESS) world.bus.emit({ type: 'call.started', at: now, accountId: call.accountId, call });
}

export function endCall(world: World, call: CallRecord, final: CallStatus, reason: EndedReason): void {
  if (call.isFinal) return;
  setStatus(world, call, statusCode(final));
  const now = world.now();
  call.endedAt = now;
  call.endedReason = reason;
  if (call.answerOff !== null) call.talkMs = call.endOff! - call.answerOff;
  chargeCall(world, call);
  world.bus.emit({ type: 'call.ended', at: now, accountId: call.accountId, call });
  onCampaignCallEnded(world, call);
  finishPendingDelete(world, call.accountId, call.agentId);
}

function markReady(world: World, call: CallRecord, what: 'transcript' | 'recording'): void {
  if (call.answerOff === null) return;
  if (what === 'transcript') {
    call.transcriptReady = true;
    world.bus.emit({ type: 'transcript.ready', at: world.now(), accountId: call.accountId, call });
  } else {
    call.recordingReady = true;
    world.bus.emit({ type: 'recording.ready', at: world.now(), accountId: call.accountId, call });
  }
}
