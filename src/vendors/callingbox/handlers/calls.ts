import { ok } from '../../../engine/respond.js';
import { getAgent } from '../../../sim/agents.js';
import { createCall, getCallOrThrow, queryCalls } from '../../../sim/calls.js';
import { invalid } from '../../../sim/errors.js';
import { findOwnedNumber } from '../../../sim/numbers.js';
import { STATUS_FROM_SNAKE } from '../../shared/mappers.js';
import { callJson } from '../mappers.js';
import { cursorPage } from '../pagination.js';
import type { H } from '../types.js';

export const callHandlers = {
  createCall: ({ world, account, body, services }) => {
    const agent = getAgent(world, account.id, body.agent_id);
    if (agent.status === 'archived') throw invalid('agent_id', 'archived', `agent ${agent.id} is archived and cannot dial`);
    if (agent.direction !== 'outbound') throw invalid('agent_id', 'outbound', `agent ${agent.id} is an inbound agent; dispatch calls from an outbound agent`);
    let from: string;
    if (body.from !== undefined) {
      if (!findOwnedNumber(world, account.id, body.from)) throw invalid('from', 'owned', `${body.from} is not one of your numbers`);
      from = body.from;
    } else {
      const primary = agent.primaryNumberId ? world.store(account.id).numbers.get(agent.primaryNumberId) : undefined;
      if (!primary) throw invalid('from', 'required', `agent ${agent.id} has no primary number; attach a number or pass from`);
      from = primary.e164;
    }
    const call = createCall(world, { accountId: account.id, agentId: agent.id, to: body.to, from, metadata: body.metadata });
    return ok(callJson(world, services, call), 201);
  },

  listCalls: ({ world, account, query, services }) => {
    const calls = queryCalls(world, account.id, {
      agentId: query.agent_id,
      direction: query.direction,
      status: query.status ? [STATUS_FROM_SNAKE[query.status]] : undefined,
    });
    const byId = world.store(account.id).calls;
    const list = {
      length: calls.length,
      slice: (a?: number, b?: number) => calls.slice(a, b),
      position: (id: string, inclusive: boolean) => {
        const at = byId.get(id);
        return at ? calls.countNewer(at, inclusive) : undefined;
      },
    };
    return cursorPage(list, query, (c) => callJson(world, services, c));
  },

  getCall: ({ world, account, params, services }) => ok(callJson(world, services, getCallOrThrow(world, account.id, params.id))),
} satisfies Partial<H>;
