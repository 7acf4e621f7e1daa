import { FIXTURES_DIR, readYaml } from '../../fixtures/index.js';
import { createAccount } from '../../sim/accounts.js';
import { createAgent } from '../../sim/agents.js';
import { type SeedCall, seedCall } from '../../sim/calls.js';
import { assignNumber, poolEmpty, seedNumber } from '../../sim/numbers.js';
import { seedSms } from '../../sim/sms.js';
import type { AgentFields, Billing, IdScheme, NumberType } from '../../sim/types.js';
import type { Prices, World } from '../../sim/world.js';
import type { VendorFixturesApi } from '../types.js';

/**
 * The fixture file format every vendor shares (`fixtures/<vendor>.yaml`): accounts with their keys,
 * agents, numbers, historical calls and SMS, in neutral terms. Times are ISO strings.
 */
export interface AccountFixture {
  id: string;
  name: string;
  keys?: string[];
  settings?: Record<string, unknown>;
  billing?: Partial<Billing>;
  /** Keys that read the vendor pages' placeholders as real values: token → placeholder → value. */
  docsKeys?: Record<string, Record<string, string>>;
  agents?: Array<Partial<AgentFields> & { id: string; createdAt?: string; status?: 'active' | 'inactive' | 'archived' }>;
  numbers?: Array<{
    id: string;
    e164: string;
    country?: string;
    type?: NumberType;
    areaCode?: string;
    agentId?: string | null;
    capabilities?: string[];
    createdAt?: string;
  }>;
  calls?: Array<Omit<SeedCall, 'createdAt' | 'answeredAt' | 'endedAt'> & { createdAt: string; answeredAt?: string | null; endedAt?: string | null }>;
  sms?: Array<{
    id: string;
    conversationId: string;
    direction: 'inbound' | 'outbound';
    from: string;
    to: string;
    body: string;
    status: 'queued' | 'sent' | 'delivered' | 'failed' | 'received';
    createdAt: string;
  }>;
}

export interface VendorFixtures {
  idScheme: IdScheme;
  /** What the simulated carrier charges this vendor's accounts, in cents. */
  prices: Prices;
  accounts: AccountFixture[];
  /** Extra per-vendor data (CallGeni.us users and businesses…). */
  [extra: string]: unknown;
}

const t = (iso: string | null | undefined, fallback: number): number => (iso ? Date.parse(iso) : fallback);

export function loadVendorFixtures(dir: string, vendor: string, file = `${dir}/${vendor}.yaml`): VendorFixtures {
  return readYaml<VendorFixtures>(file);
}

/** Seeds one account and everything in it; returns the account id. */
export function seedAccount(world: World, namespace: string, idScheme: IdScheme, a: AccountFixture, idOverride?: string, keysOverride?: string[]): string {
  const now = world.now();
  const account = createAccount(world, {
    id: idOverride ?? a.id,
    namespace,
    name: a.name,
    keys: keysOverride ?? a.keys,
    idScheme,
    billing: a.billing,
    settings: a.settings,
    aliasKeys: keysOverride ? undefined : a.docsKeys,
  });
  for (const ag of a.agents ?? []) {
    const { id, createdAt, status, ...fields } = ag;
    createAgent(world, account.id, fields, { id, createdAt: t(createdAt, now), status });
  }
  for (const n of a.numbers ?? []) {
    const number = seedNumber(world, account.id, { ...n, createdAt: t(n.createdAt, now) });
    if (n.agentId) assignNumber(world, number, n.agentId);
    number.updatedAt = number.createdAt;
  }
  for (const c of a.calls ?? []) {
    seedCall(world, account.id, {
      ...c,
      createdAt: t(c.createdAt, now),
      answeredAt: c.answeredAt ? Date.parse(c.answeredAt) : null,
      endedAt: c.endedAt ? Date.parse(c.endedAt) : null,
    });
  }
  for (const m of a.sms ?? []) seedSms(world, account.id, { ...m, createdAt: t(m.createdAt, now) });
  return account.id;
}

