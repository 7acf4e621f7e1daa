import { getAgent, listAgents } from '../../../sim/agents.js';
import { ok } from '../../shared/http.js';
import type { Handler } from '../../types.js';
import { agentJson } from '../mappers.js';
import { pageOf } from './calls.js';

/** Assistants are made in Calleague's dashboard; the API only reads them. */
export const agentHandlers: Record<string, Handler> = {
  listAgents: (ctx) => ok(pageOf(ctx, listAgents(ctx.world, ctx.account.id), agentJson)),

  getAgent: ({ world, account, params }) => ok(agentJson(getAgent(world, account.id, params.agentId))),
};
