import { Callsim } from '../src/app.js';
import { loadContract } from '../src/contract/load.js';
import { CoverageCounter } from '../src/coverage/counter.js';
import type { Outcome } from '../src/engine/pipeline.js';
import { specPath } from '../src/fixtures/index.js';

/**
 * The counting alone, in-process, without the HTTP noise around it: a mix of JagCall's operations
 * and statuses (a tenth with a violation) over a few accounts, as a test suite's traffic looks.
 */
export function benchCoverageCount(n = 2_000_000): { nsPerRequest: number } {
  const ops = loadContract(specPath('jagcall'), 'jagcall').spec.operations;
  const outcomes: Outcome[] = ops.flatMap((op, i) =>
    [200, 404, 422].map((status, j) => ({
      op,
      accountId: `acct_${(i + j) % 4}`,
      response: { status },
      violations: j === 2 ? [{ location: 'body' as const, field: 'to', rule: 'required', message: 'to is required' }] : [],
      violationCount: j === 2 ? 1 : 0,
      responseViolations: [],
      warnings: [],
      warningCount: 0,
    })),
  );
  const req = { method: 'GET', path: '/v1/agents' };
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const counter = new CoverageCounter();
    const t = performance.now();
    for (let i = 0; i < n; i++) counter.request('jagcall', req, outcomes[i % outcomes.length]);
    best = Math.min(best, ((performance.now() - t) * 1e6) / n);
  }
  return { nsPerRequest: Math.round(best) };
}

/**
 * The whole vendor pipeline in-process (route, auth, validation, handler, journal, listeners),
 * with and without coverage counting, without sockets or a load generator to add noise: two
 * servers, short rounds of the same request alternating between them (a neighbour's burst then
 * spans both halves of a pair), the median of the paired costs.
 */
export async function benchCoverageHandle(rounds = 40, n = 3_000): Promise<{ onUs: number; offUs: number; costPercent: number }> {
  const make = (coverage: boolean) => new Callsim({ seed: 1, coverage, logLevel: 'silent' });
  const sims = { on: make(true), off: make(false) };
  const req = { method: 'GET', path: '/v1/agents', query: {}, headers: { authorization: 'Bearer jc_test_demo' } };
  const costs: number[] = [];
  const total = { on: 0, off: 0 };
  for (let r = 0; r < rounds + 4; r++) {
    const us = { on: 0, off: 0 };
    for (const k of r % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const sim = sims[k];
      const surface = sim.vendor('jagcall')!;
      const t = performance.now();
      for (let i = 0; i < n; i++) await sim.handle(surface, { ...req });
      us[k] = ((performance.now() - t) * 1000) / n;
    }
    // The first rounds warm the JIT up.
    if (r < 4) continue;
    costs.push(100 * (us.on / us.off - 1));
    total.on += us.on / rounds;
    total.off += us.off / rounds;
  }
  for (const sim of Object.values(sims)) sim.world.scheduler.stop();
  const sorted = costs.sort((a, b) => a - b);
  const median = (sorted[(rounds - 1) >> 1] + sorted[rounds >> 1]) / 2;
  return { onUs: Math.round(100 * total.on) / 100, offUs: Math.round(100 * total.off) / 100, costPercent: Math.round(10 * median) / 10 };
}
