import { type CallRecord, FIRST_FINAL, STATUSES } from './record.js';
import { SortedList } from './sorted.js';
import type { CallStatus, Direction } from './types.js';

/** Creation order, the order every vendor lists calls in (newest first, read from the end). */
const before = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }): boolean =>
  a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);

export interface CallFilter {
  agentId?: string;
  status?: CallStatus[];
  direction?: Direction;
  /** Created at or after (epoch ms). */
  since?: number;
  /** Created at or before (epoch ms). */
  until?: number;
  campaignId?: string;
  /** The account's own number on the call: `from` of an outbound call, `to` of an inbound one. */
  number?: string;
}

/** A filtered list, newest first, that only reads the part of the store a page needs. */
export interface CallList {
  readonly length: number;
  slice(start?: number, end?: number): CallRecord[];
  /**
   * How many calls of the list come before `at` newest first (and `at` itself with `inclusive`):
   * where a cursor naming that call stands, whether or not the call is in this list. O(log n).
   */
  countNewer(at: { createdAt: number; id: string }, inclusive: boolean): number;
  [Symbol.iterator](): Iterator<CallRecord>;
}

const ownNumber = (c: CallRecord): string => (c.direction === 'inbound' ? c.to : c.from);
const ALL_STATUSES = (1 << STATUSES.length) - 1;
const LIVE_STATUSES = (1 << FIRST_FINAL) - 1;

/** The equality part of a filter; the date range is a range of whichever list answers it. */
interface Shape {
  agentId?: string;
  inbound?: boolean;
  /** Bit i set: status code i matches. */
  statuses: number;
  campaignId?: string;
  number?: string;
}

/** The calls of one shape, in creation order, kept up to date once built. */
class View {
  list: SortedList<CallRecord>;
  used = 0;
  constructor(
    readonly shape: Shape,
    all: SortedList<CallRecord>,
  ) {
    this.list = all.filter((c) => this.has(c, c.statusCode));
  }

  /** Whether the call, with this status code, belongs here. */
  has(c: CallRecord, status: number): boolean {
    const s = this.shape;
    return (
      (s.statuses & (1 << status)) !== 0 &&
      (s.agentId === undefined || c.agentId === s.agentId) &&
      (s.inbound === undefined || (c.direction === 'inbound') === s.inbound) &&
      (s.campaignId === undefined || c.campaignId === s.campaignId) &&
      (s.number === undefined || ownNumber(c) === s.number)
    );
  }

  get byStatus(): boolean {
    return this.shape.statuses !== ALL_STATUSES;
  }
}

/** Views kept per account; past this the one used longest ago goes (and is rebuilt if asked again). */
const MAX_VIEWS = 32;

/**
 * One account's calls: by id, in creation order, and in one view per filter shape a client has
 * listed (agent, direction, statuses, campaign, number in any mix). A view is built the first time
 * its shape is asked for — one pass over the creation order — and kept up to date from then on, so
 * a page, a filtered page or the last page reads O(page + log n) entries. The clock only pays for
 * the shapes clients actually list: a status change touches the views that filter by status.
 */
export class CallStore {
  private readonly byId = new Map<string, CallRecord>();
  private readonly order = new SortedList<CallRecord>(before);
  private readonly views = new Map<string, View>();
  private tick = 0;

  get size(): number {
    return this.byId.size;
  }
  get(id: string): CallRecord | undefined {
    return this.byId.get(id);
  }
  has(id: string): boolean {
    return this.byId.has(id);
  }
  keys(): IterableIterator<string> {
    return this.byId.keys();
  }
  /** In the order the calls were stored (a snapshot keeps it). */
  values(): IterableIterator<CallRecord> {
    return this.byId.values();
  }
  entries(): IterableIterator<[string, CallRecord]> {
    return this.byId.entries();
  }
  [Symbol.iterator](): IterableIterator<[string, CallRecord]> {
    return this.byId.entries();
  }

  add(c: CallRecord): void {
    const old = this.byId.get(c.id);
    if (old) this.delete(old);
    this.byId.set(c.id, c);
    this.order.insert(c);
    const status = c.statusCode;
    for (const v of this.views.values()) if (v.has(c, status)) v.list.insert(c);
  }

