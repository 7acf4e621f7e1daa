import { ok } from '../../../engine/respond.js';
import { getAgent, listAgents } from '../../../sim/agents.js';
import { agentJson } from '../mappers.js';
import type { H } from '../types.js';
import { pageOf } from './calls.js';

/** Assistants are made in Calleague's dashboard; the API only reads them. */
export const agentHandlers = {
  listAgents: ({ world, account, query }) => ok(pageOf(query, listAgents(world, account.id), agentJson)),

  getAgent: ({ world, account, params }) => ok(agentJson(getAgent(world, account.id, params.agentId))),
} satisfies Partial<H>;
