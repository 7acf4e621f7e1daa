import type { Account, Billing, IdScheme } from './types.js';
import type { World } from './world.js';

export interface AccountInit {
  id: string;
  namespace: string;
  name: string;
  keys?: string[];
  idScheme: IdScheme;
  billing?: Partial<Billing>;
  settings?: Record<string, unknown>;
  /** Keys that read documentation placeholders as real values (the docs key): token → placeholder → value. */
  aliasKeys?: Record<string, Record<string, string>>;
}

export function createAccount(world: World, init: AccountInit): Account {
  const now = world.now();
  const account: Account = {
    id: init.id,
    namespace: init.namespace,
    name: init.name,
    keys: [...(init.keys ?? [])],
    revokedKeys: [],
    idScheme: init.idScheme,
    counters: {},
    settings: { ...init.settings },
    billing: {
      plan: 'pro',
      currency: 'USD',
      balanceCents: 5000,
      includedMinutes: 0,
      trialMinutesRemaining: 0,
      minutesUsed: 0,
      calls: 0,
      smsSent: 0,
      smsReceived: 0,
      periodStart: now,
      ...init.billing,
    },
    createdAt: now,
  };
  world.accounts.set(account.id, account);
  world.store(account.id);
  for (const key of Object.keys(init.aliasKeys ?? {})) if (!account.keys.includes(key)) account.keys.push(key);
  for (const key of account.keys) {
    const aliases = init.aliasKeys?.[key];
    world.sessions.set(key, { token: key, userId: null, accountId: account.id, ...(aliases ? { aliases: { ...aliases } } : {}) });
  }
  world.observer.accountCreated?.(account);
  return account;
}

export function removeAccount(world: World, accountId: string): boolean {
  const account = world.accounts.get(accountId);
  if (!account) return false;
  const store = world.store(accountId);
  for (const n of store.numbers.values()) returnToInventory(world, account.namespace, n);
  for (const id of store.calls.keys()) if (world.callIndex.get(id) === accountId) world.callIndex.delete(id);
  world.retention?.forget(accountId);
  for (const [token, s] of world.sessions) if (s.accountId === accountId) world.sessions.delete(token);
  world.accounts.delete(accountId);
  world.stores.delete(accountId);
  return true;
}

function returnToInventory(
  world: World,
  namespace: string,
  n: {
    e164: string;
    country: string;
    type: 'local' | 'mobile' | 'tollfree';
    areaCode: string;
    locality: string | null;
    monthlyCostCents: number;
    capabilities: string[];
  },
): void {
  const pool = world.inventory.get(namespace);
  pool?.set(n.e164, {
    e164: n.e164,
    country: n.country,
    type: n.type,
    areaCode: n.areaCode,
    locality: n.locality,
    monthlyCostCents: n.monthlyCostCents,
    capabilities: n.capabilities,
  });
}

/** Token → session (API key or login token), within one namespace. */
export function authenticate(world: World, namespace: string, token: string | undefined) {
  if (!token) return undefined;
  const session = world.sessions.get(token);
  if (!session) return undefined;
  if (session.expiresAt !== undefined && session.expiresAt <= world.now()) {
    world.sessions.delete(token);
    return undefined;
  }
  const account = world.accounts.get(session.accountId);
  if (!account || account.namespace !== namespace || account.revokedKeys.includes(token)) return undefined;
  return { session, account };
}

/** Adds a key to an account, acting for the user whose business it is (so a CallGeni.us key can switch tenants). */
export function addKey(world: World, accountId: string, key: string, role?: 'read-only'): void {
  const account = world.account(accountId);
  const user = [...world.users.values()].find((u) => u.accountIds.includes(accountId));
  account.keys.push(key);
  world.sessions.set(key, { token: key, userId: user?.id ?? null, accountId, ...(role && { role }) });
}

export function revokeKey(world: World, token: string): boolean {
  const session = world.sessions.get(token);
  if (!session) return false;
  const account = world.account(session.accountId);
  if (!account.revokedKeys.includes(token)) account.revokedKeys.push(token);
  return true;
}

/** Issues a login token for a user, acting on `accountId`. */
/** How long a login token works, and how many one user may hold: logging in again and again grows nothing. */
const LOGIN_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_LOGINS_PER_USER = 100;

/** Issues a login token for a user, acting on `accountId`; the user's oldest tokens beyond the cap stop working. */
export function issueToken(world: World, userId: string, accountId: string, prefix: string): string {
  const token = prefix + world.tagged(40);
  world.sessions.set(token, { token, userId, accountId, expiresAt: world.now() + LOGIN_TTL_MS });
  world.observer.sessionCreated?.(token, accountId);
  const logins: string[] = [];
  for (const s of world.sessions.values()) if (s.userId === userId && s.expiresAt !== undefined) logins.push(s.token);
  // Sessions keep insertion order: the first ones are the oldest.
  for (const old of logins.slice(0, Math.max(0, logins.length - MAX_LOGINS_PER_USER))) world.sessions.delete(old);
  return token;
}
