import { isoSeconds } from '../../sim/clock.js';
import type { Agent, AvailableNumber, Call, PhoneNumber, SmsConversation, SmsMessage } from '../../sim/types.js';
import type { World } from '../../sim/world.js';

const STATUS: Record<Call['status'], string> = {
  queued: 'queued',
  ringing: 'ringing',
  'in-progress': 'in_progress',
  completed: 'completed',
  busy: 'busy',
  'no-answer': 'no_answer',
  failed: 'failed',
  canceled: 'canceled',
};
export const STATUS_FROM_JAGCALL = Object.fromEntries(Object.entries(STATUS).map(([k, v]) => [v, k])) as Record<string, Call['status']>;
export const jagcallStatus = (s: Call['status']): string => STATUS[s];

const ts = (ms: number | null): string | null => (ms === null ? null : isoSeconds(ms));

export function agentJson(world: World, a: Agent) {
  const numbers = world.store(a.accountId).numbers;
  const primary = a.primaryNumberId ? numbers.get(a.primaryNumberId) : undefined;
  return {
    id: a.id,
    name: a.name,
    status: a.status === 'active' ? 'active' : 'inactive',
    phone_number: primary?.e164 ?? null,
    voice_id: a.voice ?? 'rachel',
    language: a.language,
    system_prompt: a.prompt,
    created_at: ts(a.createdAt),
    updated_at: a.updatedAt === a.createdAt ? null : ts(a.updatedAt),
  };
}

export function callJson(c: Call) {
  return {
    id: c.id,
    agent_id: c.agentId,
    direction: c.direction,
    to: c.to,
    from: c.from,
    status: jagcallStatus(c.status),
    duration_seconds: c.endedAt === null ? null : Math.round(c.talkMs / 1000),
    metadata: c.metadata,
    started_at: ts(c.answeredAt),
    ended_at: ts(c.endedAt),
    created_at: ts(c.createdAt),
  };
}

export function numberJson(n: PhoneNumber) {
  return {
    id: n.id,
    number: n.e164,
    agent_id: n.agentId,
    capabilities: n.capabilities,
    country: n.country,
    status: n.status,
    created_at: ts(n.createdAt),
    updated_at: ts(n.updatedAt),
  };
}

export const availableJson = (n: AvailableNumber) => ({ number: n.e164, capabilities: n.capabilities, monthly_cost: n.monthlyCostCents / 100 });

export const smsJson = (m: SmsMessage) => ({
  id: m.id,
  direction: m.direction,
  status: m.status,
  from: m.from,
  to: m.to,
  body: m.body,
  created_at: ts(m.createdAt),
});

export const conversationJson = (c: SmsConversation) => ({
  id: c.id,
  contact: c.contact,
  number: c.number,
  last_message: c.lastMessage,
  updated_at: ts(c.updatedAt),
  message_count: c.messageCount,
});
