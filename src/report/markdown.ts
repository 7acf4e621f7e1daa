import type { Report } from './build.js';

/** A table cell: pipes and line breaks would end the cell or the row. */
const cell = (s: string | number) =>
  String(s)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
const row = (cells: Array<string | number>) => `| ${cells.map(cell).join(' | ')} |`;
const table = (head: string[], rows: Array<Array<string | number>>) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const pct = (n: number) => `${n.toFixed(1)} %`;

/** Markdown for a person, e.g. a CI job summary (`$GITHUB_STEP_SUMMARY`). */
export function renderMarkdown(report: Report): string {
  const t = report.coverage.totals;
  const verify = report.kind === 'verify';
  const title = verify ? 'callsim drift check' : 'callsim contract report';
  const verdict = report.passed ? '✅ passed' : '❌ failed';
  const out: string[] = [`## ${title}: ${verdict}`, ''];
  out.push(`${report.source} · ${report.at} · \`--fail-on ${report.failOn}\``, '');
  if (report.reasons.length) out.push(...report.reasons.map((r) => `- ${r}`), '');
  out.push(
    table(
      [
        'vendor',
        'operations exercised',
        'declared responses seen',
        verify ? 'probes' : 'calls',
        verify ? 'drifts' : 'violations',
        'unmatched',
        'webhooks delivered / failed',
      ],
      report.coverage.vendors.map((v) => [
        v.name,
        `${v.totals.exercised}/${v.totals.operations} (${pct(v.totals.operationsPercent)})`,
        `${v.totals.responsesSeen}/${v.totals.responses} (${pct(v.totals.responsesPercent)})`,
        v.totals.calls,
        v.totals.violations,
        v.totals.unmatched,
        `${v.totals.webhooksDelivered} / ${v.totals.webhooksFailed}`,
      ]),
    ),
    '',
    `**Total:** ${t.exercised}/${t.operations} operations (${pct(t.operationsPercent)}), ${t.responsesSeen}/${t.responses} declared responses (${pct(t.responsesPercent)}), ${t.calls} ${verify ? 'probes' : 'calls'}, ${t.violations} ${verify ? 'drifts' : 'violations'}, ${t.warnings} warnings.`,
    '',
  );
  if (report.violations.length) {
    out.push(
      `### ${verify ? 'Drift' : 'Contract violations'}`,
      '',
      table(
        ['vendor', 'operation', 'where', 'field', 'rule', 'message', 'count', 'last path'],
        report.violations.map((v) => [v.vendor, v.operationId, v.location, v.field || '(whole)', v.rule, v.message, v.count, v.lastPath]),
      ),
      '',
    );
  }
  if (report.warnings.length) {
    out.push(
      "### Warnings (let pass where the vendor's pages are silent; `--strict` refuses them)",
      '',
      table(
        ['vendor', 'operation', 'where', 'field', 'rule', 'message', 'count', 'last path'],
        report.warnings.map((v) => [v.vendor, v.operationId, v.location, v.field || '(whole)', v.rule, v.message, v.count, v.lastPath]),
      ),
      '',
    );
  }
  for (const v of report.coverage.vendors) {
    const called = v.operations.filter((o) => o.calls);
    if (!called.length && !v.unmatched.count) continue;
    out.push(`<details><summary>${v.name}: ${called.length} of ${v.operations.length} operations</summary>`, '');
    out.push(
      table(
        ['operation', 'method', 'path', verify ? 'probes' : 'calls', 'statuses', verify ? 'drifts' : 'violations'],
        called.map((o) => [
          o.operationId,
          o.method,
          o.path,
          o.calls,
          o.responses
            .filter((r) => r.count)
            .map((r) => `${r.status}${r.declared ? '' : ' (undeclared)'} ×${r.count}`)
            .join(', '),
          o.violations,
        ]),
      ),
      '',
    );
    if (v.unmatched.count) out.push(`Matched no operation: ${v.unmatched.samples.map((s) => `\`${s.method} ${s.path}\` ×${s.count}`).join(', ')}`, '');
    out.push('</details>', '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
