import type { Callsim } from './app.js';
import { callSummary, callTranscript, isLive } from './sim/calls.js';
import type { Call } from './sim/types.js';
import type { Delivery } from './webhooks/dispatcher.js';
import { redactUrl, type Subscription } from './webhooks/subscriptions.js';

/**
 * The neutral views the admin API and the dashboard both show (one module, so the page and the REST
 * answers never drift apart). Shapes are specs/admin.yaml's.
 */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A call across vendors, for the dashboard and CI scripts. */
export function callSummaryJson(sim: Callsim, c: Call) {
  const account = sim.world.accounts.get(c.accountId);
  const agent = sim.world.stores.get(c.accountId)?.agents.get(c.agentId);
  return {
    id: c.id,
    vendor: account?.namespace ?? null,
    account: c.accountId,
    agent_id: c.agentId,
    agent_name: agent?.name ?? null,
    direction: c.direction,
    from: c.from,
    to: c.to,
    status: c.status,
    ended_reason: c.endedReason,
    language: c.language,
    created_at: iso(c.createdAt),
    answered_at: iso(c.answeredAt),
    ended_at: iso(c.endedAt),
    duration_sec:
      c.endedAt !== null ? Math.round(c.talkMs / 1000) : c.answeredAt !== null ? Math.max(0, Math.round((sim.world.now() - c.answeredAt) / 1000)) : 0,
    transcript_ready: c.transcriptReady,
    recording_ready: c.recordingReady,
    campaign_id: c.campaignId,
  };
}

/** One call with its timeline, transcript, outcome and a fresh recording link. */
export function callDetailJson(sim: Callsim, c: Call) {
  const vendor = sim.world.accounts.get(c.accountId)?.namespace ?? '';
  const { summary, sentiment } = callSummary(sim.world, c);
  return {
    ...callSummaryJson(sim, c),
    // The final entry says why, when the status alone does not (an inbound call nobody answered).
    timeline: c.timeline.map((t, i, all) => ({ status: t.status, at: iso(t.at), ...(c.note && i === all.length - 1 && !isLive(c) && { reason: c.note }) })),
    transcript: callTranscript(sim.world, c).map((t) => ({ speaker: t.speaker, text: t.text, offset_sec: t.offsetMs / 1000 })),
    summary,
    sentiment,
    booking: c.booking,
    metadata: c.metadata,
    recording_url: c.recordingReady ? sim.signRecordingUrl(vendor, c.id, sim.world.now() + 3_600_000) : null,
  };
}

/** Same shape as GET /__sim/clock, so the page reads one format from the stream and from REST. */
export function clockJson(sim: Callsim) {
  const w = sim.world;
  const next = w.scheduler.nextAt();
  return {
    mode: w.clock.mode,
    now: iso(w.now())!,
    nowMs: w.now(),
    speed: sim.options.clock === 'real' ? sim.options.speed : null,
    pending: w.scheduler.size(),
    nextAt: next !== undefined ? iso(next) : null,
  };
}

export function deliveryJson(d: Delivery) {
  let payload: unknown = d.body;
  try {
    payload = JSON.parse(d.body);
  } catch {
    /* keep the raw text */
  }
  return {
    id: d.id,
    subscription_id: d.subscriptionId,
    vendor: d.vendor,
    account: d.accountId || null,
    event: d.event,
    url: redactUrl(d.url),
    state: d.state,
    created_at: iso(d.createdAt),
    next_attempt_at: iso(d.nextAttemptAt),
    redelivery_of: d.redeliveryOf,
    attempts: d.attempts.map((a) => ({ attempt: a.attempt, at: iso(a.at), status: a.status, error: a.error, latency_ms: a.latencyMs })),
    payload,
  };
}

export const subscriptionJson = (s: Subscription) => ({
  id: s.id,
  vendor: s.vendor,
  account: s.accountId,
  url: redactUrl(s.url),
  events: s.events,
  source: s.source,
  created_at: iso(s.createdAt),
});

/** What `GET /__sim/config` shows: the options a running server may change, and how it runs. */
export function configJson(sim: Callsim) {
  const o = sim.options;
  return {
    clock: o.clock,
    speed: o.speed,
    seed: sim.seed,
    strict: o.strict,
    media: o.media,
    faults: o.faults,
    rateLimits: o.rateLimits,
    scenarios: o.scenarios,
    journalSize: o.journalSize,
    webhookTimeoutMs: o.webhookTimeoutMs,
    transcriptDelayMs: o.transcriptDelayMs,
    recordingDelayMs: o.recordingDelayMs,
  };
}
