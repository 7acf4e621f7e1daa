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
}

export interface JournalFilter {
  vendor?: string;
  operation?: string;
  status?: number;
  violationsOnly?: boolean;
  limit?: number;
}

/** The last N requests with their contract verdict: a fixed ring, so memory stays flat. */
export class Journal {
  private ring: Array<JournalEntry | undefined>;
  private next = 0;
  private seq = 0;

  constructor(private size: number) {
    this.ring = new Array(size);
  }

  add(e: Omit<JournalEntry, 'id'>): void {
    this.ring[this.next] = { id: ++this.seq, ...e };
    this.next = (this.next + 1) % this.size;
  }

  /** Oldest first. */
  entries(f: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (let i = 0; i < this.size; i++) {
      const e = this.ring[(this.next + i) % this.size];
      if (!e) continue;
      if (f.vendor && e.vendor !== f.vendor) continue;
      if (f.operation && e.operationId !== f.operation) continue;
      if (f.status && e.status !== f.status) continue;
      if (f.violationsOnly && !e.violations.length && !e.responseViolations.length) continue;
      out.push(e);
    }
    return f.limit ? out.slice(-f.limit) : out;
  }

  clear(): void {
    this.ring = new Array(this.size);
    this.next = 0;
  }

  resize(size: number): void {
    const kept = this.entries().slice(-size);
    this.size = size;
    this.ring = new Array(size);
    this.next = 0;
    for (const e of kept) {
      this.ring[this.next] = e;
      this.next = (this.next + 1) % size;
    }
  }
}

/** The journal row for one request: the journal and the dashboard's stream both use it. */
export function journalEntry(
  vendor: string,
  req: { method: string; path: string },
  outcome: Pick<Outcome, 'accountId' | 'op' | 'response' | 'violations' | 'violationCount' | 'responseViolations'>,
  ms: number,
  at: number,
): Omit<JournalEntry, 'id'> {
  return {
    at: new Date(at).toISOString(),
    vendor,
    accountId: outcome.accountId ?? null,
    method: req.method,
    path: req.path,
    operationId: outcome.op?.operationId ?? null,
    status: outcome.response.status,
    latencyMs: Math.round(ms * 100) / 100,
    violations: outcome.violations,
    violationCount: outcome.violationCount,
    responseViolations: outcome.responseViolations,
  };
}
