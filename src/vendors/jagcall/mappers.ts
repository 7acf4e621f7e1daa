import { isoSeconds } from '../../sim/clock.js';
import type { Agent, AvailableNumber, Call, PhoneNumber, SmsConversation, SmsMessage } from '../../sim/types.js';
import type { World } from '../../sim/world.js';
import { durationSec, orNull, SNAKE_STATUS, transcriptTurns } from '../shared/mappers.js';

export const jagcallStatus = (s: Call['status']): string => SNAKE_STATUS[s];

const ts = orNull(isoSeconds);

/** The documented transcript turns: `agent` or `user`, with `timestamp` in seconds from answer. */
export const transcriptJson = (world: World, c: Call) =>
  transcriptTurns(world, c, (agent, text, timestamp) => ({ role: agent ? 'agent' : 'user', text, timestamp }));

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
    // Always a time: a record never changed was last updated when it was made.
    updated_at: ts(a.updatedAt),
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
    duration_seconds: durationSec(c),
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
