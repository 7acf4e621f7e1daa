import { isoSeconds } from '../../sim/clock.js';
import type { SimEvent } from '../../sim/events.js';
import type { World } from '../../sim/world.js';
import { eventId } from '../shared/events.js';
import { recordingLink } from '../shared/mappers.js';
import type { VendorServices, WebhookMessage } from '../types.js';
import { callJson, jagcallStatus, smsJson, transcriptJson } from './mappers.js';

/**
 * JagCall documents no webhooks; callsim offers lifecycle events in its style (snake_case,
 * `{ data }` objects) through the admin subscription, as an extension.
 */
export const JAGCALL_EVENTS = [
  'call.status_changed',
  'call.started',
  'call.ended',
  'call.transcript_ready',
  'call.recording_ready',
  'sms.received',
  'sms.delivered',
];

export function jagcallWebhooks(e: SimEvent, world: World, services: VendorServices): WebhookMessage[] {
  return jagcallMessages(e, world, services).map((m) => ({
    ...m,
    schemaPointer: `#/webhooks/${m.event}/post/requestBody/content/application~1json/schema`,
    payload: { id: eventId('evt_', m.event, m.orderKey, e.at, JSON.stringify(m.payload.data)), type: m.event, created_at: isoSeconds(e.at), ...m.payload },
  }));
}

function jagcallMessages(e: SimEvent, world: World, services: VendorServices): WebhookMessage[] {
  switch (e.type) {
    case 'call.status':
      return [{ event: 'call.status_changed', orderKey: e.call.id, payload: { data: { ...callJson(e.call), previous_status: jagcallStatus(e.previous) } } }];
    case 'call.started':
      return [{ event: 'call.started', orderKey: e.call.id, payload: { data: callJson(e.call) } }];
    case 'call.ended':
      return [{ event: 'call.ended', orderKey: e.call.id, payload: { data: callJson(e.call) } }];
    case 'transcript.ready':
      return [{ event: 'call.transcript_ready', orderKey: e.call.id, payload: { data: { call_id: e.call.id, transcript: transcriptJson(world, e.call) } } }];
    case 'recording.ready': {
      const link = recordingLink(services, e.call, e.at);
      if (!link) return [];
      return [
        {
          event: 'call.recording_ready',
          orderKey: e.call.id,
          payload: { data: { call_id: e.call.id, recording_url: link.url, expires_at: isoSeconds(link.expiresAt) } },
        },
      ];
    }
    case 'sms.received':
      return [{ event: 'sms.received', orderKey: `sms:${e.message.conversationId}`, payload: { data: smsJson(e.message) } }];
    case 'sms.delivered':
      return [{ event: 'sms.delivered', orderKey: `sms:${e.message.conversationId}`, payload: { data: smsJson(e.message) } }];
    default:
      return [];
  }
}
