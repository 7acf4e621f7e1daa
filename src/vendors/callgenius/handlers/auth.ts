import { issueToken } from '../../../sim/accounts.js';
import { notFound } from '../../../sim/errors.js';
import type { Account } from '../../../sim/types.js';
import type { World } from '../../../sim/world.js';
import { ok } from '../../shared/http.js';
import type { Handler, HandlerContext } from '../../types.js';
import { tenantIdOf, tenantJson } from '../mappers.js';
import { NAMESPACE } from '../seed.js';

/** The businesses the token's user belongs to; a key without a user sees only its own business. */
function businessesOf(world: World, ctx: HandlerContext): Account[] {
  const user = ctx.session.userId ? world.users.get(ctx.session.userId) : undefined;
  const ids = user?.accountIds ?? [ctx.session.accountId];
  return ids.map((id) => world.accounts.get(id)).filter((a): a is Account => !!a && a.namespace === NAMESPACE);
}

export const authHandlers: Record<string, Handler> = {
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

  listTenants: (ctx) => ok(businessesOf(ctx.world, ctx).map((a) => tenantJson(a, ctx.session.accountId))),

  switchTenant: (ctx) => {
    const target = businessesOf(ctx.world, ctx).find((a) => tenantIdOf(a) === ctx.body.tenant_id);
    if (!target) throw notFound('tenant', ctx.body.tenant_id);
    ctx.session.accountId = target.id;
    return ok({ message: 'Active tenant switched.', tenant: tenantJson(target, target.id) });
  },
};
