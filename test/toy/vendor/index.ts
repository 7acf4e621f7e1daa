import { fileURLToPath } from 'node:url';
import { DEFAULT_STATUS } from '../../../src/engine/errors.js';
import { ok } from '../../../src/engine/respond.js';
import type { AnyHandler } from '../../../src/engine/surface.js';
import { createCall, getCallOrThrow, listCalls } from '../../../src/sim/calls.js';
import type { Call } from '../../../src/sim/types.js';
import { paginate } from '../../../src/vendors/shared/http.js';
import { recordingLink } from '../../../src/vendors/shared/mappers.js';
import { standardFixtures } from '../../../src/vendors/shared/seed.js';
import type { VendorAdapter, VendorContext, VendorServices } from '../../../src/vendors/types.js';

/**
 * A fifth vendor, written as CONTRIBUTING.md says: a spec (../toy.yaml), a fixture file
 * (../fixtures.yaml) and this folder. Its name appears nowhere in the shared services: they are
 * bound to it by the server.
 */
const callJson = (services: VendorServices, now: number, c: Call) => ({
  id: c.id,
  agent_id: c.agentId,
  to: c.to,
  status: c.status,
  recording_url: recordingLink(services, c, now)?.url ?? null,
});

// A test vendor has no generated types: its table is checked at start-up (every operation handled).
const handlers: Record<string, AnyHandler<VendorContext>> = {
  listCalls: ({ world, account, query, services }) => {
    const q = query as { page: number; per_page: number };
    const { items, total } = paginate(listCalls(world, account.id), q.page, q.per_page);
    return ok({ data: items.map((c) => callJson(services, world.now(), c)), total });
  },
  createCall: ({ world, account, body, services }) => {
    const b = body as { agent_id: string; to: string; metadata?: Record<string, unknown> };
    return ok(callJson(services, world.now(), createCall(world, { accountId: account.id, agentId: b.agent_id, to: b.to, metadata: b.metadata })), 201);
  },
  getCall: ({ world, account, params, services }) => ok(callJson(services, world.now(), getCallOrThrow(world, account.id, String(params.id)))),
};

export const toy: VendorAdapter = {
  name: 'toy',
  title: 'Toy',
  prefix: '/toy',
  basePath: '/v1',
  specFile: fileURLToPath(new URL('../toy.yaml', import.meta.url)),
  docsBase: 'https://toy.example/v1',
  demoKey: 'toy_test_demo',
  otherKey: 'toy_test_other',
  handlers,
  error: (e) => ({
    status: e.status ?? { ...DEFAULT_STATUS, malformed_json: 400, validation: 422 }[e.kind] ?? 500,
    headers: e.allowed ? { allow: e.allowed.join(', ') } : undefined,
    body: { error: { code: e.kind, message: e.message } },
  }),
  fixtures: standardFixtures('toy', 'toy_test_', fileURLToPath(new URL('../fixtures.yaml', import.meta.url))),
  webhooks: () => [],
  webhookEvents: [],
  raw: [
    {
      matches: (method, path) => method === 'GET' && path === '/toy/status',
      serve: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('toy is up');
      },
    },
  ],
};
