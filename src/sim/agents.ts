import { notFound, SimError } from './errors.js';
import type { Agent, AgentFields } from './types.js';
import type { World } from './world.js';

const DEFAULT_AGENT_FIELDS: AgentFields = {
  name: 'Agent',
  voice: null,
  language: 'en',
  languages: [],
  multilingual: false,
  prompt: null,
  firstMessage: null,
  direction: 'outbound',
  mediaUrl: null,
  mediaParameters: null,
  extra: {},
};

const pickFields = (a: AgentFields): AgentFields => ({
  name: a.name,
  voice: a.voice,
  language: a.language,
  languages: [...a.languages],
  multilingual: a.multilingual,
  prompt: a.prompt,
  firstMessage: a.firstMessage,
  direction: a.direction,
  mediaUrl: a.mediaUrl,
  mediaParameters: a.mediaParameters ? { ...a.mediaParameters } : null,
  extra: { ...a.extra },
});

export function createAgent(
  world: World,
  accountId: string,
  fields: Partial<AgentFields>,
  opts: { id?: string; createdAt?: number; status?: Agent['status'] } = {},
): Agent {
  const now = opts.createdAt ?? world.now();
  // Object.assign, not spreads: Node 20 builds `{...a, k: v, …}` tens of times slower, and load
  // rehearsals create agents by the thousand.
  const f = Object.assign({}, DEFAULT_AGENT_FIELDS, fields);
  const agent: Agent = Object.assign(pickFields(f), {
    id: opts.id ?? world.nextId(accountId, 'agent'),
    accountId,
    status: opts.status ?? 'active',
    numberIds: [],
    primaryNumberId: null,
    version: 1,
    versions: [{ version: 1, snapshot: pickFields(f), createdAt: now }],
    createdAt: now,
    updatedAt: now,
    deletePending: false,
  });
  if (opts.id) world.reserveId(world.account(accountId).namespace, 'agent', opts.id);
  world.store(accountId).agents.set(agent.id, agent);
  return agent;
}

export function getAgent(world: World, accountId: string, id: string): Agent {
  const agent = world.store(accountId).agents.get(id);
  if (!agent || agent.deletePending) throw notFound('agent', id);
  return agent;
}

export function listAgents(world: World, accountId: string, filter: { direction?: string; includeArchived?: boolean } = {}): Agent[] {
  return [...world.store(accountId).agents.values()]
    .filter((a) => !a.deletePending && (filter.includeArchived || a.status !== 'archived'))
    .filter((a) => !filter.direction || a.direction === filter.direction)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

/** Every update is a new version snapshot (CallGeni.us semantics; harmless for the others). */
export function updateAgent(world: World, agent: Agent, changes: Partial<AgentFields> & { status?: Agent['status'] }): Agent {
  const { status, extra, ...fields } = changes;
  Object.assign(agent, fields);
  if (extra) agent.extra = { ...agent.extra, ...extra };
  if (status) agent.status = status;
  agent.updatedAt = world.now();
  agent.version += 1;
  agent.versions.push({ version: agent.version, snapshot: pickFields(agent), createdAt: agent.updatedAt });
  return agent;
}

export function rollbackAgent(world: World, agent: Agent, version: number): Agent {
  const v = agent.versions.find((x) => x.version === version);
  if (!v) throw notFound('version', version);
  return updateAgent(world, agent, pickFields(v.snapshot));
}

/** Unassigns numbers now; the agent itself goes once its live calls have finished. */
export function deleteAgent(world: World, agent: Agent): void {
  const store = world.store(agent.accountId);
  for (const id of agent.numberIds) {
    const n = store.numbers.get(id);
    if (n && n.agentId === agent.id) n.agentId = null;
  }
  for (const n of store.numbers.values()) if (n.agentId === agent.id) n.agentId = null;
  agent.numberIds = [];
  agent.primaryNumberId = null;
  agent.deletePending = true;
  finishPendingDelete(world, agent.accountId, agent.id);
}

export function finishPendingDelete(world: World, accountId: string, agentId: string): void {
  const agent = world.stores.get(accountId)?.agents.get(agentId);
  if (agent?.deletePending && world.store(accountId).calls.liveCount(agentId) === 0) world.store(accountId).agents.delete(agentId);
}

export function archiveAgent(world: World, agent: Agent): Agent {
  if (agent.status === 'archived') throw new SimError('conflict', `agent ${agent.id} is already archived`);
  agent.status = 'archived';
  agent.updatedAt = world.now();
  return agent;
}
