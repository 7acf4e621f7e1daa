/**
 * Property-based robustness over every operation of every loaded vendor spec: requests generated
 * from the spec's own schemas (json-schema-faker inside fast-check, seeded, so a failure prints a
 * reproducible seed) against a real server. See gen.ts for the generators and the oracles.
 *
 *   ROBUSTNESS_SEED=<n>   another fixed seed (default: fixed, so CI is deterministic)
 *   ROBUSTNESS_RUNS=<n>   runs per operation and property (default 20)
 */
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { VendorSurface } from '../../src/vendors/surface.js';
import {
  describeVerdict,
  documented,
  emptyTally,
  generatable,
  type Harness,
  planInvalid,
  planValid,
  run,
  step,
  type Tally,
  type Verdict,
  warmUp,
} from './gen.js';
import { startRobustnessSim } from './server.js';

const SEED = Number(process.env.ROBUSTNESS_SEED ?? 20_260_101);
const RUNS = Number(process.env.ROBUSTNESS_RUNS ?? 20);

const sim = await startRobustnessSim();
afterAll(() => sim.shutdown());

function harnessOf(t: typeof sim): Harness {
  return {
    sim: t.running.sim,
    send: (vendor, method, path, o = {}) => t.api(vendor, method, path, { ...o, skipContract: true }),
    advance: (ms) => t.advance(ms),
    reset: () => t.reset(),
  };
}
const h = harnessOf(sim);

/** A stable per-operation seed, so adding an operation does not change the others' cases. */
const seedFor = (name: string): number => {
  let x = SEED;
  for (const c of name) x = (Math.imul(x, 31) + c.charCodeAt(0)) | 0;
  return x;
};

const fail = (runtime: VendorSurface, v: Verdict): never => {
  throw new Error(describeVerdict(runtime, v));
};

describe.each(sim.running.sim.vendors.map((runtime) => ({ vendor: runtime.adapter.name, runtime })))('$vendor generated requests', ({ runtime }) => {
  const ops = runtime.spec.operations.filter(generatable);
  /** Per operation: statuses seen for valid requests (for the coverage check at the end). */
  const seen = new Map<string, Set<number>>();
  beforeEach(() => h.reset());

  it('has operations to generate for', () => {
    expect(ops.length).toBeGreaterThan(0);
  });

  describe.each(ops.map((op) => ({ id: op.operationId, op })))('$id', ({ op }) => {
    it('valid requests: a documented status below 500, a body that matches the spec', async () => {
      const statuses = new Set<number>();
      seen.set(op.operationId, statuses);
      await warmUp(h, runtime, op, seedFor(op.operationId));
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
          const v = await run(h, runtime, planValid(h.sim, runtime, op, seed));
          statuses.add(v.status);
          if (process.env.ROBUSTNESS_VERBOSE)
            console.log(
              `STAT ${runtime.adapter.name} ${op.operationId} ${v.violations.length ? `invalid ${v.path} ${v.violations.map((x) => `${x.location}:${x.field}:${x.rule}`).join(',')}` : 'valid'} ${v.status}`,
            );
          if (v.problems.length) fail(runtime, v);
        }),
        { numRuns: RUNS, seed: seedFor(`${runtime.adapter.name}.${op.operationId}.valid`), endOnFailure: true },
      );
    });

    // An operation with no parameters and no body has nothing to break.
    if (!op.params.some((p) => p.in === 'path' || p.in === 'query') && !op.body) return;
    it("invalid mutations: the vendor's validation status, in its error envelope", async () => {
      let made = 0;
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
          const plan = planInvalid(h.sim, runtime, op, seed);
          if (!plan) return;
          made++;
          const v = await run(h, runtime, plan);
          expect(v.violations.length).toBeGreaterThan(0);
          if (v.problems.length) fail(runtime, v);
        }),
        { numRuns: RUNS, seed: seedFor(`${runtime.adapter.name}.${op.operationId}.invalid`), endOnFailure: true },
      );
      // Every parameter or body has something the contract forbids (a wrong type at least).
      expect(made, 'no invalid request could be generated').toBeGreaterThan(0);
    });
  });

  it('random sequences over all operations, with clock ticks, never break the contract', async () => {
    const tally: Tally = emptyTally();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { minLength: 10, maxLength: 25 }), async (seeds) => {
        for (const s of seeds) {
          const v = await step(h, runtime, s, tally);
          if (v?.problems.length) fail(runtime, v);
        }
      }),
      { numRuns: Math.max(3, Math.round(RUNS / 3)), seed: seedFor(`${runtime.adapter.name}.sequence`), endOnFailure: true },
    );
    expect(tally.requests).toBeGreaterThan(0);
  });

  it('concurrent bursts of generated requests over all operations never break the contract', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { minLength: 10, maxLength: 30 }), async (seeds) => {
        const plans = seeds.map((s, i) => {
          const op = ops[s % ops.length];
          return i % 3 === 2 ? (planInvalid(h.sim, runtime, op, s) ?? planValid(h.sim, runtime, op, s)) : planValid(h.sim, runtime, op, s);
        });
        const verdicts = await Promise.all(plans.map((p) => run(h, runtime, p)));
        const bad = verdicts.find((v) => v.problems.length);
        if (bad) fail(runtime, bad);
      }),
      { numRuns: Math.max(3, Math.round(RUNS / 4)), seed: seedFor(`${runtime.adapter.name}.burst`), endOnFailure: true },
    );
  });

  it('the generators reach real records: most operations answered a success at least once', () => {
    const succeeded = ops.filter((op) => [...(seen.get(op.operationId) ?? [])].some((s) => s < 300 && documented(op, s)));
    const missing = ops.filter((op) => !succeeded.includes(op)).map((op) => `${op.operationId} (${[...(seen.get(op.operationId) ?? [])].join(',')})`);
    if (process.env.ROBUSTNESS_VERBOSE) console.log(`${runtime.adapter.name}: no success for ${missing.join('; ') || 'none'}`);
    expect(succeeded.length / ops.length, `operations without a single success: ${missing.join('; ')}`).toBeGreaterThanOrEqual(0.9);
  });
});
