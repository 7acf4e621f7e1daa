import { fail } from '../../engine/errors.js';
import { noContent, ok } from '../../engine/respond.js';
import { deliveryJson, subscriptionJson } from '../../presenters.js';
import { notFound, servedVendor } from './common.js';
import type { AdminHandlers } from './types.js';

/** Webhook subscriptions (admin and config ones survive resets) and the delivery log. */
export const webhookHandlers = {
  createWebhookSubscription: ({ sim, body }) => {
    const vendor = servedVendor(sim, body.vendor);
    const known = vendor.adapter.webhookEvents;
    const unknown = (body.events ?? []).filter((e) => !known.includes(e));
    if (unknown.length) {
      throw fail('validation', `Unknown event(s) ${unknown.join(', ')}; ${vendor.name} sends: ${known.join(', ')}`, {
        status: 422,
        code: 'unknown_events',
        extra: { known },
      });
    }
    const accountId = body.account === '*' ? '*' : sim.resolveAccount(vendor.name, body.account ?? vendor.adapter.demoKey);
    if (!accountId) {
      throw fail('not_found', `No ${vendor.name} account ${body.account} (give an account id or API key, or omit it for the demo account)`, {
        code: 'unknown_account',
      });
    }
    const sub = sim.subscriptions.add({
      vendor: vendor.name,
      accountId,
      url: new URL(body.url).toString(),
      events: body.events?.length ? body.events : null,
      source: 'admin',
      createdAt: sim.world.now(),
    });
    const { source: _source, ...view } = subscriptionJson(sub);
    return ok({ ...view, secret: sub.secret }, 201);
  },

  listWebhookSubscriptions: ({ sim }) => ok({ data: sim.subscriptions.all().map(subscriptionJson) }),

  deleteWebhookSubscription: ({ sim, params }) => {
    if (!sim.subscriptions.remove(params.id)) throw notFound(`No subscription ${params.id}`);
    return noContent();
  },

  listWebhookDeliveries: ({ sim, query }) => {
    const list = [...sim.webhooks.deliveries.values()].filter(
      (d) => (!query.vendor || d.vendor === query.vendor) && (!query.event || d.event === query.event) && (!query.state || d.state === query.state),
    );
    return ok({ data: list.map(deliveryJson), total: list.length });
  },

  getWebhookDelivery: ({ sim, params }) => {
    const d = sim.webhooks.deliveries.get(params.id);
    if (!d) throw notFound(`No delivery ${params.id}`);
    return ok(deliveryJson(d));
  },

  redeliverWebhook: ({ sim, params }) => {
    const d = sim.webhooks.redeliver(params.id);
    if (!d) throw notFound(`No delivery ${params.id} (or its subscription was removed)`);
    return ok(deliveryJson(d), 202);
  },
} satisfies Partial<AdminHandlers>;
