/**
 * The CI recipe of examples/ci, run as CI runs it: examples/ci/contract-test.sh starts callsim in the
 * background with --report, runs the sample client, stops callsim with SIGTERM; then the JUnit,
 * Markdown and JSON reports and the exit code are checked, with and without --fail-on violations.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, freePort, run } from './helpers.js';

async function recipe(failOn: string, buggy: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'callsim-recipe-'));
  const r = await run('bash', ['examples/ci/contract-test.sh'], {
    CALLSIM: `${process.execPath} ${CLI}`,
    CALLSIM_PORT: String(await freePort()),
    REPORT_DIR: dir,
    FAIL_ON: failOn,
    SAMPLE_CLIENT_BUG: buggy ? '1' : '0',
  });
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { ...r, junit: read('junit.xml'), md: read('summary.md'), json: JSON.parse(read('report.json')) };
}

describe('examples/ci/contract-test.sh', () => {
  it('a client that keeps the contract passes under --fail-on violations, with all three reports written', { timeout: 60_000 }, async () => {
    const r = await recipe('violations', false);
    expect(r.stdout).toContain('ok   places a call');
    expect(r.stdout).toContain('callsim (--fail-on violations): exit 0');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ format: 'callsim-report', kind: 'run', failOn: 'violations', passed: true, violations: [] });
    const jag = r.json.coverage.vendors.find((v: any) => v.name === 'jagcall');
    expect(Object.fromEntries(jag.operations.filter((o: any) => o.calls).map((o: any) => [o.operationId, o.calls]))).toEqual({
      listAgents: 1,
      createCall: 1,
      getCall: 1,
    });
    expect(r.junit).toMatch(/<testsuite name="jagcall"[^>]* failures="0"/);
    expect(r.junit).toContain('name="POST /v1/calls (createCall)"');
    expect(r.md).toContain('## callsim contract report: ✅ passed');
  });

  it('a client that breaks the contract: reported either way, and the job fails only with --fail-on violations', { timeout: 90_000 }, async () => {
    const lenient = await recipe('never', true);
    expect(lenient.stdout).toContain("ok   the buggy request is refused with the vendor's 422");
    expect(lenient.code).toBe(0);
    expect(lenient.json.passed).toBe(true);
    expect(lenient.json.reasons).toEqual(['1 request violation in 1 request']);

    const strict = await recipe('violations', true);
    expect(strict.stdout).toContain('callsim (--fail-on violations): exit 1');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('callsim: the contract was broken (--fail-on violations): 1 request violation in 1 request');
    expect(strict.json).toMatchObject({
      passed: false,
      violations: [{ vendor: 'jagcall', operationId: 'createCall', field: 'to', rule: 'required', count: 1 }],
    });
    expect(strict.junit).toMatch(/<testsuite name="jagcall"[^>]* failures="1"/);
    expect(strict.junit).toMatch(/name="POST \/v1\/calls \(createCall\)">\s*<failure message="1 request violation in 1 of 2 requests"/);
    expect(strict.md).toContain('## callsim contract report: ❌ failed');
    expect(strict.md).toContain('| jagcall | createCall | body | to | required | to is required | 1 | /v1/calls |');
  });
});
