import type { Report } from './build.js';

type Op = Report['coverage']['vendors'][number]['operations'][number];

const kindLine = (k: Op['violationKinds'][number]) =>
  `${k.location}${k.field ? ` ${k.field}` : ''}: ${k.rule} — ${k.message} (×${k.count}, last ${k.lastPath})`;

const statusLine = (o: Op) =>
  o.responses
    .filter((r) => r.count || r.declared)
    .map((r) => `${r.status}${r.declared ? '' : ' (undeclared)'}: ${r.count}`)
    .join(', ');

/**
 * JUnit XML, which CI systems show natively: one testsuite per vendor, one testcase per operation
 * (skipped when never called, failed with every distinct violation when the contract was broken),
 * one for requests that matched no operation, and one per webhook event type.
 */
export async function renderJunit(report: Report): Promise<string> {
  // Loaded on demand: writing a report is rare, starting the server is not.
  const mod = await import('junit-report-builder');
  // The package is CommonJS (`module.exports = builder`) typed as an ES default export.
  const builder = (mod.default as unknown as typeof mod.default.default).newBuilder();
  const verb = report.kind === 'verify' ? 'probed' : 'called';
  for (const v of report.coverage.vendors) {
    const suite = builder.testSuite().name(v.name).timestamp(report.at);
    suite
      .property('kind', v.kind)
      .property('operationsPercent', String(v.totals.operationsPercent))
      .property('responsesPercent', String(v.totals.responsesPercent));
    for (const o of v.operations) {
      const test = suite.testCase().className(`callsim.${v.name}`).name(`${o.method} ${o.path} (${o.operationId})`);
      if (!o.calls) {
        test.skipped().standardOutput(`never ${verb}; declared responses ${o.responses.map((r) => r.status).join(', ')}`);
        continue;
      }
      const warned = o.warningKinds.length ? `\nwarnings (let pass where the pages are silent):\n${o.warningKinds.map(kindLine).join('\n')}` : '';
      test.standardOutput(`${o.calls} ${verb}; responses ${statusLine(o)}${warned}`);
      if (o.violations) {
        const what = report.kind === 'verify' ? 'drift' : 'request violation';
        const more = o.violationKindsDropped ? `\n… and ${o.violationKindsDropped} more distinct violations` : '';
        test
          .failure(
            `${o.violations} ${what}${o.violations === 1 ? '' : 's'} in ${o.violatingCalls} of ${o.calls} requests`,
            report.kind === 'verify' ? 'drift' : 'contract-violation',
          )
          .stacktrace(o.violationKinds.map(kindLine).join('\n') + more);
      } else if (o.warnings && report.failOn === 'warnings') {
        // Under --fail-on warnings a warning fails the run, so its testcase fails too.
        test
          .failure(`${o.warnings} warning${o.warnings === 1 ? '' : 's'} in ${o.calls} requests (--fail-on warnings)`, 'contract-warning')
          .stacktrace(o.warningKinds.map(kindLine).join('\n'));
      }
    }
    if (v.unmatched.count) {
      suite
        .testCase()
        .className(`callsim.${v.name}`)
        .name('requests matching no operation')
        .failure(`${v.unmatched.count} requests matched no operation of the spec`, 'unmatched')
        .stacktrace(v.unmatched.samples.map((s) => `${s.method} ${s.path} (×${s.count})`).join('\n'));
    }
    for (const w of v.webhooks) {
      const test = suite.testCase().className(`callsim.${v.name}.webhooks`).name(`webhook ${w.event}`);
      if (!w.emitted) test.skipped().standardOutput('never emitted');
      else test.standardOutput(`${w.emitted} emitted, ${w.delivered} delivered, ${w.failed} failed`);
    }
  }
  return builder.build();
}
