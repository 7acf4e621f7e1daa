import { Router } from 'express';
import type { Callsim } from '../app.js';
import { removeAccount } from '../sim/accounts.js';
import { changePlan, PLANS } from '../sim/billing.js';
import { hangupCall } from '../sim/calls.js';
import { SimError } from '../sim/errors.js';
import { restore, snapshot } from '../state/index.js';
import { adminError } from './basics.js';

export function stateRouter(sim: Callsim): Router {
  const r = Router();
  r.get('/state', async (_req, res) => {
    await sim.world.scheduler.settle();
    res.json(snapshot(sim));
  });
  r.put('/state', (req, res) => {
    const problem = restore(sim, req.body);
    if (problem) return adminError(res, 400, 'invalid_snapshot', problem);
    res.json({ status: 'restored', now: new Date(sim.world.now()).toISOString() });
  });

  r.get('/accounts', (_req, res) => {
    res.json({
      data: [...sim.world.accounts.values()].map((a) => ({
        id: a.id,
        vendor: a.namespace,
        name: a.name,
        keys: a.keys.filter((k) => !a.revokedKeys.includes(k)),
      })),
    });
  });
  r.post('/accounts', (req, res) => {
    const b = req.body ?? {};
    const runtime = typeof b.vendor === 'string' ? sim.runtime(b.vendor) : undefined;
    if (!runtime) return adminError(res, 400, 'unknown_vendor', `vendor must be one of: ${sim.runtimes.map((x) => x.adapter.name).join(', ')}`);
    const fixtures = b.fixtures ?? 'demo';
    if (fixtures !== 'demo' && fixtures !== 'empty') return adminError(res, 400, 'invalid_fixtures', 'fixtures must be "demo" or "empty"');
    const minted = runtime.adapter.mintAccount(sim.world, fixtures);
    res.status(201).json({
      vendor: runtime.adapter.name,
      account: minted.accountId,
      key: minted.key,
      base_url: sim.baseUrl + runtime.adapter.prefix,
      fixtures,
      ...minted.extra,
    });
  });
  r.delete('/accounts/:id', (req, res) => {
    if (!removeAccount(sim.world, req.params.id)) return adminError(res, 404, 'not_found', `No account ${req.params.id}`);
    for (const s of sim.subscriptions.all()) if (s.accountId === req.params.id) sim.subscriptions.remove(s.id);
    res.status(204).end();
  });
  r.post('/keys/:key/revoke', (req, res) => {
    const session = sim.world.sessions.get(req.params.key);
    if (!session) return adminError(res, 404, 'not_found', 'No such key');
    const account = sim.world.account(session.accountId);
    if (!account.revokedKeys.includes(req.params.key)) account.revokedKeys.push(req.params.key);
    res.status(204).end();
  });

  r.post('/calls/:id/hangup', (req, res) => {
    const call = sim.world.findCall(req.params.id);
    if (!call) return adminError(res, 404, 'not_found', `No call ${req.params.id}`);
    try {
      hangupCall(sim.world, call);
    } catch (err) {
      if (err instanceof SimError) return adminError(res, 409, 'conflict', err.message);
      throw err;
    }
    res.json({ id: call.id, status: call.status, ended_reason: call.endedReason });
  });
  return r;
}

const page = (
  title: string,
  body: string,
) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.6rem 1.2rem}</style></head><body>${body}</body></html>`;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The hosted checkout that CallGeni.us `subscribe` links to: completing it changes the plan. */
export function checkoutRouter(sim: Callsim): Router {
  const r = Router();
  const parse = (id: string) => {
    const m = /^cs_(.+)_(starter|pro|enterprise)_([0-9a-f]+)$/.exec(id);
    return m && sim.world.accounts.has(m[1]) ? { accountId: m[1], plan: m[2] } : undefined;
  };
  r.get('/:id', (req, res) => {
    const s = parse(req.params.id);
    if (!s) return res.status(404).type('html').send(page('Checkout not found', '<h1>Checkout not found</h1><p>This checkout session does not exist.</p>'));
    res.type('html').send(
      page(
        'callsim checkout',
        `<h1>Subscribe to ${esc(s.plan)}</h1><p>callsim test checkout for ${esc(sim.world.account(s.accountId).name)}: ${PLANS[s.plan].includedMinutes} included minutes. No payment is taken.</p>
<form method="post" action="${esc(req.baseUrl)}/${esc(req.params.id)}/complete"><button type="submit">Complete subscription</button></form>`,
      ),
    );
  });
  r.post('/:id/complete', (req, res) => {
    const s = parse(req.params.id);
    if (!s) return adminError(res, 404, 'not_found', 'No such checkout session');
    changePlan(sim.world, s.accountId, s.plan);
    if ((req.headers.accept ?? '').includes('text/html'))
      return res.type('html').send(page('Subscribed', `<h1>Subscribed</h1><p>The plan is now <strong>${esc(s.plan)}</strong>.</p>`));
    res.json({ status: 'complete', account: s.accountId, plan: s.plan });
  });
  return r;
}
