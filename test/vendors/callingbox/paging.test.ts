import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../../helpers/sim.js';

/**
 * The CallingBox page says nothing about paging; every list pages with a cursor as a payment API
 * does (`limit`, `starting_after`, `ending_before`, `{data, has_more}`), so every list can be walked
 * to its end — past 100, where a plain `limit` used to stop.
 */
let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());
const cb = (method: string, path: string, body?: unknown) => sim.api('callingbox', method, path, { body });

/** Every page forward from the start, then back from the end: the ids seen each way. */
async function walk(path: string, limit: number, idOf: (x: any) => string = (x) => x.id) {
  const sep = path.includes('?') ? '&' : '?';
  const forward: string[] = [];
  let page = await cb('GET', `${path}${sep}limit=${limit}`);
  for (;;) {
    expect(page.status).toBe(200);
    expect(page.body.data.length).toBeLessThanOrEqual(limit);
    forward.push(...page.body.data.map(idOf));
    if (!page.body.has_more) break;
    page = await cb('GET', `${path}${sep}limit=${limit}&starting_after=${encodeURIComponent(forward.at(-1)!)}`);
  }
  const backward: string[] = [];
  let first = forward.at(-1)!;
  backward.unshift(first);
  for (;;) {
    const r = await cb('GET', `${path}${sep}limit=${limit}&ending_before=${encodeURIComponent(first)}`);
    expect(r.status).toBe(200);
    backward.unshift(...r.body.data.map(idOf));
    if (!r.body.has_more) break;
    first = backward[0];
  }
  return { forward, backward };
}

describe('CallingBox cursor paging', () => {
  it('walks 130 calls to the end and back, 50 at a time, with no repeats or gaps', async () => {
    for (let i = 0; i < 127; i++) expect((await cb('POST', '/v1/calls', { agent_id: 'agent_3f9a1c2b7d4e', to: '+14155559876' })).status).toBe(201);
    const all = (await cb('GET', '/v1/calls?limit=100')).body;
    expect(all.has_more).toBe(true);
    const { forward, backward } = await walk('/v1/calls', 50);
    expect(forward.length).toBe(130);
    expect(new Set(forward).size).toBe(130);
    expect(backward).toEqual(forward);
    expect(forward.slice(0, 100)).toEqual(all.data.map((c: any) => c.id));
    // Filtered lists page the same way; a cursor outside the filter still stands in the order.
    const outbound = await walk('/v1/calls?direction=outbound', 40);
    expect(outbound.forward.length).toBe(129);
    const inboundId = (await cb('GET', '/v1/calls?direction=inbound')).body.data[0].id;
    const afterInbound = await cb('GET', `/v1/calls?direction=outbound&starting_after=${inboundId}`);
    expect(afterInbound.status).toBe(200);
  });

  it('a call made while paging is neither repeated nor skipped: the cursor names a call, not a position', async () => {
    for (let i = 0; i < 5; i++) await cb('POST', '/v1/calls', { agent_id: 'agent_3f9a1c2b7d4e', to: '+14155559876' });
    const first = (await cb('GET', '/v1/calls?limit=3')).body;
    await sim.advance(1000);
    await cb('POST', '/v1/calls', { agent_id: 'agent_3f9a1c2b7d4e', to: '+14155559876' });
    const next = (await cb('GET', `/v1/calls?limit=3&starting_after=${first.data.at(-1).id}`)).body;
    expect(next.data.map((c: any) => c.id)).not.toContain(first.data[0].id);
    const all = (await cb('GET', '/v1/calls?limit=100')).body.data.map((c: any) => c.id);
    expect(next.data.map((c: any) => c.id)).toEqual(all.slice(4, 7));
  });

  it('agents, numbers and available numbers page the same way', async () => {
    for (let i = 0; i < 5; i++) await cb('POST', '/v1/agents', { name: `Agent ${i}` });
    const agents = await walk('/v1/agents', 2);
    expect(agents.forward.length).toBe(7);
    expect(agents.backward).toEqual(agents.forward);
    const numbers = await walk('/v1/numbers', 2);
    expect(numbers.forward).toEqual(['num_1c4b7e2a9f03', 'num_6d2f8a0b5e17', 'num_9e0c3d7b1a62']);
    const available = await walk('/v1/numbers/available?area_code=415', 7, (n) => n.phone_number);
    const every = (await cb('GET', '/v1/numbers/available?area_code=415&limit=100')).body;
    expect(every.has_more).toBe(false);
    expect(available.forward).toEqual(every.data.map((n: any) => n.phone_number));
  });

  it('refuses a cursor that names nothing, or both cursors at once (400); unknown paging parameters change nothing', async () => {
    const unknown = await cb('GET', '/v1/calls?starting_after=call_nope');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ error: 'starting_after: no item call_nope in this list to page from' });
    const both = await cb('GET', '/v1/calls?starting_after=call_5f2a9c1e7b30&ending_before=call_5f2a9c1e7b30');
    expect(both.status).toBe(400);
    const plain = (await cb('GET', '/v1/calls?limit=2')).body;
    // Not CallingBox's parameters: ignored, and said so in a warning.
    for (const q of ['page=2', 'offset=1', 'cursor=abc']) {
      const r = await cb('GET', `/v1/calls?limit=2&${q}`);
      expect(r.body).toEqual(plain);
      expect(r.headers.get('x-callsim-warnings')).toBe(`1; ${q.split('=')[0]} is not a documented query parameter; it was ignored`);
    }
  });
});
