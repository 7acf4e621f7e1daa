import { isoTime } from '../../../sim/clock.js';
import { notFound } from '../../../sim/errors.js';
import { noContent, ok } from '../../shared/http.js';
import type { Handler } from '../../types.js';
import { CALLEAGUE_EVENTS } from '../events.js';
import { pageOf } from './calls.js';

interface Sub {
  id: string;
  url: string;
  events: string[] | null;
  createdAt: number;
}

/** A subscription without events gets every event; Calleague always names them. */
const webhookJson = (s: Sub) => ({ webhookId: s.id, url: s.url, events: s.events ?? [...CALLEAGUE_EVENTS], createdAt: isoTime(s.createdAt) });

/** The url (http(s)) and the event names are checked by the spec before a handler runs. */
export const webhookHandlers: Record<string, Handler> = {
  createWebhook: ({ account, body, services }) => {
    const sub = services.webhooks.subscribe({ vendor: 'calleague', accountId: account.id, url: body.url, events: body.events });
    return ok({ ...webhookJson(sub), secret: sub.secret }, 201);
  },

  listWebhooks: (ctx) => {
    const subs = ctx.services.webhooks.list('calleague', ctx.account.id);
    // Newest first; registration order breaks ties within the same instant.
    const newest = subs
      .map((s, i) => ({ s, i }))
      .sort((a, b) => b.s.createdAt - a.s.createdAt || b.i - a.i)
      .map((x) => x.s);
    return ok(pageOf(ctx, newest, webhookJson));
  },

  deleteWebhook: ({ account, params, services }) => {
    if (!services.webhooks.remove('calleague', account.id, params.webhookId)) throw notFound('webhook', params.webhookId);
    return noContent();
  },
};
