import { getAgent } from './agents.js';
import { invalid, notFound, SimError } from './errors.js';
import type { Agent, AvailableNumber, NumberType, PhoneNumber } from './types.js';
import type { World } from './world.js';

export interface NumberSearch {
  country?: string;
  areaCode?: string;
  type?: NumberType;
  capabilities?: string[];
  contains?: string;
}

/** The namespace's carrier pool, in number order; bought numbers are not in it. */
export function searchAvailable(world: World, namespace: string, q: NumberSearch): AvailableNumber[] {
  const pool = world.inventory.get(namespace);
  if (!pool) return [];
  const area = q.areaCode?.replace(/^0+/, '');
  const out: AvailableNumber[] = [];
  for (const n of pool.values()) {
    if (q.country && n.country !== q.country) continue;
    if (area && !n.areaCode.startsWith(area)) continue;
    if (q.type && n.type !== q.type) continue;
    if (q.capabilities && !q.capabilities.every((c) => n.capabilities.includes(c))) continue;
    if (q.contains && !n.e164.includes(q.contains)) continue;
    out.push(n);
  }
  return out.sort((a, b) => (a.e164 < b.e164 ? -1 : 1));
}

export function buyNumber(world: World, accountId: string, e164: string, opts: { id?: string; country?: string; createdAt?: number } = {}): PhoneNumber {
  const account = world.account(accountId);
  const pool = world.inventory.get(account.namespace);
  const available = pool?.get(e164);
  if (!available) {
    const owned = [...world.stores.values()].some((s) => [...s.numbers.values()].some((n) => n.e164 === e164));
    throw new SimError('conflict', owned ? `phone number ${e164} is already taken` : `phone number ${e164} is not available`, [
      {
        field: 'phone_number',
        rule: owned ? 'taken' : 'available',
        message: owned ? `${e164} has already been taken.` : `${e164} is not available for purchase.`,
      },
    ]);
  }
  if (opts.country && available.country !== opts.country) {
    throw invalid('country', 'match', `${e164} is in ${available.country}, not ${opts.country}`);
  }
  pool!.delete(e164);
  const now = opts.createdAt ?? world.now();
  const number: PhoneNumber = Object.assign({}, available, {
    id: opts.id ?? world.nextId(accountId, 'number'),
    accountId,
    agentId: null,
    status: 'active' as const,
    createdAt: now,
    updatedAt: now,
  });
  if (opts.id) world.reserveId(account.namespace, 'number', opts.id);
  world.store(accountId).numbers.set(number.id, number);
  return number;
}

/** For fixtures: an owned number, taken out of the pool if it is there. */
/** Minting a copy of an account needs fresh numbers; with none left of that kind, it cannot be made. */
export const poolEmpty = (namespace: string, country?: string, type?: string): SimError =>
  new SimError(
    'conflict',
    `The ${namespace} number pool has no ${type ?? ''} ${country ?? ''} number left for a new account (a number has one owner); delete an account to free its numbers`.replace(
      /\s+/g,
      ' ',
    ),
  );

export function seedNumber(world: World, accountId: string, n: Partial<AvailableNumber> & { e164: string; id: string; createdAt: number }): PhoneNumber {
  const account = world.account(accountId);
  const owner = ownerOf(world, account.namespace, n.e164);
  if (owner && owner.accountId !== accountId) throw new SimError('conflict', `number ${n.e164} is already owned by ${owner.accountId}`);
  const pool = world.inventory.get(account.namespace);
  const known = pool?.get(n.e164);
  pool?.delete(n.e164);
  const number: PhoneNumber = {
    e164: n.e164,
    country: n.country ?? known?.country ?? 'US',
    type: n.type ?? known?.type ?? 'local',
    areaCode: n.areaCode ?? known?.areaCode ?? '',
    locality: n.locality ?? known?.locality ?? null,
    monthlyCostCents: n.monthlyCostCents ?? known?.monthlyCostCents ?? 200,
    capabilities: n.capabilities ?? known?.capabilities ?? ['voice', 'sms'],
    id: n.id,
    accountId,
    agentId: null,
    status: 'active',
    createdAt: n.createdAt,
    updatedAt: n.createdAt,
  };
  world.reserveId(account.namespace, 'number', n.id);
  world.store(accountId).numbers.set(number.id, number);
  return number;
}

export function getNumber(world: World, accountId: string, id: string): PhoneNumber {
  const n = world.store(accountId).numbers.get(id);
  if (!n) throw notFound('phone number', id);
  return n;
}

