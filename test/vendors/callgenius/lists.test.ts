import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../../helpers/sim.js';

/**
 * The page words some lists "Returns all …" (agents — answered `[ {…}, … ]` —, numbers, campaigns,
 * knowledge documents) and one "Returns paginated call records": each kind answers one way.
 */
let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.stop());
const cg = (path: string) => sim.api('callgenius', 'GET', path);

describe('CallGeni.us lists', () => {
  it('"Returns all …" lists are bare arrays of every item, whatever paging parameters a client adds', async () => {
    for (const path of ['/api/agents', '/api/numbers', '/api/campaigns', '/api/knowledge', '/api/tenants', '/api/agents/42/versions']) {
      const r = await cg(path);
      expect(r.status, path).toBe(200);
      expect(Array.isArray(r.body), path).toBe(true);
      expect(r.body.length, path).toBeGreaterThan(0);
      expect((await cg(`${path}?page=2&per_page=1`)).body, path).toEqual(r.body);
    }
  });

  it('the paginated lists (calls, the number search) are Laravel pages that reach their end', async () => {
    for (const path of ['/api/calls', '/api/numbers/available?country=AU']) {
      const first = (await cg(`${path}${path.includes('?') ? '&' : '?'}per_page=2`)).body;
      expect(first.meta).toEqual(expect.objectContaining({ current_page: 1, per_page: 2 }));
      const seen: unknown[] = [];
      for (let page = 1; page <= first.meta.last_page; page++)
        seen.push(...(await cg(`${path}${path.includes('?') ? '&' : '?'}per_page=2&page=${page}`)).body.data);
      expect(seen.length, path).toBe(first.meta.total);
    }
  });
});
