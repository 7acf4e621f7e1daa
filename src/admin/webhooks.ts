import { Router } from 'express';
import type { Callsim } from '../app.js';
import type { Delivery } from '../webhooks/dispatcher.js';
import { adminError } from './basics.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function deliveryJson(d: Delivery) {
  let payload: unknown = d.body;
  try {
    payload = JSON.parse(d.body);
  } catch {
    /* keep the raw text */
  }
  return {
    id: d.id,
    subscription_id: d.subscriptionId,
    vendor: d.vendor,
    account: d.accountId || null,
    event: d.event,
    url: d.url,
    state: d.state,
    created_at: iso(d.createdAt),
    next_attempt_at: iso(d.nextAttemptAt),
    redelivery_of: d.redeliveryOf,
    attempts: d.attempts.map((a) => ({ attempt: a.attempt, at: iso(a.at), status: a.status, error: a.error, latency_ms: a.latencyMs })),
    payload,
  };
}

export function validateSubscription(
  sim: Callsim,
  b: any,
): { error?: [number, string, string, Record<string, unknown>?]; vendor?: string; accountId?: string; url?: string; events?: string[] | null } {
  if (!b || typeof b !== 'object') return { error: [400, 'invalid_body', 'Send a JSON object {vendor, account?, url, events?}'] };
  const runtime = typeof b.vendor === 'string' ? sim.runtime(b.vendor) : undefined;
  if (!runtime) return { error: [400, 'unknown_vendor', `vendor must be one of: ${sim.runtimes.map((r) => r.adapter.name).join(', ')}`] };
  let url: URL | undefined;
  try {
    url = new URL(String(b.url));
  } catch {
    url = undefined;
  }
  if (typeof b.url !== 'string' || !url || (url.protocol !== 'http:' && url.protocol !== 'https:') || b.url.length > 2048) {
    return { error: [400, 'invalid_url', 'url must be an absolute http:// or https:// URL (at most 2048 characters)'] };
  }
  const known = runtime.adapter.webhookEvents;
  if (b.events !== undefined && (!Array.isArray(b.events) || b.events.some((e: unknown) => typeof e !== 'string'))) {
    return { error: [400, 'invalid_events', 'events must be an array of event names'] };
  }
  const unknown = (b.events ?? []).filter((e: string) => !known.includes(e));
  if (unknown.length) return { error: [422, 'unknown_events', `Unknown event(s) ${unknown.join(', ')}; ${b.vendor} sends: ${known.join(', ')}`, { known }] };
  let accountId =
    runtime.adapter.name && b.account === undefined ? sim.resolveAccount(b.vendor, runtime.adapter.demoKey) : sim.resolveAccount(b.vendor, b.account);
  if (b.account === '*') accountId = '*';
  if (!accountId)
    return { error: [404, 'unknown_account', `No ${b.vendor} account ${b.account} (give an account id or API key, or omit it for the demo account)`] };
  return { vendor: b.vendor, accountId, url: url.toString(), events: b.events?.length ? b.events : null };
}

export function webhooksRouter(sim: Callsim): Router {
  const r = Router();
  r.post('/webhooks/subscriptions', (req, res) => {
    const v = validateSubscription(sim, req.body);
    if (v.error) return adminError(res, v.error[0], v.error[1], v.error[2], v.error[3]);
    const sub = sim.subscriptions.add({
      vendor: v.vendor!,
      accountId: v.accountId!,
      url: v.url!,
      events: v.events ?? null,
      source: 'admin',
      createdAt: sim.world.now(),
    });
    res
      .status(201)
      .json({ id: sub.id, secret: sub.secret, vendor: sub.vendor, account: sub.accountId, url: sub.url, events: sub.events, created_at: iso(sub.createdAt) });
  });
  r.get('/webhooks/subscriptions', (_req, res) => {
    res.json({
      data: sim.subscriptions
        .all()
        .map((s) => ({ id: s.id, vendor: s.vendor, account: s.accountId, url: s.url, events: s.events, source: s.source, created_at: iso(s.createdAt) })),
    });
  });
  r.delete('/webhooks/subscriptions/:id', (req, res) => {
    if (!sim.subscriptions.remove(req.params.id)) return adminError(res, 404, 'not_found', `No subscription ${req.params.id}`);
    res.status(204).end();
  });
  r.get('/webhooks/deliveries', (req, res) => {
    const { vendor, event, state } = req.query as Record<string, string | undefined>;
    const list = [...sim.webhooks.deliveries.values()].filter(
      (d) => (!vendor || d.vendor === vendor) && (!event || d.event === event) && (!state || d.state === state),
    );
    res.json({ data: list.map(deliveryJson), total: list.length });
  });
  r.get('/webhooks/deliveries/:id', (req, res) => {
    const d = sim.webhooks.deliveries.get(req.params.id);
    if (!d) return adminError(res, 404, 'not_found', `No delivery ${req.params.id}`);
    res.json(deliveryJson(d));
  });
  r.post('/webhooks/deliveries/:id/redeliver', (req, res) => {
    const d = sim.webhooks.redeliver(req.params.id);
    if (!d) return adminError(res, 404, 'not_found', `No delivery ${req.params.id} (or its subscription was removed)`);
    res.status(202).json(deliveryJson(d));
  });
  return r;
}
