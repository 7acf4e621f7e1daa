import { ok } from '../../../engine/respond.js';
import { issueToken } from '../../../sim/accounts.js';
import { notFound } from '../../../sim/errors.js';
import type { Account, Session } from '../../../sim/types.js';
import type { World } from '../../../sim/world.js';
import { tenantIdOf, tenantJson } from '../mappers.js';
import { NAMESPACE } from '../seed.js';
import type { H } from '../types.js';

/** The businesses the token's user belongs to; a key without a user sees only its own business. */
function businessesOf(world: World, session: Session): Account[] {
  const user = session.userId ? world.users.get(session.userId) : undefined;
  const ids = user?.accountIds ?? [session.accountId];
  return ids.map((id) => world.accounts.get(id)).filter((a): a is Account => !!a && a.namespace === NAMESPACE);
}

export const authHandlers = {
  login: ({ world, body }) => {
    const email = String(body.email).toLowerCase();
    for (const user of world.users.values()) {
      if (user.email.toLowerCase() !== email || user.password !== body.password) continue;
      const first = user.accountIds.map((id) => world.accounts.get(id)).find((a) => a?.namespace === NAMESPACE);
      if (!first) continue;
      const token = issueToken(world, user.id, first.id, 'cg_tok_');
      return ok({ token, token_type: 'Bearer', tenant: tenantJson(first, first.id) });
    }
    return ok({ message: 'Invalid credentials.' }, 401);
  },

  listTenants: ({ world, session }) => ok(businessesOf(world, session).map((a) => tenantJson(a, session.accountId))),

  switchTenant: ({ world, session, body }) => {
    const target = businessesOf(world, session).find((a) => tenantIdOf(a) === body.tenant_id);
    if (!target) throw notFound('tenant', body.tenant_id);
    session.accountId = target.id;
    return ok({ message: 'Active tenant switched.', tenant: tenantJson(target, target.id) });
  },
} satisfies Partial<H>;
