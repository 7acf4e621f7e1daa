import { chargeSms } from './billing.js';
import { invalid, notFound } from './errors.js';
import { findOwnedNumber } from './numbers.js';
import { isE164 } from './phone.js';
import { SortedList } from './sorted.js';
import type { SmsConversation, SmsMessage } from './types.js';
import type { World } from './world.js';

const before = (a: SmsMessage, b: SmsMessage): boolean => a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);

/**
 * Each conversation's messages in order, beside the account's message map (a restore replaces the
 * map, and with it this index): listing one conversation reads that conversation, not every message.
 */
const threads = new WeakMap<Map<string, SmsMessage>, Map<string, SortedList<SmsMessage>>>();

function threadsOf(messages: Map<string, SmsMessage>): Map<string, SortedList<SmsMessage>> {
  let byConversation = threads.get(messages);
  if (!byConversation) {
    byConversation = new Map();
    for (const m of messages.values()) thread(byConversation, m.conversationId).insert(m);
    threads.set(messages, byConversation);
  }
  return byConversation;
}

function thread(byConversation: Map<string, SortedList<SmsMessage>>, id: string): SortedList<SmsMessage> {
  let list = byConversation.get(id);
  if (!list) byConversation.set(id, (list = new SortedList(before)));
  return list;
}

function conversationFor(world: World, accountId: string, number: string, contact: string, at: number): SmsConversation {
  const store = world.store(accountId);
  for (const c of store.smsConversations.values()) if (c.number === number && c.contact === contact) return c;
  const conv: SmsConversation = {
    id: world.nextId(accountId, 'conversation'),
    accountId,
    contact,
    number,
    lastMessage: '',
    messageCount: 0,
    updatedAt: at,
  };
  store.smsConversations.set(conv.id, conv);
  return conv;
}

function record(
  world: World,
  accountId: string,
  m: Omit<SmsMessage, 'id' | 'conversationId' | 'accountId'>,
  opts: { id?: string; conversationId?: string } = {},
): SmsMessage {
  const number = m.direction === 'outbound' ? m.from : m.to;
  const contact = m.direction === 'outbound' ? m.to : m.from;
  const store = world.store(accountId);
  const conv = (opts.conversationId && store.smsConversations.get(opts.conversationId)) || conversationFor(world, accountId, number, contact, m.createdAt);
  if (opts.conversationId && conv.id !== opts.conversationId) {
    store.smsConversations.delete(conv.id);
    conv.id = opts.conversationId;
    store.smsConversations.set(conv.id, conv);
    // Only fixtures rename a conversation; the index is rebuilt on the next listing.
    threads.delete(store.smsMessages);
  }
  const msg: SmsMessage = Object.assign({}, m, { id: opts.id ?? world.nextId(accountId, 'sms'), accountId, conversationId: conv.id });
  const known = threads.get(store.smsMessages);
  if (known) {
    const old = store.smsMessages.get(msg.id);
    if (old) known.get(old.conversationId)?.delete(old);
    thread(known, msg.conversationId).insert(msg);
  }
  store.smsMessages.set(msg.id, msg);
  conv.lastMessage = m.body;
  conv.messageCount += 1;
  conv.updatedAt = Math.max(conv.updatedAt, m.createdAt);
  return msg;
}

/**
 * Sends from one of the account's numbers. The carrier takes it at once, so the answer says `sent`
 * (JagCall's page shows exactly that); it is `delivered` a moment later on the clock, with an event.
 */
export function sendSms(world: World, accountId: string, input: { from: string; to: string; body: string }): SmsMessage {
  if (!findOwnedNumber(world, accountId, input.from)) throw invalid('from', 'owned', `${input.from} is not one of your phone numbers`);
  if (!isE164(input.to)) throw invalid('to', 'format', 'to must be an E.164 phone number');
  const msg = record(world, accountId, { direction: 'outbound', from: input.from, to: input.to, body: input.body, status: 'sent', createdAt: world.now() });
  chargeSms(world, accountId, 'outbound');
  scheduleDelivery(world, msg);
  return msg;
}

/** A sent message reaches the handset `smsDeliveredMs` after it was sent (also after a restore). */
export function scheduleDelivery(world: World, msg: SmsMessage): void {
  world.scheduler.at(
    msg.createdAt + world.timings.smsDeliveredMs,
    () => {
      msg.status = 'delivered';
      world.bus.emit({ type: 'sms.delivered', at: world.now(), accountId: msg.accountId, message: msg });
    },
    `sms ${msg.id}`,
  );
}

export function receiveSms(world: World, accountId: string, input: { from: string; to: string; body: string }): SmsMessage {
  const msg = record(world, accountId, { direction: 'inbound', from: input.from, to: input.to, body: input.body, status: 'received', createdAt: world.now() });
  chargeSms(world, accountId, 'inbound');
  world.bus.emit({ type: 'sms.received', at: world.now(), accountId, message: msg });
  return msg;
}

/** For fixtures: a message as it stood, with its given ids and time. */
export function seedSms(
  world: World,
  accountId: string,
  m: Omit<SmsMessage, 'id' | 'conversationId' | 'accountId'> & { id: string; conversationId: string },
): SmsMessage {
  return record(world, accountId, m, { id: m.id, conversationId: m.conversationId });
}

export function listConversations(world: World, accountId: string): SmsConversation[] {
  return [...world.store(accountId).smsConversations.values()].sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1));
}

/** Oldest first; O(that conversation's messages). */
export function listMessages(world: World, accountId: string, conversationId: string): SmsMessage[] {
  const store = world.store(accountId);
  if (!store.smsConversations.has(conversationId)) throw notFound('conversation', conversationId);
  const list = threadsOf(store.smsMessages).get(conversationId);
  return list ? [...list] : [];
}
