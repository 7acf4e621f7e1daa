import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { saveStateFile } from '../../src/state/index.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';

let sim: TestSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe('--retain-calls', () => {
  it('keeps the newest finished calls per account: older ids answer the vendor 404; journal and state file keep working', async () => {
    sim = await startTestSim({ retainCalls: 4 });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155559876' } });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
      await sim.advance(1000);
    }
    await sim.advance(3_600_000);
    const list = await sim.api('jagcall', 'GET', '/v1/calls?per_page=100');
    expect(list.body.pagination.total).toBe(4);
    // The four that finished last (talk times differ, so not simply the four made last).
    const kept: string[] = list.body.data.map((c: any) => c.id);
    expect(kept.every((id) => ids.includes(id))).toBe(true);
    const gone = ids.filter((id) => !kept.includes(id));
    for (const id of gone) expect((await sim.api('jagcall', 'GET', `/v1/calls/${id}`)).status).toBe(404);
    expect((await sim.api('jagcall', 'GET', `/v1/calls/call_xxx`)).status).toBe(404);
    expect((await sim.api('jagcall', 'GET', `/v1/calls/${kept[0]}/transcript`)).status).toBe(200);
    // Another account's calls are its own: the fixture calls of CallingBox are still there.
    expect((await sim.api('callingbox', 'GET', '/v1/calls')).body.data.length).toBeGreaterThan(0);
    const journal = await sim.admin('GET', '/journal?vendor=jagcall&limit=100');
    expect(journal.body.data.some((e: any) => e.path === `/v1/calls/${gone[0]}` && e.status === 404)).toBe(true);
    const file = join(mkdtempSync(join(tmpdir(), 'callsim-retain-')), 'state.json');
    saveStateFile(sim.running.sim, file);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    const jagAccount = saved.world.accounts.find((a: any) => a.namespace === 'jagcall' && a.keys.includes('jc_test_demo')).id;
    expect(saved.world.stores[jagAccount].calls).toHaveLength(4);
    const restored = await sim.admin('PUT', '/state', saved);
    expect(restored.status).toBe(200);
    expect((await sim.api('jagcall', 'GET', '/v1/calls?per_page=100')).body).toEqual(list.body);
  });
});
