import { type CallList, createCall, getCallOrThrow, queryCalls } from '../../../sim/calls.js';
import { isoTime } from '../../../sim/clock.js';
import type { Call } from '../../../sim/types.js';
import { ok, paginate, type Sliceable } from '../../shared/http.js';
import type { Handler, HandlerContext } from '../../types.js';
import { type CalleagueStatus, callDetailJson, calleagueStatus, callJson, simStatuses } from '../mappers.js';

/** The `{total, list}` page every Calleague list answers. */
export function pageOf<T, U>(ctx: HandlerContext, items: Sliceable<T>, map: (t: T) => U): { total: number; list: U[] } {
  const { page, pageSize } = ctx.query as { page: number; pageSize: number };
  const { items: slice, total } = paginate(items, page, pageSize);
  return { total, list: slice.map(map) };
}

function filteredCalls(ctx: HandlerContext): CallList {
  const { status, agentId } = ctx.query as { status?: CalleagueStatus; agentId?: string };
  return queryCalls(ctx.world, ctx.account.id, {
    // A filter may name an assistant by its alias, as a start-call request may.
    agentId: agentId === undefined ? undefined : (ctx.account.agentAliases[agentId] ?? agentId),
    status: status ? simStatuses(status) : undefined,
  });
}

function start(ctx: HandlerContext, agentId: string): Call {
  const { world, account, body } = ctx;
  return createCall(world, { accountId: account.id, agentId, to: body.to, metadata: body.metadata });
}

/** The `/api/v1/` routes' success envelope. */
const envelope = (data: unknown) => ok({ code: 200, statusText: '', data });

export const callHandlers: Record<string, Handler> = {
  startCall: (ctx) => ok(callDetailJson(ctx.world, ctx.services, start(ctx, ctx.body.agentId))),

  getCall: ({ world, account, params, services }) => ok(callDetailJson(world, services, getCallOrThrow(world, account.id, params.callId))),

  listCalls: (ctx) => ok(pageOf(ctx, filteredCalls(ctx), callJson)),

  v1CreateCall: (ctx) => {
    const call = start(ctx, ctx.body.assistantId);
    // That page reports the accepted call as `queued`; afterwards it speaks the core routes' statuses.
    const status = call.status === 'queued' ? 'queued' : calleagueStatus(call.status);
    return envelope({ callId: call.id, status, createdAt: isoTime(call.createdAt) });
  },

  v1ListCalls: (ctx) => envelope(pageOf(ctx, filteredCalls(ctx), callJson)),
};