  delete(c: CallRecord): boolean {
    if (this.byId.get(c.id) !== c) return false;
    this.byId.delete(c.id);
    this.order.delete(c);
    const status = c.statusCode;
    for (const v of this.views.values()) if (v.has(c, status)) v.list.delete(c);
    return true;
  }

  /** Call after the record's status changed from `from`. */
  moved(c: CallRecord, from: number): void {
    if (!this.views.size || this.byId.get(c.id) !== c) return;
    const to = c.statusCode;
    for (const v of this.views.values()) {
      if (!v.byStatus) continue;
      const was = v.has(c, from);
      const is = v.has(c, to);
      if (was && !is) v.list.delete(c);
      else if (is && !was) v.list.insert(c);
    }
  }

  /** Live calls of one agent. */
  liveCount(agentId: string): number {
    return this.view({ agentId, statuses: LIVE_STATUSES }).list.size;
  }

  /** Newest first. */
  query(f: CallFilter = {}): CallList {
    let statuses = ALL_STATUSES;
    if (f.status) {
      // An unknown status matches nothing, as it never did.
      statuses = 0;
      for (const s of f.status) {
        const code = STATUSES.indexOf(s);
        if (code >= 0) statuses |= 1 << code;
      }
    }
    if (!statuses) return EMPTY;
    const shape: Shape = {
      statuses,
      ...(f.agentId !== undefined && { agentId: f.agentId }),
      ...(f.direction !== undefined && { inbound: f.direction === 'inbound' }),
      ...(f.campaignId !== undefined && { campaignId: f.campaignId }),
      ...(f.number !== undefined && { number: f.number }),
    };
    const plain = statuses === ALL_STATUSES && Object.keys(shape).length === 1;
    return new WindowList(plain ? this.order : this.view(shape).list, f.since, f.until);
  }

  private view(shape: Shape): View {
    const key = `${shape.statuses}|${shape.agentId ?? ''}|${shape.inbound ?? ''}|${shape.campaignId ?? ''}|${shape.number ?? ''}`;
    let v = this.views.get(key);
    if (!v) {
      if (this.views.size >= MAX_VIEWS) {
        let oldest: string | undefined;
        let at = Infinity;
        for (const [k, x] of this.views)
          if (x.used < at) {
            at = x.used;
            oldest = k;
          }
        this.views.delete(oldest!);
      }
      v = new View(shape, this.order);
      this.views.set(key, v);
    }
    v.used = ++this.tick;
    return v;
  }
}

/** The calls of one list created within [since, until], newest first. */
class WindowList implements CallList {
  readonly length: number;
  private readonly lo: number;
  private readonly hi: number;

  constructor(
    private readonly list: SortedList<CallRecord>,
    since: number | undefined,
    until: number | undefined,
  ) {
    this.lo = since === undefined ? 0 : list.countWhile((c) => c.createdAt < since);
    this.hi = until === undefined ? list.size : list.countWhile((c) => c.createdAt <= until);
    this.length = Math.max(0, this.hi - this.lo);
  }

  slice(start = 0, end = this.length): CallRecord[] {
    if (start < 0) start = Math.max(0, this.length + start);
    if (end < 0) end = this.length + end;
    end = Math.min(end, this.length);
    if (start >= end) return [];
    return this.list.collectDown(this.hi - end, this.hi - start, []);
  }

  countNewer(at: { createdAt: number; id: string }, inclusive: boolean): number {
    // Creation order is ascending: the calls not newer than `at` are a leading run of it.
    const notNewer = this.list.countWhile((c) => before(c, at) || (!inclusive && c.id === at.id && c.createdAt === at.createdAt));
    return this.hi - Math.max(this.lo, Math.min(notNewer, this.hi));
  }

  [Symbol.iterator](): Iterator<CallRecord> {
    return this.slice()[Symbol.iterator]();
  }
}

const EMPTY: CallList = { length: 0, slice: () => [], countNewer: () => 0, [Symbol.iterator]: () => [][Symbol.iterator]() };
