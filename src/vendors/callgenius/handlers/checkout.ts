import { ok } from '../../../engine/respond.js';
import { changePlan, PLANS } from '../../../sim/billing.js';
import { notFound } from '../../../sim/errors.js';
import type { Account } from '../../../sim/types.js';
import type { World } from '../../../sim/world.js';
import { tenantIdOf } from '../mappers.js';
import { NAMESPACE } from '../seed.js';
import type { H } from '../types.js';

/** Open checkout sessions live on the business (so snapshots keep them): session id → plan. */
type Checkouts = Record<string, string>;
const checkoutsOf = (a: Account): Checkouts => (a.settings.checkouts ??= {}) as Checkouts;

export function openCheckout(account: Account, sessionId: string, plan: string): void {
  checkoutsOf(account)[sessionId] = plan;
}

function findCheckout(world: World, sessionId: string): { account: Account; plan: string } | undefined {
  for (const account of world.accounts.values()) {
    const plan = account.namespace === NAMESPACE ? (account.settings.checkouts as Checkouts | undefined)?.[sessionId] : undefined;
    if (plan) return { account, plan };
  }
  return undefined;
}

const page = (title: string, body: string) => ({
  status: 200,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  },
  body: Buffer.from(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.6rem 1.2rem}</style></head><body>${body}</body></html>`),
});
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The hosted checkout `POST /api/billing/subscribe` links to: completing it changes the plan, once. */
export const checkoutHandlers = {
  getCheckoutPage: ({ world, params }) => {
    const s = findCheckout(world, params.session);
    if (!s) return { ...page('Checkout not found', '<h1>Checkout not found</h1><p>This checkout session does not exist or was completed.</p>'), status: 404 };
    return page(
      'callsim checkout',
      `<h1>Subscribe to ${esc(s.plan)}</h1><p>callsim test checkout for ${esc(s.account.name)}: ${PLANS[s.plan].includedMinutes} included minutes. No payment is taken.</p>
<form method="post" action="${esc(params.session)}/complete"><button type="submit">Complete subscription</button></form>`,
    );
  },

  completeCheckout: ({ world, params, req }) => {
    const s = findCheckout(world, params.session);
    if (!s) throw notFound('checkout session', params.session);
    delete checkoutsOf(s.account)[params.session];
    changePlan(world, s.account.id, s.plan);
    if (String(req.headers.accept ?? '').includes('text/html'))
      return page('Subscribed', `<h1>Subscribed</h1><p>The plan is now <strong>${esc(s.plan)}</strong>.</p>`);
    return ok({ status: 'complete', tenant_id: tenantIdOf(s.account), plan: s.plan });
  },
} satisfies Partial<H>;
