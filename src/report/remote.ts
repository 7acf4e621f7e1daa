import { buildReport, type FailOn, type Report } from './build.js';
import { formatOf, type ReportFormat, renderReport, writeAtomically } from './write.js';

/** The report a running server answers on `GET /__sim/report`; every failure to get it names the server and why. */
async function getReport(from: string, token?: string): Promise<Report> {
  let base: URL;
  try {
    base = new URL(from);
  } catch {
    throw new Error(`--from must be the server's URL, e.g. http://127.0.0.1:4010 (got ${from})`);
  }
  const url = new URL(`${base.pathname.replace(/\/$/, '')}/__sim/report`, base);
  let res: Response;
  try {
    res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new Error(`cannot reach ${url}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  let body: { format?: string; error?: { message?: string } } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${url} answered ${res.status} with no report (is it a callsim server?)`);
  }
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${body?.error?.message ?? text.slice(0, 200)}`);
  if (body?.format !== 'callsim-report') throw new Error(`${url} answered something that is not a callsim report`);
  return body as unknown as Report;
}

/** `callsim report`: prints (or writes) the report; the exit code follows `--fail-on` (the server's unless given). */
export async function fetchReport(o: { from: string; format?: ReportFormat; out?: string; failOn?: FailOn; adminToken?: string }): Promise<number> {
  const format = o.format ?? (o.out ? formatOf(o.out) : 'json');
  if (!format) throw new Error(`--out ${o.out}: the name must end in .json, .xml (JUnit) or .md, or give --format`);
  let report = await getReport(o.from, o.adminToken);
  if (o.failOn && o.failOn !== report.failOn) report = buildReport(report.coverage, { ...report, at: Date.parse(report.at), failOn: o.failOn });
  const text = await renderReport(report, format);
  if (o.out) writeAtomically(o.out, text);
  else process.stdout.write(text);
  return report.passed ? 0 : 1;
}
