import type { Call, Campaign, SmsMessage } from './types.js';

/** What happened in the world; vendors translate these into their own webhook events. */
export type SimEvent =
  | { type: 'call.created'; at: number; accountId: string; call: Call }
  | { type: 'call.status'; at: number; accountId: string; call: Call; previous: Call['status'] }
  | { type: 'call.started'; at: number; accountId: string; call: Call }
  | { type: 'call.ended'; at: number; accountId: string; call: Call }
  | { type: 'transcript.ready'; at: number; accountId: string; call: Call }
  | { type: 'recording.ready'; at: number; accountId: string; call: Call }
  | { type: 'booking.created'; at: number; accountId: string; call: Call; booking: Record<string, unknown> }
  | { type: 'campaign.completed'; at: number; accountId: string; campaign: Campaign }
  | { type: 'sms.received'; at: number; accountId: string; message: SmsMessage }
  | { type: 'sms.delivered'; at: number; accountId: string; message: SmsMessage };

type Listener = (event: SimEvent) => void;

/** Synchronous fan-out: listeners only enqueue work, so the sim never waits on a receiver. */
export class EventBus {
  private listeners: Listener[] = [];
  on(listener: Listener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
  emit(event: SimEvent): void {
    for (const l of this.listeners) l(event);
  }
}
