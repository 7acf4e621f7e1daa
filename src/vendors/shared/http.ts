/** An array, or a list that reads only the slice asked for (the sim's call lists). */
export interface Sliceable<T> {
  readonly length: number;
  slice(start?: number, end?: number): T[];
}

/** One page of a list, 1-based; a page past the end is an empty list, not an error. */
export function paginate<T>(items: Sliceable<T>, page: number, perPage: number): { items: T[]; total: number; lastPage: number } {
  const start = (page - 1) * perPage;
  return {
    items: start < items.length ? items.slice(start, start + perPage) : [],
    total: items.length,
    lastPage: Math.max(1, Math.ceil(items.length / perPage)),
  };
}

/** `YYYY-MM-DD` means the whole day (start for `from`, end for `to`), UTC. */
export function dateBound(value: string | undefined, end: boolean): number | undefined {
  if (!value) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T00:00:00.000Z`) + (end ? 86_399_999 : 0);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}
