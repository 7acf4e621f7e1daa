import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Report } from './build.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';

export const REPORT_FORMATS = ['json', 'junit', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The format a file name asks for (`.json`, `.xml` JUnit, `.md`), or undefined. */
export function formatOf(file: string): ReportFormat | undefined {
  const ext = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  return ext === 'json' ? 'json' : ext === 'xml' ? 'junit' : ext === 'md' ? 'md' : undefined;
}

export async function renderReport(report: Report, format: ReportFormat): Promise<string> {
  if (format === 'junit') return renderJunit(report);
  if (format === 'md') return renderMarkdown(report);
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * Atomic: the text goes to a temporary file beside the target, is flushed to disk, then renamed
 * over it. A process killed half-way leaves the previous file (or none), never half a report.
 */
export function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The write's own error is the one worth telling.
    }
    throw err;
  }
}

/** Writes the report to each file in the format its extension names. */
export async function writeReportFiles(report: Report, files: string[]): Promise<void> {
  for (const file of files) {
    const format = formatOf(file);
    if (!format) throw new Error(`report file ${file}: the name must end in .json, .xml (JUnit) or .md`);
    writeAtomically(file, await renderReport(report, format));
  }
}
