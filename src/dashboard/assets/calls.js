// @ts-check
// The live calls table: every vendor's calls, newest first, updated in place as events arrive.
import { $, cells, fmtDateTime, fmtDuration, h, reconcile, setText } from './dom.js';
import { callDuration, isLive, state, vendorTitle } from './store.js';

const LABELS = ['Call', 'Vendor', 'Account', 'Agent', 'Number', 'Direction', 'Status', 'Duration'];

export const statusBadge = (status) => h('span', { class: `badge s-${status}` }, status);

export function sortedCalls() {
  return [...state.calls.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? 1 : -1));
}

/** Who was dialled (outbound) or who dialled in (inbound): the number a demo audience cares about. */
const numberOf = (c) => (c.direction === 'inbound' ? `${c.from} → ${c.to}` : c.to);

export function renderCalls() {
  const list = sortedCalls();
  $('#calls-empty').hidden = list.length > 0;
  reconcile($('#calls-table tbody'), list, (c) => c.id, createRow, updateRow);
  const live = list.filter(isLive).length;
  setText($('#count-calls'), live ? `${live} live` : '');
}

function createRow(tr, call) {
  const td = cells(tr, LABELS);
  // The creation time sits under the id: one column less keeps the table whole at 1280 px.
  td[0].append(
    h('a', { href: `#/calls/${encodeURIComponent(call.id)}`, class: 'mono' }, call.id),
    h('br'),
    h('span', { class: 'note nowrap' }, h('span', { class: 'sr-only' }, 'created '), h('time', { datetime: call.created_at }, fmtDateTime(call.created_at))),
  );
}

function updateRow(tr, c) {
  const td = cells(tr, LABELS);
  tr.classList.toggle('live', isLive(c));
  setText(td[1], vendorTitle(c.vendor));
  setText(td[2], c.account);
  setText(td[3], c.agent_name ?? c.agent_id);
  setText(td[4], numberOf(c));
  setText(td[5], c.direction);
  if (td[6].textContent !== c.status) td[6].replaceChildren(statusBadge(c.status));
  setText(td[7], fmtDuration(callDuration(c)));
}

/** Once a second: only the durations of talking calls move between events. */
export function tickCalls() {
  for (const tr of $('#calls-table tbody').rows) {
    if (!tr.classList.contains('live')) continue;
    const call = state.calls.get(tr.dataset.key);
    if (call) setText(tr.cells[7], fmtDuration(callDuration(call)));
  }
}
