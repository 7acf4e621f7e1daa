// @ts-check
// Webhook deliveries and the request journal: newest first, rows updated in place.
import { api } from './api.js';
import { $, cells, fmtIn, fmtTime, h, reconcile, setText, toast } from './dom.js';
import { simNow, state, vendorTitle } from './store.js';

const DELIVERY_LABELS = ['Delivery', 'Event', 'Vendor', 'Receiver', 'State', 'Attempts', 'Next retry', 'Actions'];
const JOURNAL_LABELS = ['Time', 'Vendor', 'Request', 'Operation', 'Status', 'Latency', 'Contract'];

export function renderDeliveries() {
  const list = [...state.deliveries.values()].sort((a, b) => (a.id < b.id ? 1 : -1));
  $('#webhooks-empty').hidden = list.length > 0;
  reconcile($('#deliveries-table tbody'), list, (d) => d.id, createDelivery, updateDelivery);
  const failing = list.filter((d) => d.state === 'retrying' || d.state === 'failed').length;
  setText($('#count-webhooks'), failing ? `${failing} failing` : list.length ? String(list.length) : '');
}

function createDelivery(tr, d) {
  const td = cells(tr, DELIVERY_LABELS);
  td[0].append(h('span', { class: 'mono' }, d.id));
  td[7].append(h('button', { type: 'button', class: 'small', 'aria-label': `Redeliver ${d.id}`, onclick: () => redeliver(d.id) }, 'Redeliver'));
}

function updateDelivery(tr, d) {
  const td = cells(tr, DELIVERY_LABELS);
  tr.dataset.state = d.state;
  setText(td[1], d.event);
  setText(td[2], vendorTitle(d.vendor));
  if (td[3].title !== d.url) {
    td[3].title = d.url;
    td[3].replaceChildren(h('span', { class: 'url' }, shortUrl(d.url)));
  }
  if (td[4].textContent !== d.state) td[4].replaceChildren(h('span', { class: `badge d-${d.state}` }, d.state));
  setText(td[5], attemptsText(d));
  setText(td[6], nextRetryText(d));
  if (d.redelivery_of && !td[0].querySelector('.note')) td[0].append(h('span', { class: 'note' }, ` redelivery of ${d.redelivery_of}`));
}

function attemptsText(d) {
  const last = d.attempts.at(-1);
  if (!last) return '0';
  const outcome = last.error ?? `HTTP ${last.status}`;
  return `${d.attempts.length} · last: ${outcome} (${last.latency_ms} ms)`;
}

function nextRetryText(d) {
  // One call's events go out in order: a pending delivery waits for the ones before it.
  if (d.state === 'pending') return 'after the earlier events of its call';
  if (!d.next_attempt_at || d.state !== 'retrying') return '—';
  return `${fmtTime(d.next_attempt_at)} (${fmtIn(Date.parse(d.next_attempt_at) - simNow())})`;
}

/** "Next retry in …" counts down with the clock between events. */
export function tickDeliveries() {
  for (const tr of $('#deliveries-table tbody').rows) {
    if (tr.dataset.state !== 'retrying') continue;
    const d = state.deliveries.get(tr.dataset.key);
    if (d) setText(tr.cells[6], nextRetryText(d));
  }
}

function shortUrl(url) {
  try {
    const u = new URL(url);
    return u.host + u.pathname;
  } catch {
    return url;
  }
}

async function redeliver(id) {
  try {
    const d = await api('POST', `/webhooks/deliveries/${encodeURIComponent(id)}/redeliver`);
    toast(`Redelivering ${id} as ${d.id}`);
  } catch (err) {
    toast(`Redeliver failed: ${err.message}`, 'error');
  }
}

const violationsOf = (row) => [...(row.violations ?? []), ...(row.responseViolations ?? []).map((v) => ({ ...v, response: true }))];

export function renderJournal() {
  const only = $('#only-violations').checked;
  const all = state.journal;
  const list = all.filter((r) => !only || violationsOf(r).length).reverse();
  $('#journal-empty').hidden = list.length > 0;
  setText($('#journal-empty'), all.length ? 'No request broke its contract.' : 'No vendor API requests yet.');
  reconcile(
    $('#journal-table tbody'),
    list,
    (r) => r.key,
    createJournal,
    () => {},
  );
  const bad = all.filter((r) => violationsOf(r).length).length;
  setText($('#count-journal'), bad ? `${bad} violation${bad > 1 ? 's' : ''}` : all.length ? String(all.length) : '');
}

/** Journal rows never change once written, so they are filled once. */
function createJournal(tr, r) {
  const td = cells(tr, JOURNAL_LABELS);
  const bad = violationsOf(r);
  tr.classList.toggle('violation', bad.length > 0);
  setText(td[0], fmtTime(r.at));
  setText(td[1], vendorTitle(r.vendor));
  td[2].append(h('span', { class: 'mono' }, `${r.method} ${r.path}`));
  setText(td[3], r.operationId ?? '(no such operation)');
  td[4].append(h('span', { class: `badge h-${String(r.status)[0]}xx` }, r.status));
  setText(td[5], `${r.latencyMs} ms`);
  if (!bad.length) td[6].append(h('span', { class: 'ok' }, 'ok'));
  else {
    td[6].append(
      h('strong', { class: 'bad' }, `${bad.length} violation${bad.length > 1 ? 's' : ''}`),
      h(
        'ul',
        { class: 'violations' },
        bad.map((v) => h('li', {}, `${v.response ? 'response ' : ''}${v.location}${v.field ? ` ${v.field}` : ''}: ${v.message}`)),
      ),
    );
  }
}
