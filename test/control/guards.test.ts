import { afterEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../helpers/sim.js';

let sim: TestSim;
afterEach(() => sim?.stop());

describe('rate limits on the sim clock', () => {
  it("answers 429 with Retry-After past the limit, in the vendor's shape, and lets through after the window", async () => {
    sim = await startTestSim({ rateLimits: { jagcall: { requests: 5, perSec: 60 } } });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await sim.api('jagcall', 'GET', '/v1/agents')).status);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await sim.api('jagcall', 'GET', '/v1/agents');
    expect(limited.body.error.code).toBe('rate_limited');
    const wait = Number(limited.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    expect((await sim.api('jagcall', 'GET', '/v1/agents', { key: 'jc_test_other' })).status).toBe(200);
    await sim.advance(wait * 1000);
    expect((await sim.api('jagcall', 'GET', '/v1/agents')).status).toBe(200);
    await sim.admin('PUT', '/config', { rateLimits: { jagcall: false } });
    for (let i = 0; i < 10; i++) expect((await sim.api('jagcall', 'GET', '/v1/agents')).status).toBe(200);
  });
});

describe('fault injection', () => {
  it("answers a configured status on a path template, in the vendor's error shape", async () => {
    sim = await startTestSim();
    const put = await sim.admin('PUT', '/config', { faults: [{ vendor: 'jagcall', method: 'POST', path: '/v1/calls', status: 503 }] });
    expect(put.status).toBe(200);
    const r = await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155559876' } });
    expect(r.status).toBe(503);
    expect(r.body.error.message).toContain('503');
    expect((await sim.api('jagcall', 'GET', '/v1/calls')).status).toBe(200);
    await sim.admin('PUT', '/config', { faults: [{ vendor: 'jagcall', path: '/v1/calls/{id}', status: 500 }] });
    expect((await sim.api('jagcall', 'GET', '/v1/calls/call_xxx')).status).toBe(500);
    await sim.admin('PUT', '/config', { faults: [] });
    expect((await sim.api('jagcall', 'GET', '/v1/calls/call_xxx')).status).toBe(200);
  });

  it('applies a probability with the seed: about that share fails, the same ones on every run', async () => {
    const run = async () => {
      const s = await startTestSim({ seed: 5, faults: [{ vendor: 'jagcall', path: '/v1/agents', status: 500, probability: 0.3 }] });
      const codes: number[] = [];
      for (let i = 0; i < 60; i++) codes.push((await s.api('jagcall', 'GET', '/v1/agents')).status);
      await s.stop();
      return codes;
    };
    const a = await run();
    expect(a).toEqual(await run());
    const failed = a.filter((c) => c === 500).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(35);
    sim = await startTestSim();
  });

  it('adds latency and drops connections', async () => {
    sim = await startTestSim({
      faults: [
        { vendor: 'jagcall', path: '/v1/agents', delayMs: 300 },
        { vendor: 'jagcall', path: '/v1/billing/balance', drop: true },
      ],
    });
    const t = Date.now();
    expect((await sim.api('jagcall', 'GET', '/v1/agents')).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(280);
    await expect(fetch(`${sim.url}/jagcall/v1/billing/balance`, { headers: { authorization: 'Bearer jc_test_demo' } })).rejects.toThrow();
  });

  it("honours Prism's Prefer: code=… per request", async () => {
    sim = await startTestSim();
    const r = await sim.api('jagcall', 'GET', '/v1/agents', { headers: { prefer: 'code=503' } });
    expect(r.status).toBe(503);
    expect(r.body.error).toBeDefined();
    const nf = await sim.api('jagcall', 'GET', '/v1/agents', { headers: { prefer: 'code=404' } });
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('not_found');
  });

  it('refuses a bad fault rule and changes nothing', async () => {
    sim = await startTestSim();
    const bad = await sim.admin('PUT', '/config', { faults: [{ vendor: 'jagcall', status: 99 }], media: { latencyMs: 50 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('faults.0.status');
    const cfg = await sim.admin('GET', '/config');
    expect(cfg.body.faults).toEqual([]);
    expect(cfg.body.media.latencyMs).toBe(0);
  });
});

describe('journal', () => {
  it('records each request with its verdict and lists the violations a CI step asserts empty', async () => {
    sim = await startTestSim();
    await sim.api('jagcall', 'GET', '/v1/agents');
    await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '12345', colour: 'red' } });
    const all = await sim.admin('GET', '/journal?vendor=jagcall');
    expect(all.body.data.map((e: any) => [e.operationId, e.status])).toEqual([
      ['listAgents', 200],
      ['createCall', 422],
    ]);
    const v = await sim.admin('GET', '/journal/violations');
    expect(v.body.total).toBe(1);
    expect(v.body.data[0].violations).toEqual([expect.objectContaining({ field: 'to', rule: 'pattern' })]);
    // An undocumented field is what a tolerant API ignores: a warning beside the error, not an error.
    expect(v.body.data[0].warnings).toEqual([expect.objectContaining({ field: 'colour', rule: 'additionalProperties' })]);
    expect(v.body.data[0].warningCount).toBe(1);
    expect((await sim.admin('GET', '/journal?operation=listAgents')).body.total).toBe(1);
    expect((await sim.admin('GET', '/journal?status=422')).body.total).toBe(1);
  });

  it("with --strict also checks callsim's own answers", async () => {
    sim = await startTestSim({ strict: true });
    await sim.api('jagcall', 'GET', '/v1/agents');
    await sim.api('jagcall', 'GET', '/v1/calls/call_xxx/transcript');
    expect((await sim.admin('GET', '/journal/violations')).body.total).toBe(0);
  });
});
