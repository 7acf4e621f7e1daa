/**
 * A toy fifth vendor from a small spec, a fixture file and one folder, plus one registry line (below),
 * run through the shared conformance suite and the services every vendor gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/index.js';
import { VENDORS } from '../../src/vendors/registry.js';
import { standardFixtures } from '../../src/vendors/shared/seed.js';
import { conformanceSuite } from '../conformance/suite.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { toy } from './vendor/index.js';

const REGISTRY = [...VENDORS, toy];

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim({ vendors: ['jagcall', 'toy'] }, { adapters: REGISTRY });
});
afterAll(() => sim.stop());

conformanceSuite(
  [
    {
      vendor: 'toy',
      otherKey: 'toy_test_other',
      list: '/v1/calls',
      page: { page: 'page', size: 'per_page', max: 100 },
      own: '/v1/calls/tcall_demo1',
      foreign: '/v1/calls/tcall_other1',
      unknown: '/v1/calls/tcall_nope',
      create: { path: '/v1/calls', body: { agent_id: 'tag_demo', to: '+14155550142' }, wrongTypes: { agent_id: 'tag_demo', to: 14155550142 }, field: 'to' },
      validationStatus: 422,
      contentTypeStatus: 415,
      isError: (b) => typeof b?.error?.code === 'string' && typeof b?.error?.message === 'string',
    },
  ],
  () => sim,
);

describe('a fifth vendor added by a contributor', () => {
  it('gets recording links signed for itself, that serve its call', async () => {
    const created = await sim.api('toy', 'POST', '/v1/calls', { body: { agent_id: 'tag_demo', to: '+14155550142' } });
    expect(created.status).toBe(201);
    await sim.advance(600_000);
    const call = await sim.api('toy', 'GET', `/v1/calls/${created.body.id}`);
    expect(call.body.recording_url).toContain('/__sim/recordings/toy/');
    const wav = await fetch(call.body.recording_url);
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
  });

  it('is in the banner data, the admin API and its raw routes like any other', async () => {
    expect((await sim.admin('GET', '/health')).body.vendors).toEqual(['jagcall', 'toy']);
    const minted = await sim.admin('POST', '/accounts', { vendor: 'toy' });
    expect(minted.status).toBe(201);
    expect((await sim.api('toy', 'GET', '/v1/calls', { key: minted.body.key })).status).toBe(200);
    const status = await fetch(`${sim.url}/toy/status`);
    expect(await status.text()).toBe('toy is up');
  });

  it('is refused at start-up when a fixture call id collides with another vendor', async () => {
    const clash = { ...toy, fixtures: standardFixtures('toy', 'toy_test_', new URL('./clash.yaml', import.meta.url).pathname) };
    await expect(startSimulator({ vendors: ['jagcall', 'toy'] }, { adapters: [...VENDORS, clash] })).rejects.toThrow(
      /fixture call id call_xxx is used by both jagcall and toy/,
    );
  });
});
