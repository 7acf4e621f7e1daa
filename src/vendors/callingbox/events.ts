import { createHash } from 'node:crypto';
import type { SimEvent } from '../../sim/events.js';
import type { Call } from '../../sim/types.js';
import type { World } from '../../sim/world.js';
import type { VendorServices, WebhookMessage } from '../types.js';
import { callJson } from './mappers.js';

/**
 * CallingBox documents no webhooks; callsim offers call lifecycle events in its style as an
 * extension. `queued` is the answer of `POST /v1/calls` itself, so no event repeats it. Busy,
 * no-answer, failed and canceled calls all end in `call.failed` (`data.status` and
 * `data.failure_reason` say which).
 */
export const CALLINGBOX_EVENTS = ['call.ringing', 'call.in_progress', 'call.completed', 'call.failed', 'call.transcript_ready', 'call.recording_ready'];

const schema = (name: string) => `#/webhooks/${name}/post/requestBody/content/application~1json/schema`;

function message(event: string, e: Extract<SimEvent, { call: Call }>, world: World, services: VendorServices): WebhookMessage {
  const id = `evt_${createHash('sha256').update(`${event}:${e.call.id}:${e.at}`).digest('hex').slice(0, 24)}`;
  return {
    event,
    orderKey: e.call.id,
    schemaPointer: schema(event),
    payload: { id, type: event, created_at: new Date(e.at).toISOString(), data: callJson(world, services, e.call, e.at) },
  };
}

/** The status this event moved to, from the call's timeline: the call may have moved on since. */
function statusAt(call: Call, at: number, previous: Call['status']): Call['status'] {
  const i = call.timeline.findIndex((t, k) => t.at === at && k > 0 && call.timeline[k - 1].status === previous);
  return i >= 0 ? call.timeline[i].status : call.status;
}

export function callingboxWebhooks(e: SimEvent, world: World, services: VendorServices): WebhookMessage[] {
  switch (e.type) {
    // Final statuses are reported by call.ended, once the end time and duration are set.
    case 'call.status': {
      const status = statusAt(e.call, e.at, e.previous);
      if (status === 'ringing') return [message('call.ringing', e, world, services)];
      if (status === 'in-progress') return [message('call.in_progress', e, world, services)];
      return [];
    }
    case 'call.ended':
      return [message(e.call.status === 'completed' ? 'call.completed' : 'call.failed', e, world, services)];
    case 'transcript.ready':
      return [message('call.transcript_ready', e, world, services)];
    case 'recording.ready':
      return [message('call.recording_ready', e, world, services)];
    default:
      return [];
  }
}
