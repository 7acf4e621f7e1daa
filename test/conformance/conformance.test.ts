import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VENDORS } from '../../src/vendors/registry.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { PROBES } from './probes.js';
import { conformanceSuite } from './suite.js';

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim({ rateLimits: { calleague: false, callgenius: false } });
});
afterAll(() => sim.stop());

describe('the conformance suite', () => {
  it('has a probe for every vendor in the registry (a new vendor cannot skip it)', () => {
    expect(VENDORS.map((v) => v.name).filter((name) => !PROBES.some((p) => p.vendor === name))).toEqual([]);
  });
});

const only = process.env.CALLSIM_TEST_VENDORS?.split(',');
conformanceSuite(
  PROBES.filter((p) => !only || only.includes(p.vendor)),
  () => sim,
);
