/**
 * `callsim verify <vendor> <base-url> --key KEY`: spec-derived requests to an API, each answer
 * checked against callsim's spec. Against callsim itself there is no drift; against a server that
 * answers differently, every drift is named (operation, status, field) and the exit code is 1.
 */

import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/index.js';
import { CLI, run } from './helpers.js';

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
let drifting: http.Server;
let driftUrl = '';
const seen: string[] = [];

/** A "JagCall" whose answers changed since callsim's spec was written. */
function driftingJagcall(): http.Server {
  return http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/v1/agents') return send(200, { data: [{ id: 'agt_1', name: 42, status: 'active' }], pagination: { page: 1, per_page: 20, total: 1 } });
    if (req.url === '/v1/agents/agt_1') return send(200, { id: 'agt_1', status: 'active' });
    if (req.url === '/v1/billing/balance') return send(418, { error: 'teapot' });
    send(404, { error: { code: 'not_found', message: 'Not found' } });
  });
}

beforeAll(async () => {
  sim = await startSimulator({ clock: 'virtual', seed: 3 });
  drifting = driftingJagcall();
  await new Promise<void>((resolve) => drifting.listen(0, '127.0.0.1', resolve));
  driftUrl = `http://127.0.0.1:${(drifting.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await sim.stop();
  drifting.closeAllConnections();
  await new Promise((resolve) => drifting.close(resolve));
});

const verify = (args: string[]) => run(process.execPath, [CLI, 'verify', ...args]);

describe('callsim verify', () => {
  for (const [vendor, key] of [
    ['jagcall', 'jc_test_demo'],
    ['callingbox', 'sk_test_demo'],
    ['calleague', 'clg_test_demo'],
    ['callgenius', 'cg_test_demo'],
  ]) {
    it(`finds no drift between callsim's ${vendor} and its spec (reads only)`, { timeout: 30_000 }, async () => {
      const before = (await (await fetch(`${sim.url}/__sim/journal?vendor=${vendor}`)).json()).data;
      const r = await verify([vendor, sim.vendors[vendor].baseUrl, '--key', key, '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report).toMatchObject({ kind: 'verify', passed: true, reasons: [], violations: [] });
      const v = report.coverage.vendors[0];
      expect(v).toMatchObject({ name: vendor, kind: 'verify' });
      expect(v.totals.exercised).toBeGreaterThanOrEqual(4);
      // Read-only by default: nothing but GETs reached the server.
      const after = (await (await fetch(`${sim.url}/__sim/journal?vendor=${vendor}`)).json()).data.slice(before.length);
      expect(after.length).toBe(v.totals.calls);
      expect(new Set(after.map((e: any) => e.method))).toEqual(new Set(['GET']));
    });
  }

  it('--allow-writes also sends the documented creates', { timeout: 30_000 }, async () => {
    const r = await verify(['jagcall', sim.vendors.jagcall.baseUrl, '--key', 'jc_test_demo', '--allow-writes', '--format', 'json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const ops = JSON.parse(r.stdout).coverage.vendors[0].operations;
    expect(ops.find((o: any) => o.operationId === 'createAgent').calls).toBe(1);
    expect(ops.find((o: any) => o.operationId === 'createCall').calls).toBe(1);
  });

  it('names every drift of a server that answers differently, and exits 1', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsim-verify-'));
    const r = await verify(['jagcall', driftUrl, '--key', 'k', '--report', join(dir, 'drift.xml'), '--report', join(dir, 'drift.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('## callsim drift check: ❌ failed');
    expect(r.stdout).toContain(`${driftUrl} · `);
    expect(r.stdout).toContain('| jagcall | listAgents | response | data.0.name | type | HTTP 200: data.0.name must be string | 1 | /v1/agents |');
    expect(r.stdout).toContain('| jagcall | getAgent | response | name | required | HTTP 200: name is required | 1 | /v1/agents/agt_1 |');
    // An undeclared 418 falls under the operation's `default` answer, whose error body it breaks.
    expect(r.stdout).toContain('| jagcall | getBillingBalance | response | error | type | HTTP 418: error must be object | 1 | /v1/billing/balance |');
    expect(r.stderr).toContain('DRIFT GET /v1/agents (listAgents) → 200: data.0.name type');
    // Only reads were sent: the drifting server saw no POST.
    expect(seen.every((s) => s.startsWith('GET '))).toBe(true);
    const report = JSON.parse(readFileSync(join(dir, 'drift.json'), 'utf8'));
    expect(report.passed).toBe(false);
    expect(report.violations.map((v: any) => [v.operationId, v.field])).toEqual(
      expect.arrayContaining([
        ['listAgents', 'data.0.name'],
        ['getAgent', 'name'],
        ['getBillingBalance', 'error'],
      ]),
    );
    expect(readFileSync(join(dir, 'drift.xml'), 'utf8')).toMatch(
      /name="GET \/v1\/agents \(listAgents\)">\s*<failure message="1 drift in 1 of 1 requests" type="drift">/,
    );
  });

  it('refuses an unknown vendor, a bad URL, a missing key and an unreachable server with a clear message and exit 1', async () => {
    const cases: Array<[string[], string]> = [
      [['nope', driftUrl, '--key', 'k'], 'unknown vendor nope; one of calleague, callgenius, callingbox, jagcall'],
      [['jagcall', 'not a url', '--key', 'k'], 'base-url must be an absolute http(s) URL, got not a url'],
      [['jagcall', driftUrl], "required option '--key <key>' not specified"],
      [['jagcall', driftUrl, '--key', 'k', '--report', 'out.txt'], '--report out.txt: the name must end in .json, .xml (JUnit) or .md'],
      [['jagcall', driftUrl, '--key', 'k', '--format', 'html'], "argument 'html' is invalid. Allowed choices are json, junit, md"],
    ];
    for (const [args, message] of cases) {
      const r = await verify(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
    const down = await verify(['jagcall', 'http://127.0.0.1:9', '--key', 'k', '--format', 'json', '--quiet']);
    expect(down.code).toBe(1);
    expect(JSON.parse(down.stdout).reasons[0]).toMatch(/probes? could not be checked/);
  });

  it('a refused key is a clear error, not a clean bill', async () => {
    const r = await verify(['jagcall', sim.vendors.jagcall.baseUrl, '--key', 'jc_wrong', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refused every request (401): check --key');
  });
});
