import { callSummary } from '../../sim/calls.js';
import type { SimEvent } from '../../sim/events.js';
import type { World } from '../../sim/world.js';
import type { VendorServices, WebhookMessage } from '../types.js';
import { callJson, campaignJson, int, tenantIdOf, transcriptJson, ts } from './mappers.js';

/** The documented events (seed page, "Webhooks"); subscriptions may ask for any of them. */
export const CALLGENIUS_EVENTS = ['call.started', 'call.ended', 'call.transcript_ready', 'booking.created', 'campaign.completed'];

const schema = (name: string) => `#/webhooks/${name}/post/requestBody/content/application~1json/schema`;

/** Booking values are flat scalars in the payload schema; anything nested travels as JSON text. */
function flatBooking(b: Record<string, unknown>): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(b)) {
    out[k] = v === null || ['string', 'number', 'boolean'].includes(typeof v) ? (v as string | number | boolean | null) : JSON.stringify(v);
  }
  return out;
}

/** Neutral sim events → CallGeni.us deliveries: `{event, created_at, tenant_id, data}`. */
export function callgeniusWebhooks(e: SimEvent, world: World, _services: VendorServices): WebhookMessage[] {
  const account = world.accounts.get(e.accountId);
  if (!account) return [];
  const envelope = (event: string, data: unknown, orderKey: string): WebhookMessage[] => [
    {
      event,
      orderKey,
      schemaPointer: schema(event),
      payload: { event, created_at: ts(e.at), tenant_id: tenantIdOf(account), data },
    },
  ];
  switch (e.type) {
    case 'call.started':
      return envelope('call.started', callJson(world, e.call), e.call.id);
    case 'call.ended':
      return envelope('call.ended', callJson(world, e.call), e.call.id);
    case 'transcript.ready': {
      const { summary, sentiment } = callSummary(world, e.call);
      return envelope(
        'call.transcript_ready',
        {
          call_id: int(e.call.id),
          agent_id: int(e.call.agentId),
          summary,
          sentiment_score: sentiment,
          transcript: transcriptJson(world, e.call, e.at),
        },
        e.call.id,
      );
    }
    case 'booking.created':
      return envelope(
        'booking.created',
        {
          call_id: int(e.call.id),
          agent_id: int(e.call.agentId),
          caller_number: e.call.direction === 'inbound' ? e.call.from : e.call.to,
          booking: flatBooking(e.booking),
        },
        e.call.id,
      );
    case 'campaign.completed':
      return envelope('campaign.completed', campaignJson(e.campaign), `campaign:${e.campaign.id}`);
    default:
      return [];
  }
}
