import { fail } from '../../engine/errors.js';
import { noContent, ok } from '../../engine/respond.js';
import { addKey, removeAccount, revokeKey } from '../../sim/accounts.js';
import { restore, snapshot } from '../../state/index.js';
import { iso, notFound, servedVendor } from './common.js';
import type { AdminHandlers } from './types.js';

/** Snapshots, minted accounts and keys. */
export const accountHandlers = {
  getState: async ({ sim }) => {
    // Attempts in flight end within one window; a hanging receiver's delivery is saved as pending.
    await sim.world.scheduler.settle(sim.world.scheduler.waitBudgetMs);
    return ok(snapshot(sim));
  },

  restoreState: ({ sim, body }) => {
    const problem = restore(sim, body);
    if (problem) throw fail('validation', problem, { code: 'invalid_snapshot' });
    return ok({ status: 'restored', now: iso(sim.world.now()) });
  },

  listAccounts: ({ sim }) =>
    ok({
      data: [...sim.world.accounts.values()].map((a) => ({
        id: a.id,
        vendor: a.namespace,
        name: a.name,
        keys: a.keys.filter((k) => !a.revokedKeys.includes(k)),
      })),
    }),

  createAccount: ({ sim, body }) => {
    const vendor = servedVendor(sim, body.vendor);
    const minted = vendor.adapter.fixtures().mint(sim.world, body.fixtures);
    return ok(
      { vendor: vendor.name, account: minted.accountId, key: minted.key, base_url: sim.baseUrl + vendor.prefix, fixtures: body.fixtures, ...minted.extra },
      201,
    );
  },

  deleteAccount: ({ sim, params }) => {
    if (!removeAccount(sim.world, params.id)) throw notFound(`No account ${params.id}`);
    for (const s of sim.subscriptions.all()) if (s.accountId === params.id) sim.subscriptions.remove(s.id);
    return noContent();
  },

  createKey: ({ sim, params, body }) => {
    const account = sim.world.accounts.get(params.id);
    if (!account) throw notFound(`No account ${params.id}`);
    const vendor = servedVendor(sim, account.namespace);
    const role = body.role ?? 'full';
    if (role === 'read-only' && !vendor.adapter.keyRoles) {
      throw fail('validation', `${vendor.name} documents no key permissions (no 403 in its error table); mint a full key`, { code: 'role_not_documented' });
    }
    const prefix = vendor.adapter.demoKey.replace(/demo$/, '');
    const key = `${prefix}${role === 'read-only' ? 'ro_' : ''}${sim.world.rng.hex(10)}`;
    addKey(sim.world, account.id, key, role === 'read-only' ? 'read-only' : undefined);
    return ok({ vendor: vendor.name, account: account.id, key, role }, 201);
  },

  revokeKey: ({ sim, params }) => {
    if (!revokeKey(sim.world, params.key)) throw notFound('No such key');
    return noContent();
  },
} satisfies Partial<AdminHandlers>;
