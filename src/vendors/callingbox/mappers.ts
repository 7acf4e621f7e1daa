import { isoSeconds } from '../../sim/clock.js';
import { agentsOfNumber } from '../../sim/numbers.js';
import type { Agent, AvailableNumber, Call, PhoneNumber } from '../../sim/types.js';
import type { World } from '../../sim/world.js';
import { durationSec, orNull, recordingLink, SNAKE_STATUS, transcriptTurns } from '../shared/mappers.js';
import type { VendorServices } from '../types.js';

/**
 * Why a call did not end as a normal conversation; machine-readable so clients can branch on it.
 * A completed call has none unless voicemail picked up.
 */
const FAILURE: Partial<Record<NonNullable<Call['endedReason']>, string>> = {
  busy: 'busy',
  'no-answer': 'no_answer',
  failed: 'unreachable',
  voicemail: 'voicemail',
  canceled: 'canceled',
};

const ts = orNull(isoSeconds);

export function agentJson(a: Agent) {
  return {
    id: a.id,
    name: a.name,
    direction: a.direction,
    prompt: a.prompt,
    voice: a.voice,
    language: a.language,
    first_message: a.firstMessage,
    media_url: a.mediaUrl,
    custom_parameters: a.mediaParameters ? { ...a.mediaParameters } : null,
    number_ids: [...a.numberIds],
    primary_number_id: a.primaryNumberId,
    status: a.status === 'archived' ? 'archived' : 'active',
    created_at: ts(a.createdAt),
    updated_at: ts(a.updatedAt),
  };
}

/** A number lists every agent it is attached to: outbound agents calling from it, the inbound agent answering it. */
export function numberJson(world: World, n: PhoneNumber) {
  return {
    id: n.id,
    phone_number: n.e164,
    country: n.country,
    type: n.type,
    agent_ids: agentsOfNumber(world, n).map((a) => a.id),
    created_at: ts(n.createdAt),
  };
}

export const availableJson = (n: AvailableNumber) => ({
  phone_number: n.e164,
  country: n.country,
  type: n.type,
  area_code: n.areaCode,
  locality: n.locality,
  monthly_price: n.monthlyCostCents / 100,
});

/**
 * The call as CallingBox answers it, with callsim's transcript extension and a recording link
 * signed for an hour from `now` (the request, or the event that reports the call).
 */
export function callJson(world: World, services: VendorServices, c: Call, now = world.now()) {
  return {
    id: c.id,
    agent_id: c.agentId,
    direction: c.direction,
    from: c.from,
    to: c.to,
    status: SNAKE_STATUS[c.status],
    failure_reason: (c.endedReason && FAILURE[c.endedReason]) ?? null,
    duration_seconds: durationSec(c),
    metadata: c.metadata,
    recording_url: recordingLink(services, c, now)?.url ?? null,
    transcript: transcriptTurns(world, c, (agent, text, offset_seconds) => ({ role: agent ? 'agent' : 'user', text, offset_seconds })),
    created_at: ts(c.createdAt),
    started_at: ts(c.answeredAt),
    ended_at: ts(c.endedAt),
  };
}
