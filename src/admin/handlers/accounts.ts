import { fail } from '../../engine/errors.js';
import { noContent, ok } from '../../engine/respond.js';
import { removeAccount, revokeKey } from '../../sim/accounts.js';
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

  revokeKey: ({ sim, params }) => {
    if (!revokeKey(sim.world, params.key)) throw notFound('No such key');
    return noContent();
  },
} satisfies Partial<AdminHandlers>;
