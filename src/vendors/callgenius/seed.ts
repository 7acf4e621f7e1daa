import { FIXTURES_DIR } from '../../fixtures/index.js';
import { removeAccount } from '../../sim/accounts.js';
import { updateAgent } from '../../sim/agents.js';
import { poolEmpty, searchAvailable } from '../../sim/numbers.js';
import type { AgentFields, Campaign, IdScheme, KnowledgeDoc, User } from '../../sim/types.js';
import type { World } from '../../sim/world.js';
import { type AccountFixture, fixtureCallIds, loadVendorFixtures, seedAccount, type VendorFixtures } from '../shared/seed.js';
import type { VendorFixturesApi } from '../types.js';

export const NAMESPACE = 'callgenius';

type AgentFixture = NonNullable<AccountFixture['agents']>[number] & { history?: Array<{ at: string; changes: Partial<AgentFields> }> };
type CampaignFixture = Omit<Campaign, 'accountId' | 'createdAt' | 'startedAt' | 'completedAt'> & {
  createdAt: string;
  startedAt?: string | null;
  completedAt?: string | null;
};
type KnowledgeFixture = Omit<KnowledgeDoc, 'accountId' | 'createdAt'> & { createdAt: string };

/** A business: the shared account fixture plus its tenant id, agent histories, campaigns and documents. */
interface BusinessFixture extends AccountFixture {
  tenantId: number;
  agents?: AgentFixture[];
  campaigns?: CampaignFixture[];
  knowledge?: KnowledgeFixture[];
}

interface UserFixture {
  id: string;
  email: string;
  password: string;
  /** Account ids, the first being where a new login lands. */
  businesses: string[];
}

interface CallgeniusFixtures extends VendorFixtures {
  accounts: BusinessFixture[];
  users: UserFixture[];
}

const at = (iso: string | null | undefined): number | null => (iso ? Date.parse(iso) : null);

/** Tenant ids are integers unique across every business, like the world's other int counters. */
function nextTenantId(world: World): number {
  const key = `${NAMESPACE}:tenant`;
  const next = Math.max(world.counters[key] ?? 1, 1);
  world.counters[key] = next + 1;
  return next;
}

/** Seeds one business and everything in it; returns its account id. */
function seedBusiness(world: World, idScheme: IdScheme, b: BusinessFixture, keys?: string[]): string {
  const agents = (b.agents ?? []).map(({ history: _h, ...a }) => a);
  const accountId = seedAccount(world, NAMESPACE, idScheme, { ...b, agents, settings: { ...b.settings, tenantId: b.tenantId } }, b.id, keys);
  world.reserveId(NAMESPACE, 'tenant', String(b.tenantId));
  const store = world.store(accountId);
  for (const a of b.agents ?? []) {
    const agent = store.agents.get(a.id)!;
    for (const h of a.history ?? []) {
      updateAgent(world, agent, h.changes);
      agent.updatedAt = agent.versions[agent.versions.length - 1].createdAt = Date.parse(h.at);
    }
  }
  for (const c of b.campaigns ?? []) {
    store.campaigns.set(c.id, {
      ...c,
      accountId,
      targets: c.targets.map((t) => ({ ...t })),
      createdAt: Date.parse(c.createdAt),
      startedAt: at(c.startedAt),
      completedAt: at(c.completedAt),
    });
    world.reserveId(NAMESPACE, 'campaign', c.id);
  }
  for (const d of b.knowledge ?? []) {
    store.knowledge.set(d.id, { ...d, accountId, agentIds: [...d.agentIds], createdAt: Date.parse(d.createdAt) });
    world.reserveId(NAMESPACE, 'knowledge', d.id);
  }
  return accountId;
}

/** A user and their businesses; the API keys of those businesses act for the user, so switching works. */
function addUser(world: World, u: { id: string; email: string; password: string; accountIds: string[] }): User {
  const user: User = { id: u.id, email: u.email, password: u.password, accountIds: [...u.accountIds] };
  world.users.set(user.id, user);
  for (const accountId of user.accountIds) {
    for (const key of world.account(accountId).keys) {
      const session = world.sessions.get(key);
      if (session) session.userId = user.id;
    }
  }
  return user;
}

function makeSeeder(fx: CallgeniusFixtures): (world: World) => void {
  return (world) => {
    for (const b of fx.accounts) seedBusiness(world, fx.idScheme, b);
    for (const u of fx.users) addUser(world, { ...u, accountIds: u.businesses });
  };
}

/** The next int id of a kind, the same way the world numbers them (a copy must not reuse fixture ids). */
function allocId(world: World, scheme: IdScheme, kind: string): string {
  const s = scheme[kind];
  const start = s?.style === 'int' ? s.start : 1;
  const key = `${NAMESPACE}:${kind}`;
  const next = Math.max(world.counters[key] ?? start, start);
  world.counters[key] = next + 1;
  return String(next);
}

