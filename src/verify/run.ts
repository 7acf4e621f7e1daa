import { loadContract } from '../contract/load.js';
import type { Violation } from '../contract/types.js';
import { CoverageCounter } from '../coverage/counter.js';
import { coverageView } from '../coverage/view.js';
import type { Outcome } from '../engine/pipeline.js';
import { buildReport, type Report } from '../report/build.js';
import type { VendorAdapter } from '../vendors/types.js';
import { buildProbe, type Harvest, harvest, type Probe, probeOrder } from './probes.js';

export interface VerifyOptions {
  key: string;
  allowWrites: boolean;
  timeoutMs: number;
}

interface Answer {
  status: number;
  contentType?: string;
  body: unknown;
}

async function send(base: string, probe: Probe, o: VerifyOptions): Promise<Answer> {
  const qs = new URLSearchParams(probe.query).toString();
  const url = `${base.replace(/\/$/, '')}${probe.path}${qs ? `?${qs}` : ''}`;
  const headers: Record<string, string> = { authorization: `Bearer ${o.key}`, accept: 'application/json' };
  if (probe.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: probe.op.method,
    headers,
    body: probe.body === undefined ? undefined : JSON.stringify(probe.body),
    redirect: 'manual',
    signal: AbortSignal.timeout(o.timeoutMs),
  });
  const contentType = res.headers.get('content-type') ?? undefined;
  const raw = Buffer.from(await res.arrayBuffer());
  let body: unknown;
  if (contentType?.includes('json') && raw.length) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = raw.toString('utf8');
    }
  }
  return { status: res.status, contentType, body };
}

/** What breaks callsim's spec in one answer, each named with the status it came with. */
function drift(validate: (a: Answer) => Violation[], a: Answer): Violation[] {
  return validate(a).map((v) => ({ ...v, message: `HTTP ${a.status}: ${v.message}` }));
}

/**
 * `callsim verify`: spec-derived requests to a live (or sandbox) API, each answer checked against
 * callsim's spec of that vendor. A drift is any answer whose status, media type or body the spec
 * does not allow; the result is a report like a run's (`kind: verify`), one operation per row.
 */
export async function verifyVendor(adapter: VendorAdapter, base: string, o: VerifyOptions, log: (line: string) => void = () => {}): Promise<Report> {
  const contract = loadContract(adapter.specFile, adapter.name);
  const doc = contract.spec.doc;
  const counter = new CoverageCounter();
  const seen: Harvest = new Map();
  const refused: number[] = [];
  for (const op of probeOrder(contract.spec.operations, o.allowWrites)) {
    const probe = buildProbe(doc, op, seen);
    if ('skipped' in probe) {
      log(`skip  ${op.method} ${op.template} (${op.operationId}): ${probe.skipped}`);
      continue;
    }
    const outcome = (violations: Violation[], status: number, matched = true): Outcome => ({
      response: { status },
      op: matched ? op : undefined,
      violations,
      violationCount: violations.length,
      responseViolations: [],
      warnings: [],
      warningCount: 0,
    });
    let answer: Answer;
    try {
      answer = await send(base, probe, o);
    } catch (err) {
      const why = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      log(`fail  ${op.method} ${probe.path} (${op.operationId}): ${why}`);
      counter.request(adapter.name, { method: op.method, path: `${probe.path} (${why})` }, outcome([], 0, false));
      continue;
    }
    const found = drift((a) => contract.validator.validateResponse(op, a.status, a.body, a.contentType), answer);
    log(
      `${found.length ? 'DRIFT' : 'ok   '} ${op.method} ${probe.path} (${op.operationId}) → ${answer.status}${found.length ? `: ${found.map((v) => `${v.field || '(body)'} ${v.rule}`).join(', ')}` : ''}`,
    );
    counter.request(adapter.name, { method: op.method, path: probe.path }, outcome(found, answer.status));
    if (answer.status === 401 || answer.status === 403) refused.push(answer.status);
    harvest(seen, probe, answer.status, answer.body);
  }
  const probed = [...(counter.surfaces.get(adapter.name)?.values() ?? [])].reduce((n, a) => n + [...a.ops.values()].reduce((m, t) => m + t.calls, 0), 0);
  if (probed && refused.length === probed) throw new Error(`${base} refused every request (${[...new Set(refused)].join('/')}): check --key`);
  const coverage = coverageView(counter, [{ name: adapter.name, kind: 'verify', operations: contract.spec.operations, webhookEvents: [] }], Date.now());
  return buildReport(coverage, { kind: 'verify', failOn: 'violations', source: base, at: Date.now() });
}