/** The standard seeder: every account of the fixture file, on start and on each reset. */
function standardSeeder(namespace: string, fixtures: VendorFixtures): (world: World) => void {
  return (world) => {
    for (const a of fixtures.accounts) seedAccount(world, namespace, fixtures.idScheme, a);
  };
}

/**
 * A fresh isolated account: a copy of the demo account's records ("demo") or nothing ("empty").
 * Record ids stay as in the fixtures (scoped to the new key), but phone numbers are swapped for
 * fresh ones from the pool: a number has one owner, or inbound calls could not be routed.
 */
function mintAccount(world: World, namespace: string, fixtures: VendorFixtures, kind: 'demo' | 'empty', keyPrefix: string): { accountId: string; key: string } {
  const suffix = world.tagged(10);
  const key = `${keyPrefix}${suffix}`;
  const demo = fixtures.accounts[0];
  const source: AccountFixture =
    kind === 'demo' ? renumber(world, namespace, demo) : { id: demo.id, name: demo.name, billing: demo.billing, settings: demo.settings };
  const accountId = seedAccount(world, namespace, fixtures.idScheme, { ...source, calls: [], name: `${source.name} (${suffix})` }, `${demo.id}_${suffix}`, [
    key,
  ]);
  // Call ids are global (media streams and recording links address a call by id alone): the
  // copied history gets fresh ones.
  const now = world.now();
  for (const c of source.calls ?? []) {
    seedCall(world, accountId, {
      ...c,
      id: world.nextId(accountId, 'call'),
      createdAt: t(c.createdAt, now),
      answeredAt: c.answeredAt ? Date.parse(c.answeredAt) : null,
      endedAt: c.endedAt ? Date.parse(c.endedAt) : null,
    });
  }
  return { accountId, key };
}

function renumber(world: World, namespace: string, a: AccountFixture): AccountFixture {
  const pool = world.inventory.get(namespace);
  const map = new Map<string, string>();
  for (const n of a.numbers ?? []) {
    const known = pool?.get(n.e164);
    const fresh = [...(pool?.values() ?? [])].find(
      (x) => x.country === (n.country ?? known?.country ?? 'US') && x.type === (n.type ?? known?.type ?? 'local') && ![...map.values()].includes(x.e164),
    );
    // A number has one owner: with no fresh one left, minting says so rather than share the demo's.
    if (!fresh) throw poolEmpty(namespace, n.country ?? known?.country, n.type ?? known?.type);
    map.set(n.e164, fresh.e164);
  }
  const swap = (e: string) => map.get(e) ?? e;
  return {
    ...a,
    numbers: a.numbers?.map((n) => ({ ...n, e164: swap(n.e164), areaCode: undefined })),
    calls: a.calls?.map((c) => ({ ...c, from: swap(c.from), to: swap(c.to) })),
    sms: a.sms?.map((m) => ({ ...m, from: swap(m.from), to: swap(m.to) })),
  };
}

/** Every call id a fixture file seeds (the demo accounts' history). */
export const fixtureCallIds = (fixtures: VendorFixtures): string[] => fixtures.accounts.flatMap((a) => (a.calls ?? []).map((c) => c.id));

/**
 * The fixtures of a vendor whose fixture file is in the shared format (`fixtures/<vendor>.yaml`):
 * its seeder, its account minting and its prices, reading the file once, when first needed.
 */
export function standardFixtures(vendor: string, keyPrefix: string, file?: string): () => VendorFixturesApi {
  let api: VendorFixturesApi | undefined;
  return () => {
    if (api) return api;
    const fx = loadVendorFixtures(FIXTURES_DIR, vendor, file);
    api = {
      seed: standardSeeder(vendor, fx),
      mint: (world, kind) => mintAccount(world, vendor, fx, kind, keyPrefix),
      prices: fx.prices,
      callIds: fixtureCallIds(fx),
    };
    return api;
  };
}
