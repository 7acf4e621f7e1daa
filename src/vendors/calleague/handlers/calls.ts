import { ok } from '../../../engine/respond.js';
import { type CallList, createCall, getCallOrThrow, queryCalls } from '../../../sim/calls.js';
import { isoTime } from '../../../sim/clock.js';
import type { Account } from '../../../sim/types.js';
import type { World } from '../../../sim/world.js';
import { paginate, type Sliceable } from '../../shared/http.js';
import { type CalleagueStatus, callDetailJson, calleagueStatus, callJson, simStatuses } from '../mappers.js';
import type { H } from '../types.js';

/** The `{total, list}` page every Calleague list answers. */
export function pageOf<T, U>(q: { page: number; pageSize: number }, items: Sliceable<T>, map: (t: T) => U): { total: number; list: U[] } {
  const { items: slice, total } = paginate(items, q.page, q.pageSize);
  return { total, list: slice.map(map) };
}

function filteredCalls(world: World, account: Account, q: { status?: CalleagueStatus; agentId?: string }): CallList {
  return queryCalls(world, account.id, {
    agentId: q.agentId,
    status: q.status ? simStatuses(q.status) : undefined,
  });
}

/** The `/api/v1/` routes' success envelope. */
const envelope = (data: unknown) => ok({ code: 200, statusText: '', data });

export const callHandlers = {
  startCall: ({ world, account, body, services }) =>
    ok(callDetailJson(world, services, createCall(world, { accountId: account.id, agentId: body.agentId, to: body.to, metadata: body.metadata }))),

  getCall: ({ world, account, params, services }) => ok(callDetailJson(world, services, getCallOrThrow(world, account.id, params.callId))),

  listCalls: ({ world, account, query }) => ok(pageOf(query, filteredCalls(world, account, query), callJson)),

  v1CreateCall: ({ world, account, body }) => {
    const call = createCall(world, { accountId: account.id, agentId: body.assistantId, to: body.to, metadata: body.metadata });
    // That page reports the accepted call as `queued`; afterwards it speaks the core routes' statuses.
    const status = call.status === 'queued' ? 'queued' : calleagueStatus(call.status);
    return envelope({ callId: call.id, status, createdAt: isoTime(call.createdAt) });
  },

  v1ListCalls: ({ world, account, query }) => envelope(pageOf(query, filteredCalls(world, account, query), callJson)),
} satisfies Partial<H>;
