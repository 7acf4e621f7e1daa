/**
 * GET/DELETE /__sim/coverage and GET/POST /__sim/report against specs/admin.yaml (every request and
 * answer checked by the admin-spec helper), and what they count: operations, statuses against the
 * declared ones, violations by kind, unmatched requests, webhook deliveries, per account.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/index.js';
import { send as adminCall, type CallOpts, exercised, operationsTagged } from '../helpers/admin-spec.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';

let sim: TestSim;
const dir = mkdtempSync(join(tmpdir(), 'callsim-coverage-'));
const files = ['report.json', 'junit.xml', 'summary.md'].map((f) => join(dir, f));
const admin = (method: string, path: string, o?: CallOpts) => adminCall(sim.url, method, path, o);
const jag = (method: string, path: string, body?: unknown, key?: string) => sim.api('jagcall', method, path, { body, key });
const opOf = (cov: any, vendor: string, id: string) => cov.vendors.find((v: any) => v.name === vendor).operations.find((o: any) => o.operationId === id);

beforeAll(async () => {
  sim = await startTestSim({ report: files, failOn: 'violations' });
});
afterAll(async () => {
  await sim.stop();
  // Every endpoint of the Coverage group answered at least once in this file.
  for (const id of operationsTagged('Coverage')) expect(exercised.has(id), `${id} exercised`).toBe(true);
});
beforeEach(async () => {
  expect((await admin('POST', '/__sim/reset', { body: {} })).status).toBe(200);
});

describe('GET /__sim/coverage', () => {
  it('starts empty: every operation and webhook event listed, nothing exercised', async () => {
    const r = await admin('GET', '/__sim/coverage');
    expect(r.status).toBe(200);
    expect(r.body.account).toBeNull();
    expect(r.body.totals).toMatchObject({ exercised: 0, operationsPercent: 0, calls: 0, violations: 0, responsesSeen: 0 });
    const jagcall = r.body.vendors.find((v: any) => v.name === 'jagcall');
    expect(jagcall.kind).toBe('vendor');
    const ids = sim.running.sim.vendor('jagcall')!.spec.operations.map((o) => o.operationId);
    expect(jagcall.operations.map((o: any) => o.operationId)).toEqual(ids);
    expect(r.body.totals.operations).toBe(sim.running.sim.vendors.reduce((n, v) => n + v.spec.operations.length, 0));
    // Never emitted: every declared event at zero.
    expect(jagcall.webhooks.map((w: any) => w.event)).toEqual(sim.running.sim.vendor('jagcall')!.adapter.webhookEvents);
    expect(jagcall.webhooks.every((w: any) => w.emitted === 0 && w.delivered === 0 && w.failed === 0)).toBe(true);
  });

  it('counts calls, statuses against the declared ones, violations by kind and unmatched requests', async () => {
    expect((await jag('GET', '/v1/agents')).status).toBe(200);
    expect((await jag('GET', '/v1/agents')).status).toBe(200);
    expect((await jag('POST', '/v1/calls', { agent_id: 'agt_xxx' })).status).toBe(422);
    expect((await jag('POST', '/v1/calls', { agent_id: 'agt_xxx', to: 'nope', extra: 1 })).status).toBe(422);
    expect((await jag('GET', '/v1/agents/agt_nope')).status).toBe(404);
    expect((await jag('GET', '/v1/nothing-here')).status).toBe(404);
    expect((await jag('GET', '/v1/agents', undefined, 'jc_wrong')).status).toBe(401);

    const r = await admin('GET', '/__sim/coverage');
    const list = opOf(r.body, 'jagcall', 'listAgents');
    expect(list.calls).toBe(3);
    expect(list.responses).toContainEqual({ status: '200', declared: true, count: 2 });
    expect(list.responses).toContainEqual({ status: '401', declared: true, count: 1 });
    expect(list.violations).toBe(0);
    const create = opOf(r.body, 'jagcall', 'createCall');
    expect(create).toMatchObject({ calls: 2, violatingCalls: 2 });
    expect(create.violations).toBe(2);
    // An undocumented field is a warning (the pages are silent), counted apart from the violations.
    expect(create.warnings).toBe(1);
    expect(create.responses).toContainEqual({ status: '422', declared: true, count: 2 });
    expect(create.responses.find((x: any) => x.status === '201')).toEqual({ status: '201', declared: true, count: 0 });
    const required = create.violationKinds.find((k: any) => k.rule === 'required');
    expect(required).toMatchObject({ location: 'body', field: 'to', count: 1, lastPath: '/v1/calls' });
    expect(create.violationKinds.map((k: any) => k.field)).toEqual(['to', 'to']);
    expect(opOf(r.body, 'jagcall', 'getAgent').responses).toContainEqual({ status: '404', declared: true, count: 1 });

    const jagcall = r.body.vendors.find((v: any) => v.name === 'jagcall');
    expect(jagcall.unmatched).toEqual({ count: 1, samples: [{ method: 'GET', path: '/v1/nothing-here', count: 1 }] });
    expect(jagcall.totals).toMatchObject({ exercised: 3, calls: 6, violatingCalls: 2, unmatched: 1 });
    expect(jagcall.totals.operationsPercent).toBe(Math.round((1000 * 3) / jagcall.operations.length) / 10);
    const declared = jagcall.operations.flatMap((o: any) => o.responses.filter((x: any) => x.declared && x.status !== 'default'));
    expect(jagcall.totals.responses).toBe(declared.length);
    expect(jagcall.totals.responsesSeen).toBe(4);
    expect(r.body.totals.calls).toBe(6);
  });

  it('keeps one account apart with ?account= (id or key); an unknown one is 404, an empty one 400', async () => {
    const minted = await admin('POST', '/__sim/accounts', { body: { vendor: 'jagcall' } });
    expect(minted.status).toBe(201);
    await jag('GET', '/v1/agents', undefined, minted.body.key);
    await jag('GET', '/v1/calls', undefined, minted.body.key);
    await jag('GET', '/v1/agents');

    for (const ref of [minted.body.account, minted.body.key]) {
      const mine = await admin('GET', `/__sim/coverage?account=${encodeURIComponent(ref)}`);
      expect(mine.status).toBe(200);
      expect(mine.body.account).toBe(minted.body.account);
      expect(mine.body.totals.calls).toBe(2);
      expect(opOf(mine.body, 'jagcall', 'listAgents').calls).toBe(1);
    }
    const demo = await admin('GET', '/__sim/coverage?account=jc_org_demo');
    expect(demo.body.totals.calls).toBe(1);
    expect((await admin('GET', '/__sim/coverage')).body.totals.calls).toBe(3);

    const unknown = await admin('GET', '/__sim/coverage?account=jc_nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_account');
    const empty = await admin('GET', '/__sim/coverage?account=', { invalid: true });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details[0].field).toBe('account');
  });

  describe('webhooks', () => {
    let ok: Receiver;
    beforeEach(async () => {
      ok = await startReceiver();
      return () => ok.close();
    });

    it('counts each event type emitted, delivered and finally failed', async () => {
      const failing = 'http://127.0.0.1:9/closed';
      const subs = [
        await admin('POST', '/__sim/webhooks/subscriptions', { body: { vendor: 'jagcall', url: ok.url, events: ['call.started', 'call.ended'] } }),
        await admin('POST', '/__sim/webhooks/subscriptions', { body: { vendor: 'jagcall', url: failing, events: ['call.ended'] } }),
      ];
      try {
        expect((await jag('POST', '/v1/calls', { agent_id: 'agt_xxx', to: '+14155559876' })).status).toBe(201);
        await sim.advance(120_000);
        // Every retry of the failing receiver, up to the last (about 40 hours of sim time).
        await sim.advance(48 * 3_600_000);
        const r = await admin('GET', '/__sim/coverage?account=jc_org_demo');
        const hooks = r.body.vendors.find((v: any) => v.name === 'jagcall').webhooks;
        expect(hooks.find((w: any) => w.event === 'call.started')).toEqual({ event: 'call.started', emitted: 1, delivered: 1, failed: 0 });
        expect(hooks.find((w: any) => w.event === 'call.ended')).toEqual({ event: 'call.ended', emitted: 2, delivered: 1, failed: 1 });
        expect(hooks.find((w: any) => w.event === 'call.transcript_ready')).toEqual({ event: 'call.transcript_ready', emitted: 0, delivered: 0, failed: 0 });
        expect(r.body.totals).toMatchObject({ webhookEventsEmitted: 2, webhooksDelivered: 2, webhooksFailed: 1 });
        // Another account saw none of it.
        const other = await admin('GET', '/__sim/coverage?account=jc_org_other');
        expect(other.body.totals.webhooksDelivered).toBe(0);
      } finally {
        for (const s of subs) await admin('DELETE', `/__sim/webhooks/subscriptions/${s.body.id}`);
      }
    });
  });

  it('DELETE /__sim/coverage and POST /__sim/reset start the counts afresh', async () => {
    await jag('GET', '/v1/agents');
    expect((await admin('GET', '/__sim/coverage')).body.totals.calls).toBe(1);
    expect((await admin('DELETE', '/__sim/coverage')).status).toBe(204);
    expect((await admin('GET', '/__sim/coverage')).body.totals.calls).toBe(0);
    // The journal is not the coverage's to clear.
    expect((await admin('GET', '/__sim/journal')).body.total).toBe(1);
    await jag('GET', '/v1/agents');
    await admin('POST', '/__sim/reset', { body: {} });
    expect((await admin('GET', '/__sim/coverage')).body.totals.calls).toBe(0);
  });
});

describe('the report', () => {
  it('GET /__sim/report gives the verdict under --fail-on, every violation and the coverage', async () => {
    const clean = await admin('GET', '/__sim/report');
    expect(clean.status).toBe(200);
    expect(clean.body).toMatchObject({ format: 'callsim-report', version: 1, kind: 'run', failOn: 'violations', passed: true, reasons: [], violations: [] });
    expect(clean.body.source).toBe(sim.url);

    await jag('POST', '/v1/calls', { agent_id: 'agt_xxx' });
    await jag('GET', '/v1/nope');
    const broken = await admin('GET', '/__sim/report');
    expect(broken.body.passed).toBe(false);
    expect(broken.body.reasons).toEqual([
      '1 request violation in 1 request (--fail-on violations)',
      '1 request matched no operation of its spec (--fail-on violations)',
    ]);
    expect(broken.body.violations).toEqual([
      {
        vendor: 'jagcall',
        operationId: 'createCall',
        location: 'body',
        field: 'to',
        rule: 'required',
        message: 'to is required',
        count: 1,
        lastPath: '/v1/calls',
      },
    ]);
    expect(broken.body.coverage.totals.violations).toBe(1);
  });

  it('POST /__sim/report writes every --report file atomically, in the format its extension names', async () => {
    await jag('GET', '/v1/agents');
    await jag('POST', '/v1/calls', { agent_id: 'agt_xxx' });
    const r = await admin('POST', '/__sim/report', { body: {} });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ files, passed: false, reasons: ['1 request violation in 1 request (--fail-on violations)'] });

    const json = JSON.parse(readFileSync(files[0], 'utf8'));
    expect(json).toMatchObject({ format: 'callsim-report', passed: false });
    expect(opOf(json.coverage, 'jagcall', 'listAgents').calls).toBe(1);

    const xml = readFileSync(files[1], 'utf8');
    expect(xml.startsWith('<?xml')).toBe(true);
    expect(xml).toContain('<testsuite name="jagcall"');
    expect(xml).toMatch(/<testcase classname="callsim\.jagcall" name="GET \/v1\/agents \(listAgents\)">\s*<system-out>/);
    expect(xml).toMatch(
      /name="POST \/v1\/calls \(createCall\)">\s*<failure message="1 request violation in 1 of 1 requests" type="contract-violation"><!\[CDATA\[body to: required — to is required/,
    );
    // Never called: skipped, so CI shows what the suite left untested.
    expect(xml).toMatch(/name="DELETE \/v1\/agents\/\{id\} \(deleteAgent\)">\s*<skipped\/>/);
    const suites = [...xml.matchAll(/<testsuite name="([^"]+)"[^>]*failures="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(suites).toContainEqual(['jagcall', 1]);
    expect(suites).toContainEqual(['callingbox', 0]);

    const md = readFileSync(files[2], 'utf8');
    expect(md).toContain('## callsim contract report: ❌ failed');
    expect(md).toContain('| jagcall | 2/19');
    expect(md).toContain('| jagcall | createCall | body | to | required | to is required | 1 | /v1/calls |');
    expect(readFileSync(files[2], 'utf8')).toBe(md);
  });

  it('lists each distinct warning apart from the violations: JSON, coverage, JUnit output and Markdown', async () => {
    await jag('POST', '/v1/calls', { agent_id: 'agt_xxx', to: '+14155559876', colour: 'red' });
    await jag('POST', '/v1/calls', { agent_id: 'agt_xxx', to: '+14155559876', colour: 'blue' });
    const r = await admin('GET', '/__sim/report');
    // --fail-on violations: warnings are reported, not fatal.
    expect(r.body).toMatchObject({ passed: true, reasons: ['2 warnings'], violations: [] });
    expect(r.body.warnings).toEqual([
      expect.objectContaining({ vendor: 'jagcall', operationId: 'createCall', location: 'body', field: 'colour', rule: 'additionalProperties', count: 2 }),
    ]);
    expect(opOf(r.body.coverage, 'jagcall', 'createCall')).toMatchObject({ warnings: 2, warningKindsDropped: 0, violations: 0 });
    expect((await admin('POST', '/__sim/report', { body: {} })).status).toBe(200);
    const xml = readFileSync(files[1], 'utf8');
    expect(xml).toMatch(
      /name="POST \/v1\/calls \(createCall\)">\s*<system-out><!\[CDATA\[2 called; responses [^\]]*\nwarnings \(let pass where the pages are silent\):\nbody colour: additionalProperties/,
    );
    expect(xml).not.toMatch(/name="POST \/v1\/calls \(createCall\)">\s*<failure/);
    const md = readFileSync(files[2], 'utf8');
    expect(md).toContain('### Warnings');
    expect(md).toContain('| jagcall | createCall | body | colour | additionalProperties |');
  });

  it('POST /__sim/report without --report answers 409 no_report_file', async () => {
    const plain = await startSimulator({ clock: 'virtual', seed: 1 });
    try {
      const r = await adminCall(plain.url, 'POST', '/__sim/report');
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('no_report_file');
      const report = await adminCall(plain.url, 'GET', '/__sim/report');
      expect(report.body).toMatchObject({ failOn: 'never', passed: true });
    } finally {
      await plain.stop();
    }
  });

  it("--fail-on warnings fails the run and the warned operation's JUnit testcase", async () => {
    const wdir = mkdtempSync(join(tmpdir(), 'callsim-warn-'));
    const strictish = await startSimulator({ clock: 'virtual', seed: 1, failOn: 'warnings', report: join(wdir, 'junit.xml') });
    try {
      await fetch(`${strictish.vendors.jagcall.baseUrl}/v1/agents?sort=name`, { headers: { authorization: 'Bearer jc_test_demo' } });
      const r = await adminCall(strictish.url, 'POST', '/__sim/report', { body: {} });
      expect(r.body).toMatchObject({ passed: false, reasons: ['1 warning (--fail-on warnings)'] });
      const xml = readFileSync(join(wdir, 'junit.xml'), 'utf8');
      expect(xml).toMatch(
        /name="GET \/v1\/agents \(listAgents\)">\s*<failure message="1 warning in 1 requests \(--fail-on warnings\)" type="contract-warning"><!\[CDATA\[query sort: additionalProperties/,
      );
    } finally {
      await strictish.stop();
    }
  });

  it('--no-coverage (coverage: false) counts nothing', async () => {
    const off = await startSimulator({ clock: 'virtual', seed: 1, coverage: false });
    try {
      await fetch(`${off.vendors.jagcall.baseUrl}/v1/agents`, { headers: { authorization: 'Bearer jc_test_demo' } });
      expect((await adminCall(off.url, 'GET', '/__sim/coverage')).body.totals.calls).toBe(0);
      expect((await adminCall(off.url, 'GET', '/__sim/journal')).body.total).toBe(1);
    } finally {
      await off.stop();
    }
  });

  it('refuses a report file of an unknown kind and an unknown --fail-on, naming the key', async () => {
    await expect(startSimulator({ report: 'out/report.txt' })).rejects.toThrow('report: must end in .json, .xml (JUnit) or .md (got "out/report.txt")');
    await expect(startSimulator({ report: ['a.json', 'b.html'] })).rejects.toThrow('report.1: must end in .json, .xml (JUnit) or .md (got "b.html")');
    await expect(startSimulator({ failOn: 'sometimes' as never })).rejects.toThrow('failOn: must be one of: violations, warnings, never (got "sometimes")');
  });
});
