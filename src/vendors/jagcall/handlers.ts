import { fail } from '../../engine/errors.js';
import { ok } from '../../engine/respond.js';
import { exactly } from '../../engine/surface.js';
import type { defaults, endpoints } from '../../generated/jagcall.js';
import { createAgent, deleteAgent, getAgent, listAgents, updateAgent } from '../../sim/agents.js';
import { createCall, getCallOrThrow, processing, queryCalls } from '../../sim/calls.js';
import { isoSeconds } from '../../sim/clock.js';
import { notFound } from '../../sim/errors.js';
import { assignNumber, buyNumber, getNumber, listNumbers, releaseNumber, searchAvailable } from '../../sim/numbers.js';
import { listConversations, listMessages, sendSms } from '../../sim/sms.js';
import type { Call } from '../../sim/types.js';
import type { World } from '../../sim/world.js';
import { dateBound, paginate, type Sliceable } from '../shared/http.js';
import { recordingLink, STATUS_FROM_SNAKE } from '../shared/mappers.js';
import type { VendorHandlers } from '../types.js';
import { agentJson, availableJson, callJson, conversationJson, numberJson, smsJson, transcriptJson } from './mappers.js';

type H = VendorHandlers<endpoints, defaults>;

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * A transcript or recording asked for before it exists answers 409 saying why and when: the call is
 * still live, or it ended moments ago and is being processed (with `Retry-After`). A never-answered
 * call's transcript is complete and empty; its recording does not exist (the caller decides).
 */
function notReady(world: World, call: Call, what: 'transcript' | 'recording'): void {
  const p = processing(world, call, what);
  const after = `its ${what} is ready ${seconds(what === 'transcript' ? world.timings.transcriptDelayMs : world.timings.recordingDelayMs)} after it ends`;
  if (p.state === 'live') throw fail('conflict', `call ${call.id} is still ${callJson(call).status}; ${after}`, { code: 'call_in_progress' });
  if (p.state === 'pending') {
    const left = p.readyAt - world.now();
    throw fail(
      'conflict',
      `call ${call.id} ended moments ago and its ${what} is being processed: ready in about ${seconds(left)} (retry then, or wait for call.${what}_ready)`,
      {
        code: `${what}_not_ready`,
        retryAfterSec: Math.max(1, Math.ceil(left / 1000)),
      },
    );
  }
}

/** `{data, pagination}` with the documented `page` / `per_page`. */
function page<T, U>(q: { page: number; per_page: number }, items: Sliceable<T>, map: (t: T) => U) {
  const { items: slice, total } = paginate(items, q.page, q.per_page);
  return ok({ data: slice.map(map), pagination: { page: q.page, per_page: q.per_page, total } });
}

export const handlers = exactly<H>()({
  listAgents: ({ world, account, query }) => page(query, listAgents(world, account.id), (a) => agentJson(world, a)),

  createAgent: ({ world, account, body }) => {
    const agent = createAgent(world, account.id, {
      name: body.name,
      prompt: body.system_prompt ?? null,
      voice: body.voice_id ?? 'rachel',
      language: body.language ?? 'en',
    });
    return ok(agentJson(world, agent), 201);
  },

  getAgent: ({ world, account, params }) => ok(agentJson(world, getAgent(world, account.id, params.id))),

  updateAgent: ({ world, account, params, body }) => {
    const agent = getAgent(world, account.id, params.id);
    updateAgent(world, agent, {
      ...(body.name !== undefined && { name: body.name }),
      ...(body.system_prompt !== undefined && { prompt: body.system_prompt }),
      ...(body.voice_id !== undefined && { voice: body.voice_id }),
      ...(body.language !== undefined && { language: body.language }),
      ...(body.status !== undefined && { status: body.status === 'active' ? 'active' : 'inactive' }),
    });
    return ok(agentJson(world, agent));
  },

  deleteAgent: ({ world, account, params }) => {
    const agent = getAgent(world, account.id, params.id);
    deleteAgent(world, agent);
    return ok({ deleted: true, id: agent.id });
  },

  listCalls: ({ world, account, query }) => {
    const calls = queryCalls(world, account.id, {
      agentId: query.agent_id,
      status: query.status ? [STATUS_FROM_SNAKE[query.status]] : undefined,
      // DateOrDateTime is a oneOf of two string formats, which the generated type leaves unknown.
      since: dateBound(query.from as string | undefined, false),
      until: dateBound(query.to as string | undefined, true),
    });
    return page(query, calls, callJson);
  },

  createCall: ({ world, account, body }) => {
    const call = createCall(world, { accountId: account.id, agentId: body.agent_id, to: body.to, metadata: body.metadata });
    return ok(callJson(call), 201);
  },

  getCall: ({ world, account, params }) => ok(callJson(getCallOrThrow(world, account.id, params.id))),

  getCallTranscript: ({ world, account, params }) => {
    const call = getCallOrThrow(world, account.id, params.id);
    notReady(world, call, 'transcript');
    return ok({ call_id: call.id, transcript: transcriptJson(world, call) });
  },

  getCallRecording: ({ world, account, params, services }) => {
    const call = getCallOrThrow(world, account.id, params.id);
    notReady(world, call, 'recording');
    const link = recordingLink(services, call, world.now());
    if (!link) throw fail('conflict', `call ${call.id} has no recording: it was never answered`, { code: 'no_recording' });
    return ok({ call_id: call.id, recording_url: link.url, expires_at: isoSeconds(link.expiresAt) });
  },

  listPhoneNumbers: ({ world, account, query }) => page(query, listNumbers(world, account.id), numberJson),

  searchPhoneNumbers: ({ world, account, query, body }) =>
    page(query, searchAvailable(world, account.namespace, { country: body.country, areaCode: body.area_code, capabilities: body.capabilities }), availableJson),

  purchasePhoneNumber: ({ world, account, body }) => {
    if (body.agent_id) getAgent(world, account.id, body.agent_id);
    const number = buyNumber(world, account.id, body.number);
    if (body.agent_id) assignNumber(world, number, body.agent_id);
    return ok(numberJson(number), 201);
  },

  updatePhoneNumber: ({ world, account, params, body }) => {
    const number = getNumber(world, account.id, params.id);
    assignNumber(world, number, body.agent_id ?? null);
    return ok(numberJson(number));
  },

  releasePhoneNumber: ({ world, account, params }) => {
    const number = getNumber(world, account.id, params.id);
    releaseNumber(world, number);
    return ok({ deleted: true, id: number.id });
  },

  sendSms: ({ world, account, body }) => ok(smsJson(sendSms(world, account.id, body)), 201),

  listSmsConversations: ({ world, account, query }) => page(query, listConversations(world, account.id), conversationJson),

  listSmsMessages: ({ world, account, params, query }) => {
    if (!world.store(account.id).smsConversations.has(params.id)) throw notFound('conversation', params.id);
    return page(query, listMessages(world, account.id, params.id), smsJson);
  },

  getBillingBalance: ({ account }) => {
    const b = account.billing;
    return ok({
      balance: b.balanceCents / 100,
      currency: b.currency,
      usage_this_month: { calls: b.calls, call_minutes: b.minutesUsed, sms_sent: b.smsSent, sms_received: b.smsReceived },
    });
  },
});