export function listNumbers(world: World, accountId: string): PhoneNumber[] {
  return [...world.store(accountId).numbers.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

export function findOwnedNumber(world: World, accountId: string, e164: string): PhoneNumber | undefined {
  for (const n of world.store(accountId).numbers.values()) if (n.e164 === e164) return n;
  return undefined;
}

/** The account (in a namespace) that owns a number: inbound calls and SMS land there. */
export function ownerOf(world: World, namespace: string, e164: string): PhoneNumber | undefined {
  for (const account of world.accounts.values()) {
    if (account.namespace !== namespace) continue;
    const n = findOwnedNumber(world, account.id, e164);
    if (n) return n;
  }
  return undefined;
}

/** Routes a number's inbound calls to one agent (or none); the agent's list follows. */
export function assignNumber(world: World, number: PhoneNumber, agentId: string | null): PhoneNumber {
  const store = world.store(number.accountId);
  if (number.agentId) {
    const prev = store.agents.get(number.agentId);
    if (prev) {
      prev.numberIds = prev.numberIds.filter((id) => id !== number.id);
      if (prev.primaryNumberId === number.id) prev.primaryNumberId = prev.numberIds[0] ?? null;
    }
  }
  number.agentId = null;
  if (agentId !== null) {
    const agent = getAgent(world, number.accountId, agentId);
    number.agentId = agent.id;
    if (!agent.numberIds.includes(number.id)) agent.numberIds.push(number.id);
    agent.primaryNumberId ??= number.id;
  }
  number.updatedAt = world.now();
  return number;
}

/**
 * Attaches a number to an agent without touching any other agent (a number may be attached to
 * several): the agent lists it, makes it its primary number if it has none, and — with `answers` —
 * becomes the one agent its inbound calls ring. A number already answered by another agent is
 * refused (`answeredBy` names it): one documented rule, never a silent move.
 */
export function attachNumber(world: World, number: PhoneNumber, agent: Agent, opts: { answers: boolean }): PhoneNumber {
  if (opts.answers && number.agentId && number.agentId !== agent.id && world.store(number.accountId).agents.has(number.agentId)) {
    throw new SimError('conflict', `number ${number.id} is already answered by agent ${number.agentId}; detach it there first`, [
      { field: 'number_id', rule: 'answered_elsewhere', message: `number ${number.id} is already answered by agent ${number.agentId}` },
    ]);
  }
  if (opts.answers) number.agentId = agent.id;
  if (!agent.numberIds.includes(number.id)) agent.numberIds.push(number.id);
  agent.primaryNumberId ??= number.id;
  agent.updatedAt = number.updatedAt = world.now();
  return number;
}

/** Takes a number off one agent only: it stops answering it, and stops being its primary number. */
export function detachNumber(world: World, number: PhoneNumber, agent: Agent): void {
  agent.numberIds = agent.numberIds.filter((id) => id !== number.id);
  if (agent.primaryNumberId === number.id) agent.primaryNumberId = null;
  if (number.agentId === agent.id) number.agentId = null;
  agent.updatedAt = number.updatedAt = world.now();
}

/** The agents a number is attached to (not only the one that answers it), oldest first. */
export function agentsOfNumber(world: World, number: PhoneNumber): Agent[] {
  return [...world.store(number.accountId).agents.values()].filter((a) => a.numberIds.includes(number.id));
}

export function setPrimaryNumber(world: World, accountId: string, agentId: string, numberId: string): void {
  const agent = getAgent(world, accountId, agentId);
  getNumber(world, accountId, numberId);
  if (!agent.numberIds.includes(numberId)) throw invalid('number_id', 'attached', `number ${numberId} is not attached to agent ${agentId}`);
  agent.primaryNumberId = numberId;
  agent.updatedAt = world.now();
}

/** Gives a number back to the pool; it can be bought again, by anyone in the namespace. */
export function releaseNumber(world: World, number: PhoneNumber): void {
  assignNumber(world, number, null);
  world.store(number.accountId).numbers.delete(number.id);
  const namespace = world.account(number.accountId).namespace;
  world.inventory.get(namespace)?.set(number.e164, {
    e164: number.e164,
    country: number.country,
    type: number.type,
    areaCode: number.areaCode,
    locality: number.locality,
    monthlyCostCents: number.monthlyCostCents,
    capabilities: number.capabilities,
  });
}
