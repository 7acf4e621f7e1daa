import { noContent, ok } from '../../../engine/respond.js';
import { isoTime } from '../../../sim/clock.js';
import { notFound } from '../../../sim/errors.js';
import { redactUrl } from '../../../webhooks/subscriptions.js';
import type { WebhookSubscriptionView } from '../../types.js';
import { CALLEAGUE_EVENTS } from '../events.js';
import type { H } from '../types.js';
import { pageOf } from './calls.js';

/** A subscription without events gets every event; Calleague always names them. */
const webhookJson = (s: WebhookSubscriptionView) => ({
  webhookId: s.id,
  // Credentials in a receiver URL are never echoed back.
  url: redactUrl(s.url),
  events: s.events ?? [...CALLEAGUE_EVENTS],
  createdAt: isoTime(s.createdAt),
});

/** The url (http(s)) and the event names are checked by the spec before a handler runs. */
export const webhookHandlers = {
  createWebhook: ({ account, body, services }) => {
    const sub = services.webhooks.subscribe(account.id, body.url, body.events);
    return ok({ ...webhookJson(sub), secret: sub.secret }, 201);
  },

  listWebhooks: ({ account, query, services }) => {
    // Newest first; registration order breaks ties within the same instant.
    const newest = services.webhooks
      .list(account.id)
      .map((s, i) => ({ s, i }))
      .sort((a, b) => b.s.createdAt - a.s.createdAt || b.i - a.i)
      .map((x) => x.s);
    return ok(pageOf(query, newest, webhookJson));
  },

  deleteWebhook: ({ account, params, services }) => {
    if (!services.webhooks.remove(account.id, params.webhookId)) throw notFound('webhook', params.webhookId);
    return noContent();
  },
} satisfies Partial<H>;
