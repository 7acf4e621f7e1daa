import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Callsim } from '../../src/app.js';
import { loadContract } from '../../src/contract/load.js';
import { missingHandlers } from '../../src/engine/surface.js';
import { createHttpServer } from '../../src/server.js';
import { VENDORS } from '../../src/vendors/registry.js';

const only = process.env.CALLSIM_TEST_VENDORS?.split(',');
const vendors = VENDORS.filter((v) => !only || only.includes(v.name));

describe.each(vendors)('$name spec', (adapter) => {
  const runtime = loadContract(adapter.specFile, adapter.name);

  it('has a handler for every operation (start-up would refuse otherwise)', () => {
    expect(missingHandlers(runtime.spec, adapter.handlers)).toEqual([]);
    expect(Object.keys(adapter.handlers).sort()).toEqual(runtime.spec.operations.map((o) => o.operationId).sort());
  });

  it("loads the same operations as Prism's loader", async () => {
    const { getHttpOperationsFromSpec } = await import('@stoplight/prism-http');
    const doc = parse(readFileSync(adapter.specFile, 'utf8'));
    const prism = await getHttpOperationsFromSpec(doc);
    const theirs = prism.map((o) => `${o.method.toUpperCase()} ${o.path} ${o.iid}`).sort();
    const ours = runtime.spec.operations.map((o) => `${o.method} ${o.template} ${o.operationId}`).sort();
    expect(ours).toEqual(theirs);
  });

  it('validates every documented example against its own schema', () => {
    const problems: string[] = [];
    for (const op of runtime.spec.operations) {
      for (const [status, pointer] of Object.entries(op.responses)) {
        if (!pointer) continue;
        const media = pointer.replace(/\/schema$/, '');
        const node = media
          .slice(2)
          .split('/')
          .reduce((n: any, p) => n?.[p.replace(/~1/g, '/').replace(/~0/g, '~')], runtime.spec.doc);
        const resolved = node?.$ref ? undefined : node;
        for (const [name, ex] of Object.entries<any>(resolved?.examples ?? {})) {
          if (ex?.value === undefined) continue;
          const v = runtime.validator.validateResponse(op, status === 'default' ? 599 : Number(status.replace('XX', '00')), ex.value);
          if (v.length) problems.push(`${op.operationId} ${status} ${name}: ${v.map((x) => x.message).join('; ')}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('server wiring', () => {
  it('answers health and routes each vendor prefix (through supertest, no port needed)', async () => {
    const sim = new Callsim({ clock: 'virtual', seed: 1, vendors: only });
    const app = createHttpServer(sim);
    const health = await request(app).get('/__sim/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    for (const r of sim.vendors) {
      const res = await request(app).get(`${r.adapter.prefix}/definitely-not-a-route`).set('authorization', `Bearer ${r.adapter.demoKey}`);
      expect(res.status, r.adapter.name).toBe(404);
    }
    sim.world.scheduler.stop();
  });
});
