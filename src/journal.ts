import type { Violation } from './contract/types.js';
import type { Outcome } from './engine/pipeline.js';

export interface JournalEntry {
  id: number;
  /** Sim time of the request. */
  at: string;
  vendor: string;
  accountId: string | null;
  method: string;
  path: string;
  operationId: string | null;
  status: number;
  latencyMs: number;
  /** What the client got wrong (the first 20; `violationCount` counts them all). */
  violations: Violation[];
  violationCount: number;
  /** What callsim's answer got wrong (only checked with --strict). */
  responseViolations: Violation[];
  /** What a tolerant API let pass where the vendor's pages are silent (the first 20; `warningCount` counts them all). */
  warnings: Violation[];
  warningCount: number;
}

export interface JournalFilter {
  vendor?: string;
  operation?: string;
  status?: number;
  violationsOnly?: boolean;
  limit?: number;
}

/** What the journal may hold in all, whatever its entry count: one request cannot grow it without bound. */
export const JOURNAL_MAX_BYTES = 16 * 1024 * 1024;

/** A row's size in memory, roughly: its strings plus a fixed cost per object. */
function weigh(e: JournalEntry): number {
  let n = 256 + e.path.length * 2;
  for (const v of e.violations) n += 96 + (v.field.length + v.message.length) * 2;
  for (const v of e.responseViolations) n += 96 + (v.field.length + v.message.length) * 2;
  for (const v of e.warnings) n += 96 + (v.field.length + v.message.length) * 2;
  return n;
}

/**
 * The last N requests with their contract verdict, oldest first, bounded twice: by entry count
 * (`journalSize`) and by bytes (JOURNAL_MAX_BYTES), so memory stays flat however large a request's
 * verdict is.
 */
export class Journal {
  private rows: JournalEntry[] = [];
  private head = 0;
  private bytes = 0;
  private weights: number[] = [];
  private seq = 0;

  constructor(
    private size: number,
    private maxBytes = JOURNAL_MAX_BYTES,
  ) {}

  add(e: Omit<JournalEntry, 'id'>): void {
    // Written out, not `{ id, ...e }`: this runs on every request, and Node 20 builds spreads slowly.
    const row: JournalEntry = {
      id: ++this.seq,
      at: e.at,
      vendor: e.vendor,
      accountId: e.accountId,
      method: e.method,
      path: e.path,
      operationId: e.operationId,
      status: e.status,
      latencyMs: e.latencyMs,
      violations: e.violations,
      violationCount: e.violationCount,
      responseViolations: e.responseViolations,
      warnings: e.warnings,
      warningCount: e.warningCount,
    };
    const w = weigh(row);
    this.rows.push(row);
    this.weights.push(w);
    this.bytes += w;
    while (this.rows.length - this.head > this.size || (this.bytes > this.maxBytes && this.rows.length - this.head > 1)) this.dropOldest();
    // Compact now and then instead of shifting on every add.
    if (this.head > 1024 && this.head * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.head);
      this.weights = this.weights.slice(this.head);
      this.head = 0;
    }
  }

  private dropOldest(): void {
    this.bytes -= this.weights[this.head];
    this.head++;
  }

  /** Oldest first. */
  entries(f: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (let i = this.head; i < this.rows.length; i++) {
      const e = this.rows[i];
      if (f.vendor && e.vendor !== f.vendor) continue;
      if (f.operation && e.operationId !== f.operation) continue;
      if (f.status && e.status !== f.status) continue;
      if (f.violationsOnly && !e.violations.length && !e.responseViolations.length && !e.warnings.length) continue;
      out.push(e);
    }
    return f.limit ? out.slice(-f.limit) : out;
  }

  /** Entries and bytes held now. */
  stats(): { entries: number; bytes: number } {
    return { entries: this.rows.length - this.head, bytes: this.bytes };
  }

  clear(): void {
    this.rows = [];
    this.weights = [];
    this.head = 0;
    this.bytes = 0;
  }

  resize(size: number): void {
    this.size = size;
    while (this.rows.length - this.head > size) this.dropOldest();
  }
}

/** Requests come many to a millisecond under load: the last instant's text is kept. */
let lastAt = Number.NaN;
let lastIso = '';
function isoAt(ms: number): string {
  if (ms !== lastAt) {
    lastAt = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** The journal row for one request: the journal and the dashboard's stream both use it. */
export function journalEntry(
  vendor: string,
  req: { method: string; path: string },
  outcome: Pick<Outcome, 'accountId' | 'op' | 'response' | 'violations' | 'violationCount' | 'responseViolations' | 'warnings' | 'warningCount'>,
  ms: number,
  at: number,
): Omit<JournalEntry, 'id'> {
  return {
    at: isoAt(at),
    vendor,
    accountId: outcome.accountId ?? null,
    method: req.method,
    path: req.path.length > 2048 ? `${req.path.slice(0, 2047)}…` : req.path,
    operationId: outcome.op?.operationId ?? null,
    status: outcome.response.status,
    latencyMs: Math.round(ms * 100) / 100,
    violations: outcome.violations,
    violationCount: outcome.violationCount,
    responseViolations: outcome.responseViolations,
    warnings: outcome.warnings,
    warningCount: outcome.warningCount,
  };
}
