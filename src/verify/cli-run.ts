import { renderReport, writeReportFiles } from '../report/write.js';
import { VENDORS, vendorByName } from '../vendors/registry.js';
import { verifyVendor } from './run.js';

/** Checks the arguments, runs the drift check, prints and writes the report; exit 1 on drift. */
export async function runVerify(
  vendor: string,
  base: string,
  flags: { key: string; allowWrites?: boolean; format: 'json' | 'junit' | 'md'; report?: string[]; timeout?: number; quiet?: boolean },
): Promise<number> {
  const adapter = vendorByName(vendor);
  if (!adapter) throw new Error(`unknown vendor ${vendor}; one of ${VENDORS.map((v) => v.name).join(', ')}`);
  let url: URL;
  try {
    url = new URL(base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new Error(`base-url must be an absolute http(s) URL, got ${base}`);
  }
  const timeoutMs = flags.timeout ?? 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000)
    throw new Error(`--timeout must be a whole number of ms from 1 to 600000, got ${flags.timeout}`);
  for (const file of flags.report ?? [])
    if (!/\.(json|xml|md)$/i.test(file)) throw new Error(`--report ${file}: the name must end in .json, .xml (JUnit) or .md`);
  const log = flags.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
  const report = await verifyVendor(adapter, base.replace(/\/+$/, ''), { key: flags.key, allowWrites: !!flags.allowWrites, timeoutMs }, log);
  await writeReportFiles(report, flags.report ?? []);
  process.stdout.write(await renderReport(report, flags.format));
  return report.passed ? 0 : 1;
}
