import { callTranscript } from '../../sim/calls.js';
import type { Call, CallStatus } from '../../sim/types.js';
import type { World } from '../../sim/world.js';
import type { VendorServices } from '../types.js';

/** The snake_case status names three vendors share (`in_progress`, `no_answer`). */
export const SNAKE_STATUS: Record<CallStatus, string> = {
  queued: 'queued',
  ringing: 'ringing',
  'in-progress': 'in_progress',
  completed: 'completed',
  busy: 'busy',
  'no-answer': 'no_answer',
  failed: 'failed',
  canceled: 'canceled',
};

/** A vendor status filter back to the neutral status. */
export const STATUS_FROM_SNAKE = Object.fromEntries(Object.entries(SNAKE_STATUS).map(([k, v]) => [v, k])) as Record<string, CallStatus>;

/** A nullable time in a vendor's own format. */
export const orNull =
  (format: (ms: number) => string) =>
  (ms: number | null): string | null =>
    ms === null ? null : format(ms);

/** Every vendor's recording links live for one hour (CallGeni.us: "URLs expire after 1 hour"). */
const RECORDING_TTL_MS = 60 * 60 * 1000;

/**
 * A call's signed recording link from `now` (the request, or the event that reports it), or null
 * while there is none. Whole seconds: the link carries its expiry in seconds, and the answer's
 * `expires_at` must name the same instant.
 */
export function recordingLink(services: VendorServices, call: Call, now: number): { url: string; expiresAt: number } | null {
  if (!call.recordingReady) return null;
  const expiresAt = Math.floor((now + RECORDING_TTL_MS) / 1000) * 1000;
  return { url: services.recordingUrl(call.id, expiresAt), expiresAt };
}

/** The transcript's turns in a vendor's shape: `agent` or the other party, text, offset in seconds. */
export function transcriptTurns<T>(world: World, call: Call, turn: (agent: boolean, text: string, offsetSec: number) => T): T[] {
  return callTranscript(world, call).map((t) => turn(t.speaker === 'agent', t.text, t.offsetMs / 1000));
}

/** Answered talk time in whole seconds once the call has ended; null before. */
export const durationSec = (c: Call): number | null => (c.endedAt === null ? null : Math.round(c.talkMs / 1000));
