import { callSummary } from '../../sim/calls.js';
import { isoTime } from '../../sim/clock.js';
import type { SimEvent } from '../../sim/events.js';
import type { Call } from '../../sim/types.js';
import type { World } from '../../sim/world.js';
import { eventId } from '../shared/events.js';
import { recordingLink } from '../shared/mappers.js';
import type { VendorServices, WebhookMessage } from '../types.js';
import { calleagueStatus, durationSec, transcriptJson } from './mappers.js';

/** The events `POST /api/core/webhook` accepts (the spec's `WebhookEvent` enum). */
export const CALLEAGUE_EVENTS = ['call.started', 'call.status', 'call.ended', 'transcript.ready', 'recording.ready'] as const;
type CalleagueEvent = (typeof CALLEAGUE_EVENTS)[number];

const pointer = (event: CalleagueEvent) => `#/webhooks/${event}/post/requestBody/content/application~1json/schema`;

/** Fields every event carries; the docs promise the call's metadata is echoed on its events. */
function base(event: CalleagueEvent, e: { at: number }, call: Call) {
  const status = calleagueStatus(call.status);
  return {
    eventId: eventId('evt_', event, call.id, status, e.at),
    event,
    callId: call.id,
    agentId: call.agentId,
    status,
    metadata: call.metadata,
    timestamp: isoTime(e.at),
  };
}

const message = (event: CalleagueEvent, call: Call, payload: Record<string, unknown>): WebhookMessage[] => [
  { event, orderKey: call.id, schemaPointer: pointer(event), payload },
];

export function calleagueWebhooks(e: SimEvent, world: World, services: VendorServices): WebhookMessage[] {
  switch (e.type) {
    case 'call.status': {
      const previousStatus = calleagueStatus(e.previous);
      // queued → ringing is no change in Calleague's names, so nothing to tell.
      if (previousStatus === calleagueStatus(e.call.status)) return [];
      return message('call.status', e.call, { ...base('call.status', e, e.call), previousStatus });
    }
    case 'call.started': {
      const c = e.call;
      return message('call.started', c, {
        ...base('call.started', e, c),
        direction: c.direction,
        to: c.to,
        from: c.from,
        language: c.language,
        answeredAt: isoTime(c.answeredAt ?? e.at),
      });
    }
    case 'call.ended': {
      const c = e.call;
      return message('call.ended', c, {
        ...base('call.ended', e, c),
        endedReason: c.endedReason ?? 'completed',
        durationSec: durationSec(c) ?? 0,
        endedAt: isoTime(c.endedAt ?? e.at),
      });
    }
    case 'transcript.ready': {
      const { summary, sentiment } = callSummary(world, e.call);
      return message('transcript.ready', e.call, { ...base('transcript.ready', e, e.call), transcript: transcriptJson(world, e.call), summary, sentiment });
    }
    case 'recording.ready': {
      // Timed from the event, not the delivery, so a seeded run signs the same link twice.
      const link = recordingLink(services, e.call, e.at);
      if (!link) return [];
      return message('recording.ready', e.call, {
        ...base('recording.ready', e, e.call),
        recordingUrl: link.url,
        expiresAt: isoTime(link.expiresAt),
        durationSec: durationSec(e.call) ?? 0,
      });
    }
    default:
      return [];
  }
}
