import { createAgent, deleteAgent, getAgent, listAgents, updateAgent } from '../../sim/agents.js';
import { callTranscript, createCall, getCallOrThrow, isLive, queryCalls } from '../../sim/calls.js';
import { isoSeconds } from '../../sim/clock.js';
import { notFound, SimError } from '../../sim/errors.js';
import { assignNumber, buyNumber, getNumber, listNumbers, releaseNumber, searchAvailable } from '../../sim/numbers.js';
import { listConversations, listMessages, sendSms } from '../../sim/sms.js';
import { dateBound, ok, paginate, type Sliceable } from '../shared/http.js';
import type { Handler, HandlerContext } from '../types.js';
import { agentJson, availableJson, callJson, conversationJson, numberJson, STATUS_FROM_JAGCALL, smsJson } from './mappers.js';

/** JagCall recording links live for one hour; the response says exactly when they stop working. */
const RECORDING_TTL_MS = 60 * 60 * 1000;

function page<T, U>(ctx: HandlerContext, items: Sliceable<T>, map: (t: T) => U) {
  const { page: p, per_page: perPage } = ctx.query as { page: number; per_page: number };
  const { items: slice, total } = paginate(items, p, perPage);
  return ok({ data: slice.map(map), pagination: { page: p, per_page: perPage, total } });
}

export const handlers: Record<string, Handler> = {
  listAgents: (ctx) => page(ctx, listAgents(ctx.world, ctx.account.id), (a) => agentJson(ctx.world, a)),

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

  listCalls: (ctx) => {
    const q = ctx.query;
    const calls = queryCalls(ctx.world, ctx.account.id, {
      agentId: q.agent_id,
      status: q.status ? [STATUS_FROM_JAGCALL[q.status]] : undefined,
      since: dateBound(q.from, false),
      until: dateBound(q.to, true),
    });
    return page(ctx, calls, callJson);
  },

  createCall: ({ world, account, body }) => {
    const call = createCall(world, { accountId: account.id, agentId: body.agent_id, to: body.to, metadata: body.metadata });
    return ok(callJson(call), 201);
  },

  getCall: ({ world, account, params }) => ok(callJson(getCallOrThrow(world, account.id, params.id))),

  getCallTranscript: ({ world, account, params }) => {
    const call = getCallOrThrow(world, account.id, params.id);
    if (isLive(call)) throw new SimError('conflict', `call ${call.id} is still ${callJson(call).status}; the transcript is ready when it ends`);
    return ok({
      call_id: call.id,
      transcript: callTranscript(world, call).map((t) => ({ role: t.speaker === 'agent' ? 'agent' : 'user', text: t.text, timestamp: t.offsetMs / 1000 })),
    });
  },

  getCallRecording: ({ world, account, params, services }) => {
    const call = getCallOrThrow(world, account.id, params.id);
    if (!call.recordingReady) throw new SimError('conflict', isLive(call) ? `call ${call.id} is still in progress` : `call ${call.id} has no recording`);
    const expiresAt = Math.floor((world.now() + RECORDING_TTL_MS) / 1000) * 1000;
    return ok({ call_id: call.id, recording_url: services.recordingUrl('jagcall', call.id, expiresAt), expires_at: isoSeconds(expiresAt) });
  },

  listPhoneNumbers: (ctx) => page(ctx, listNumbers(ctx.world, ctx.account.id), numberJson),

  searchPhoneNumbers: (ctx) => {
    const b = ctx.body;
    return page(
      ctx,
      searchAvailable(ctx.world, ctx.account.namespace, { country: b.country, areaCode: b.area_code, capabilities: b.capabilities }),
      availableJson,
    );
  },

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

  listSmsConversations: (ctx) => page(ctx, listConversations(ctx.world, ctx.account.id), conversationJson),

  listSmsMessages: (ctx) => {
    if (!ctx.world.store(ctx.account.id).smsConversations.has(ctx.params.id)) throw notFound('conversation', ctx.params.id);
    return page(ctx, listMessages(ctx.world, ctx.account.id, ctx.params.id), smsJson);
  },

  getBillingBalance: ({ account }) => {
    const b = account.billing;
    return ok({
      balance: b.balanceCents / 100,
      currency: b.currency,
      usage_this_month: { calls: b.calls, call_minutes: b.minutesUsed, sms_sent: b.smsSent, sms_received: b.smsReceived },
    });
  },
};