/**
 * A copy of a business with fresh ids everywhere (ids are unique across businesses) and fresh
 * numbers from the pool (a number rings in one business only); references follow the new ids.
 */
function renumbered(world: World, scheme: IdScheme, b: BusinessFixture): BusinessFixture {
  const ids = (kind: string, list: Array<{ id: string }> | undefined) => new Map((list ?? []).map((x) => [x.id, allocId(world, scheme, kind)]));
  const agentIds = ids('agent', b.agents);
  const callIds = ids('call', b.calls);
  const campaignIds = ids('campaign', b.campaigns);
  const e164s = new Map<string, string>();
  const numbers: NonNullable<BusinessFixture['numbers']> = [];
  for (const n of b.numbers ?? []) {
    const fresh = searchAvailable(world, NAMESPACE, { country: n.country, type: n.type }).find((x) => ![...e164s.values()].includes(x.e164));
    if (!fresh) throw poolEmpty(NAMESPACE, n.country, n.type);
    e164s.set(n.e164, fresh.e164);
    numbers.push({
      ...n,
      id: allocId(world, scheme, 'number'),
      e164: fresh.e164,
      areaCode: fresh.areaCode,
      agentId: n.agentId ? agentIds.get(n.agentId) : null,
    });
  }
  const num = (e: string) => e164s.get(e) ?? e;
  const maybe = (m: Map<string, string>, id: string | null | undefined) => (id ? (m.get(id) ?? null) : null);
  return {
    ...b,
    settings: { ...b.settings, ...(typeof b.settings?.callerId === 'string' && { callerId: num(b.settings.callerId) }) },
    agents: b.agents?.map((a) => ({ ...a, id: agentIds.get(a.id)! })),
    numbers,
    calls: b.calls?.map((c) => ({
      ...c,
      id: callIds.get(c.id)!,
      agentId: agentIds.get(c.agentId)!,
      from: num(c.from),
      to: num(c.to),
      campaignId: maybe(campaignIds, c.campaignId),
    })),
    campaigns: b.campaigns?.map((c) => ({
      ...c,
      id: campaignIds.get(c.id)!,
      agentId: agentIds.get(c.agentId)!,
      targets: c.targets.map((t) => ({ ...t, callId: maybe(callIds, t.callId) })),
    })),
    knowledge: b.knowledge?.map((d) => ({
      ...d,
      id: allocId(world, scheme, 'knowledge'),
      agentIds: d.agentIds.map((id) => agentIds.get(id)!).filter(Boolean),
    })),
  };
}

/**
 * A fresh user with a login and two businesses shaped like the demo user's: copies of them
 * ("demo") or empty ones with the same names and billing ("empty"). The key acts on the first.
 */
function mintUser(world: World, fx: CallgeniusFixtures, kind: 'demo' | 'empty') {
  const hex = world.tagged(10);
  const key = `cg_test_${hex}`;
  const email = `user-${hex}@example.com`;
  const password = `pw-${world.rng.hex(12)}`;
  const sources = fx.users[0].businesses.map((id) => fx.accounts.find((a) => a.id === id)!);
  const tenants: Array<{ id: number; name: string }> = [];
  const accountIds: string[] = [];
  try {
    for (const [i, src] of sources.entries()) {
      const tenantId = nextTenantId(world);
      const base: BusinessFixture = kind === 'demo' ? renumbered(world, fx.idScheme, src) : { id: src.id, tenantId, name: src.name, billing: src.billing };
      const name = `${src.name} (${hex})`;
      tenants.push({ id: tenantId, name });
      accountIds.push(seedBusiness(world, fx.idScheme, { ...base, id: `cg_biz_${tenantId}`, tenantId, name }, i === 0 ? [key] : []));
    }
  } catch (err) {
    // All or nothing: a business already made gives its numbers back.
    for (const id of accountIds) removeAccount(world, id);
    throw err;
  }
  addUser(world, { id: `cg_user_${hex}`, email, password, accountIds });
  return { accountId: accountIds[0], key, extra: { email, password, tenants } };
}

let api: VendorFixturesApi | undefined;

/** The fixtures of CallGeni.us (users and businesses, with agent histories, campaigns and documents), read once. */
export function callgeniusFixtures(): VendorFixturesApi {
  if (api) return api;
  const fx = loadVendorFixtures(FIXTURES_DIR, NAMESPACE) as CallgeniusFixtures;
  api = { seed: makeSeeder(fx), mint: (world, kind) => mintUser(world, fx, kind), prices: fx.prices, callIds: fixtureCallIds(fx) };
  return api;
}
