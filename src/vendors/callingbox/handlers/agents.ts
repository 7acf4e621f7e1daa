import { ok } from '../../../engine/respond.js';
import { archiveAgent, createAgent, getAgent, listAgents, updateAgent } from '../../../sim/agents.js';
import { invalid, SimError } from '../../../sim/errors.js';
import { attachNumber, detachNumber, setPrimaryNumber } from '../../../sim/numbers.js';
import type { Agent, AgentFields } from '../../../sim/types.js';
import type { World } from '../../../sim/world.js';
import { agentJson } from '../mappers.js';
import { cursorPage, oldestFirst } from '../pagination.js';
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

/**
 * A direction change moves the numbers' inbound routing with it: an agent that turns inbound
 * answers its numbers (refused if another agent answers one of them), one that turns outbound
 * stops answering them. Checked before anything changes.
 */
function reroute(world: World, agent: Agent, direction: Agent['direction'] | undefined): void {
  if (direction === undefined || direction === agent.direction) return;
  const numbers = agent.numberIds.map((id) => world.store(agent.accountId).numbers.get(id)).filter((n) => n !== undefined);
  if (direction === 'inbound') {
    const taken = numbers.find((n) => n.agentId && n.agentId !== agent.id);
    if (taken)
      throw invalid('direction', 'answered_elsewhere', `number ${taken.id} is already answered by inbound agent ${taken.agentId}; detach it there first`);
    for (const n of numbers) attachNumber(world, n, agent, { answers: true });
  } else for (const n of numbers) if (n.agentId === agent.id) n.agentId = null;
}

export const agentHandlers = {
  listAgents: ({ world, account, query }) => {
    const agents = listAgents(world, account.id, { direction: query.direction, includeArchived: query.include_archived });
    const all = world.store(account.id).agents;
    return cursorPage(
      oldestFirst(agents, (id) => all.get(id)),
      query,
      agentJson,
    );
  },

  createAgent: ({ world, account, body }) => ok(agentJson(createAgent(world, account.id, { direction: 'outbound', ...fields(body) })), 201),

  getAgent: ({ world, account, params }) => ok(agentJson(getAgent(world, account.id, params.id))),

  updateAgent: ({ world, account, params, body }) => {
    const agent = activeAgent(world, account.id, params.id);
    reroute(world, agent, body.direction);
    return ok(agentJson(updateAgent(world, agent, fields(body))));
  },

  // Archiving detaches the agent's numbers, so inbound calls never ring an agent that cannot answer.
  archiveAgent: ({ world, account, params }) => {
    const agent = getAgent(world, account.id, params.id);
    archiveAgent(world, agent);
    for (const id of [...agent.numberIds]) {
      const n = world.store(account.id).numbers.get(id);
      if (n) detachNumber(world, n, agent);
    }
    agent.primaryNumberId = null;
    return ok(agentJson(agent));
  },

  /**
   * A number may be attached to any number of outbound agents (their caller ID) and to one inbound
   * agent, which answers it. Attaching never changes another agent: a number an inbound agent
   * already answers is refused for a second inbound agent (400, detach it first).
   */
  attachNumber: ({ world, account, params, body }) => {
    const agent = activeAgent(world, account.id, params.id);
    const number = ownNumber(world, account.id, body.number_id);
    attachNumber(world, number, agent, { answers: agent.direction === 'inbound' });
    return ok(agentJson(agent));
  },

  detachNumber: ({ world, account, params }) => {
    const agent = getAgent(world, account.id, params.id);
    const number = ownNumber(world, account.id, params.number_id);
    if (!agent.numberIds.includes(number.id)) throw new SimError('not_found', `number ${number.id} is not attached to agent ${agent.id}`);
    detachNumber(world, number, agent);
    return ok(agentJson(agent));
  },

  setPrimaryNumber: ({ world, account, params, body }) => {
    const agent = activeAgent(world, account.id, params.id);
    ownNumber(world, account.id, body.number_id);
    setPrimaryNumber(world, account.id, agent.id, body.number_id);
    return ok(agentJson(agent));
  },
} satisfies Partial<H>;
