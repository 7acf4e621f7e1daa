// @ts-check
// Small DOM and formatting helpers shared by the page's modules. No framework: the page is a few
// tables and forms, and keeping row nodes stable by hand is what keeps keyboard focus in place.

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/** h('a', { href, class: 'x', onclick }, 'text', child): children may be strings, nodes or arrays. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  el.append(
    ...children
      .flat(Infinity)
      .filter((c) => c !== null && c !== undefined && c !== false)
      .map((c) => (c instanceof Node ? c : String(c))),
  );
  return el;
}

/** Sets text only when it changed, so screen readers and selections are not disturbed needlessly. */
export function setText(el, text) {
  const t = String(text ?? '');
  if (el.textContent !== t) el.textContent = t;
}

/** One cell per column; data-label lets the phone layout show each cell as "label: value". */
export function cells(tr, labels) {
  if (tr.cells.length) return [...tr.cells];
  return labels.map((label) => tr.appendChild(h('td', { 'data-label': label })));
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: 'UTC' });
const DATE = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** Sim times are shown in UTC: the virtual clock's start is a fixed UTC instant in fixtures and tests. */
export function fmtTime(iso) {
  if (!iso) return '—';
  return TIME.format(new Date(iso));
}

export function fmtDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return `${DATE.format(d)} ${TIME.format(d)}`;
}

export function fmtDuration(sec) {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—';
  const s = Math.max(0, Math.round(sec));
  const m = Math.floor(s / 60);
  return m ? `${m}:${String(s % 60).padStart(2, '0')}` : `${s} s`;
}

/** "in 4 min" / "in 12 s" from sim-time milliseconds. */
export function fmtIn(ms) {
  if (ms <= 0) return 'due now';
  if (ms < 60_000) return `in ${Math.ceil(ms / 1000)} s`;
  if (ms < 3_600_000) return `in ${Math.round(ms / 60_000)} min`;
  return `in ${(ms / 3_600_000).toFixed(1)} h`;
}

let toastTimer;
/** A short message in the page's polite live region: what a click did, or why it failed. */
export function toast(message, kind = 'info') {
  const el = $('#toast');
  el.dataset.kind = kind;
  el.textContent = message;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.textContent = '';
  }, 6000);
}

/** A form's own message line (next to the fields it is about). */
export function formMsg(form, message, kind = 'info') {
  const el = $('.msg', form);
  if (!el) return toast(message, kind);
  el.dataset.kind = kind;
  el.textContent = message;
}

/** Fills a select, keeping the current choice when it still exists. */
export function fillSelect(select, options) {
  const keep = select.value;
  select.replaceChildren(...options.map((o) => h('option', { value: o.value }, o.label)));
  if (options.some((o) => o.value === keep)) select.value = keep;
}

/**
 * Makes tbody's rows follow `items` in order, reusing each item's row: only new rows are created and
 * only rows out of place are moved, so a focused link or button inside a row keeps its focus.
 */
export function reconcile(tbody, items, key, create, update) {
  const rows = new Map([...tbody.rows].map((tr) => [tr.dataset.key, tr]));
  const keep = new Set();
  items.forEach((item, i) => {
    const k = String(key(item));
    keep.add(k);
    let tr = rows.get(k);
    if (!tr) {
      tr = h('tr', { dataset: { key: k } });
      create(tr, item);
    }
    update(tr, item);
    if (tbody.rows[i] !== tr) tbody.insertBefore(tr, tbody.rows[i] ?? null);
  });
  for (const [k, tr] of rows) if (!keep.has(k)) tr.remove();
}
