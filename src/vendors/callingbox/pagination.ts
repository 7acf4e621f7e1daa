import { ok } from '../../engine/respond.js';
import { invalid } from '../../sim/errors.js';
import type { Sliceable } from '../shared/http.js';

/**
 * CallingBox's page says nothing about paging, so every list pages the way a payment API does
 * (callsim decision, docs/decisions.md): `limit` (1–100, default 50), then `starting_after=<id>` for
 * the page after the last item seen or `ending_before=<id>` for the page before the first one, and
 * `{data, has_more}`. A cursor names an item, not a position, so a list that grows while a client
 * walks it neither repeats nor skips what was already listed.
 */
export interface CursorQuery {
  limit: number;
  starting_after?: string;
  ending_before?: string;
}

/** A list in its order, and where a cursor stands in it. */
export interface Cursored<T> extends Sliceable<T> {
  /** Items before the cursor's item in list order (and the item itself with `inclusive`); undefined: no such item. */
  position(cursor: string, inclusive: boolean): number | undefined;
}

export function cursorPage<T, U>(list: Cursored<T>, q: CursorQuery, map: (t: T) => U) {
  if (q.starting_after !== undefined && q.ending_before !== undefined) {
    throw invalid('starting_after', 'exclusive', 'starting_after and ending_before cannot be used together');
  }
  const field = q.starting_after !== undefined ? 'starting_after' : 'ending_before';
  const cursor = q.starting_after ?? q.ending_before;
  let start = 0;
  let end = Math.min(list.length, q.limit);
  if (cursor !== undefined) {
    const at = list.position(cursor, field === 'starting_after');
    if (at === undefined) throw invalid(field, 'exists', `no item ${cursor} in this list to page from`);
    if (field === 'starting_after') [start, end] = [at, Math.min(list.length, at + q.limit)];
    else [start, end] = [Math.max(0, at - q.limit), at];
  }
  const hasMore = field === 'ending_before' && cursor !== undefined ? start > 0 : end < list.length;
  return ok({ data: list.slice(start, end).map(map), has_more: hasMore });
}

/**
 * An array already sorted by `before`, with its cursors: `find` looks the cursor's item up (it may
 * have left the list, e.g. filtered out, and still stand somewhere in its order).
 */
export function sortedArray<T, K>(
  items: T[],
  find: (cursor: string) => K | undefined,
  before: (item: T, key: K) => boolean,
  is: (item: T, key: K) => boolean,
): Cursored<T> {
  return {
    length: items.length,
    slice: (start, end) => items.slice(start, end),
    position(cursor, inclusive) {
      const key = find(cursor);
      if (key === undefined) return undefined;
      let n = 0;
      for (const item of items) if (before(item, key) || (inclusive && is(item, key))) n++;
      return n;
    },
  };
}

/** Creation order, oldest first (agents, numbers): `{createdAt, id}` of the cursor's record. */
export const oldestFirst = <T extends { createdAt: number; id: string }>(items: T[], find: (id: string) => T | undefined): Cursored<T> =>
  sortedArray<T, T>(
    items,
    find,
    (a, b) => a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id),
    (a, b) => a.id === b.id,
  );
