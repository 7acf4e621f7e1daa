// @ts-check
// What the page knows, fed by the event stream. Views read it and re-render the rows that changed.

/** Rows kept per list: a demo page, not an archive; the admin API has the full lists. */
export const MAX_ROWS = 300;

export const state = {
  vendors: [],
  /** id → call summary (GET /__sim/calls shape). */
  calls: new Map(),
  /** id → delivery row (GET /__sim/webhooks/deliveries shape, without payload). */
  deliveries: new Map(),
  /** Newest last, as the journal lists them. */
  journal: [],
  clock: { mode: 'virtual', nowMs: 0, speed: null, nextAt: null },
  /** performance.now() when the clock reading arrived: a real clock is extrapolated from it. */
  clockAt: 0,
  meta: { vendors: [], accounts: [], config: null },
};

/** Sim time now: a virtual clock stands still between readings; a real one runs at its speed. */
export function simNow() {
  const c = state.clock;
  if (c.mode !== 'real') return c.nowMs;
  return c.nowMs + (performance.now() - state.clockAt) * (c.speed ?? 1);
}

export function setClock(clock) {
  state.clock = clock;
  state.clockAt = performance.now();
}

/** The live duration of a call: the server's figure for ended calls, extrapolated for talking ones. */
export function callDuration(call) {
  if (call.ended_at || !call.answered_at) return call.duration_sec;
  return Math.max(0, (simNow() - Date.parse(call.answered_at)) / 1000);
}

export const FINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
export const isLive = (call) => !FINAL.has(call.status);

export function applySnapshot(s) {
  state.vendors = s.vendors;
  setClock(s.clock);
  state.calls = new Map(s.calls.map((c) => [c.id, c]));
  state.deliveries = new Map(s.deliveries.map((d) => [d.id, d]));
  state.journal = s.journal.map(keyed);
}

/** Live journal rows carry no id, so the page numbers rows itself to keep each table row stable. */
let journalSeq = 0;
const keyed = (row) => ({ ...row, key: ++journalSeq });

export function putCall(call) {
  state.calls.set(call.id, call);
  if (state.calls.size > MAX_ROWS) trim(state.calls, (c) => !isLive(c));
}

export function putDelivery(d) {
  state.deliveries.set(d.id, d);
  if (state.deliveries.size > MAX_ROWS) trim(state.deliveries, (x) => x.state === 'succeeded' || x.state === 'failed');
}

export function addJournal(row) {
  state.journal.push(keyed(row));
  if (state.journal.length > MAX_ROWS) state.journal.splice(0, state.journal.length - MAX_ROWS);
}

/** Drops the oldest finished entries first (Map order is arrival order). */
function trim(map, finished) {
  for (const [id, v] of map) {
    if (map.size <= MAX_ROWS) return;
    if (finished(v)) map.delete(id);
  }
}

export const vendorTitle = (name) => state.vendors.find((v) => v.name === name)?.title ?? name ?? '—';
