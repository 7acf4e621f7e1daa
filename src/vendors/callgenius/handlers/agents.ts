import { noContent, ok } from '../../../engine/respond.js';
import { createAgent, deleteAgent, getAgent, listAgents, rollbackAgent, updateAgent } from '../../../sim/agents.js';
import type { Agent, AgentFields } from '../../../sim/types.js';
import { agentJson, agentSummaryJson, agentVersionJson, SLIDER_DEFAULTS, SLIDERS } from '../mappers.js';
import type { H, Schemas } from '../types.js';

/** Only the sliders the request sent: an update keeps the others as they were. */
function slidersIn(body: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of SLIDERS) if (typeof body[s] === 'number') out[s] = body[s] as number;
  return out;
}

/**
 * `extra` goes in whole: sim updateAgent's Object.assign replaces it before its merge runs, so a
 * partial one would drop the sliders not sent.
 */
function changesFrom(agent: Agent, body: Schemas['AgentUpdate']): Partial<AgentFields> {
  const sent = slidersIn(body);
  const extra = { ...agent.extra, ...sent };
  return {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.voice !== undefined && { voice: body.voice }),
    ...(body.language !== undefined && { language: body.language }),
    ...(body.system_prompt !== undefined && { prompt: body.system_prompt }),
    ...(Object.keys(sent).length > 0 && { extra }),
  };
}

/** PUT and PATCH are the same update action (Laravel routes both verbs to it). */
const update: H['updateAgent'] = ({ world, account, params, body }) => {
  const agent = getAgent(world, account.id, String(params.id));
  updateAgent(world, agent, changesFrom(agent, body));
  return ok(agentJson(world, agent));
};

export const agentHandlers = {
  listAgents: ({ world, account }) => ok(listAgents(world, account.id).map((a) => agentSummaryJson(world, a))),

  createAgent: ({ world, account, body }) => {
    const agent = createAgent(world, account.id, {
      name: body.name,
      voice: body.voice,
      language: body.language,
      prompt: body.system_prompt ?? null,
      extra: { ...SLIDER_DEFAULTS, ...slidersIn(body) },
    });
    return ok(agentJson(world, agent), 201);
  },

  getAgent: ({ world, account, params }) => ok(agentJson(world, getAgent(world, account.id, String(params.id)))),

  updateAgent: update,
  patchAgent: update,

  deleteAgent: ({ world, account, params }) => {
    deleteAgent(world, getAgent(world, account.id, String(params.id)));
    return noContent();
  },

  listAgentVersions: ({ world, account, params }) => ok(getAgent(world, account.id, String(params.id)).versions.map(agentVersionJson)),

  rollbackAgent: ({ world, account, params }) => {
    const agent = getAgent(world, account.id, String(params.id));
    return ok(agentJson(world, rollbackAgent(world, agent, params.version)));
  },
} satisfies Partial<H>;
