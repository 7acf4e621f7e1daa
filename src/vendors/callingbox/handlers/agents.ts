import { ok } from '../../../engine/respond.js';
import { archiveAgent, createAgent, getAgent, listAgents, updateAgent } from '../../../sim/agents.js';
import { invalid, SimError } from '../../../sim/errors.js';
import { assignNumber, setPrimaryNumber } from '../../../sim/numbers.js';
import type { Agent, AgentFields } from '../../../sim/types.js';
import type { World } from '../../../sim/world.js';
import { agentJson } from '../mappers.js';
import type { H, Schemas } from '../types.js';
import { ownNumber } from './numbers.js';

/** An archived agent stays readable but is frozen: no edits, no numbers, no calls. */
function activeAgent(world: World, accountId: string, id: string, field = 'id'): Agent {
  const agent = getAgent(world, accountId, id);
  if (agent.status === 'archived') throw invalid(field, 'archived', `agent ${agent.id} is archived`);
  return agent;
}

/** The sim keeps `language` as a tag; `null` (cleared) falls back to its default, English. */
function fields(body: Schemas['CreateAgentRequest'] | Schemas['UpdateAgentRequest']): Partial<AgentFields> {
  const f: Partial<AgentFields> = {};
  if (body.name !== undefined) f.name = body.name;
  if (body.direction !== undefined) f.direction = body.direction;
  if (body.prompt !== undefined) f.prompt = body.prompt;
  if (body.voice !== undefined) f.voice = body.voice;
  if (body.language !== undefined) f.language = body.language ?? 'en';
  if (body.first_message !== undefined) f.firstMessage = body.first_message;
  if (body.media_url !== undefined) f.mediaUrl = body.media_url;
  if (body.custom_parameters !== undefined) f.mediaParameters = body.custom_parameters;
  return f;
}

export const agentHandlers = {
  listAgents: ({ world, account, query }) => {
    const agents = listAgents(world, account.id, { direction: query.direction, includeArchived: query.include_archived });
    return ok({ data: agents.slice(0, query.limit).map(agentJson) });
  },

  createAgent: ({ world, account, body }) => ok(agentJson(createAgent(world, account.id, { direction: 'outbound', ...fields(body) })), 201),

  getAgent: ({ world, account, params }) => ok(agentJson(getAgent(world, account.id, params.id))),

  updateAgent: ({ world, account, params, body }) => ok(agentJson(updateAgent(world, activeAgent(world, account.id, params.id), fields(body)))),

  // Archiving frees the agent's numbers, so inbound calls never ring an agent that cannot answer.
  archiveAgent: ({ world, account, params }) => {
    const agent = getAgent(world, account.id, params.id);
    archiveAgent(world, agent);
    for (const id of [...agent.numberIds]) {
      const n = world.store(account.id).numbers.get(id);
      if (n) assignNumber(world, n, null);
    }
    agent.primaryNumberId = null;
    return ok(agentJson(agent));
  },

  attachNumber: ({ world, account, params, body }) => {
    const agent = activeAgent(world, account.id, params.id);
    assignNumber(world, ownNumber(world, account.id, body.number_id), agent.id);
    agent.updatedAt = world.now();
    return ok(agentJson(agent));
  },

  detachNumber: ({ world, account, params }) => {
    const agent = getAgent(world, account.id, params.id);
    const number = ownNumber(world, account.id, params.number_id);
    if (number.agentId !== agent.id) throw new SimError('not_found', `number ${number.id} is not attached to agent ${agent.id}`);
    const wasPrimary = agent.primaryNumberId === number.id;
    assignNumber(world, number, null);
    // The sim promotes the next number; CallingBox leaves the choice to the user (spec decision).
    if (wasPrimary) agent.primaryNumberId = null;
    agent.updatedAt = world.now();
    return ok(agentJson(agent));
  },

  setPrimaryNumber: ({ world, account, params, body }) => {
    const agent = activeAgent(world, account.id, params.id);
    ownNumber(world, account.id, body.number_id);
    setPrimaryNumber(world, account.id, agent.id, body.number_id);
    return ok(agentJson(agent));
  },
} satisfies Partial<H>;
