// @ts-check
// "Agent under test": a live agent's turn latencies and underruns and, when a simulated caller
// talked with it, the caller's report line by line with its expectations and verdict.
import { h } from './dom.js';

const ms = (v) => (v === null || v === undefined ? '—' : `${Math.round(v)} ms`);

function turnRows(report) {
  return report.turns.map((t) =>
    h(
      'tr',
      {},
      h('td', { 'data-label': 'Line' }, String(t.line)),
      h('td', { 'data-label': 'Caller' }, t.text || '(keys or silence)'),
      h('td', { 'data-label': 'Agent answered after' }, t.latencyMs === null ? 'did not answer' : ms(t.latencyMs)),
      h('td', { 'data-label': 'Agent talked' }, ms(t.agentTalkMs)),
      h('td', { 'data-label': 'Keys' }, t.keysHeard || '—'),
      h(
        'td',
        { 'data-label': 'Notes' },
        [t.interrupted ? 'agent talked over it' : '', t.bargeIn ? `barge-in, agent yielded ${t.yieldMs === null ? 'never' : `after ${ms(t.yieldMs)}`}` : '']
          .filter(Boolean)
          .join('; ') || '—',
      ),
    ),
  );
}

function expectationItems(report) {
  return report.expectations.map((e) =>
    h(
      'li',
      { class: e.met ? 'ok' : 'bad' },
      `${e.met ? '✓' : '✗'} ${e.line === null ? 'call' : `line ${e.line}`}: ${e.expect} ${JSON.stringify(e.want)} — got ${e.got === null ? 'nothing' : JSON.stringify(e.got)}`,
    ),
  );
}

/** Fills `el` (the card's body) from the call's `media_report`; hides the card when there is none. */
export function renderAgentReport(card, el, report) {
  card.hidden = !report;
  if (!report) return;
  const c = report.caller;
  const latencies = report.turns.map((t) => t.latencyMs);
  const facts = [
    h(
      'p',
      {},
      `Turns answered: ${latencies.length}; latency ${latencies.length ? latencies.map((v) => `${v} ms`).join(', ') : '—'}. Underruns: ${report.underruns}.`,
    ),
  ];
  if (!c) return el.replaceChildren(...facts);
  const verdict = c.verdict === null ? 'in progress' : c.verdict.toUpperCase();
  el.replaceChildren(
    h(
      'p',
      {},
      'Simulated caller ',
      h('strong', {}, c.name),
      c.persona ? ` (${c.persona})` : '',
      ': ',
      h('strong', { class: c.verdict === 'fail' ? 'bad' : c.verdict === 'pass' ? 'ok' : '', id: 'caller-verdict' }, verdict),
      c.endedBy ? `, ended by ${c.endedBy}` : '',
      `; ${c.linesSaid} of ${c.linesTotal} lines said.`,
    ),
    h(
      'p',
      {},
      `Interruptions: the agent talked over the caller ${c.interruptions.byAgent}×, the caller barged in ${c.interruptions.byCaller}×. ` +
        `Silences of 2 s or more: ${c.silences.count} (longest quiet ${ms(c.silences.longestMs)}). Underruns: ${c.underruns}.`,
    ),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'cards' },
        h('thead', {}, h('tr', {}, ...['Line', 'Caller', 'Agent answered after', 'Agent talked', 'Keys', 'Notes'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...turnRows(c)),
      ),
    ),
    c.expectations.length ? h('ul', { class: 'expectations' }, ...expectationItems(c)) : h('p', { class: 'hint' }, 'The caller states no expectations.'),
  );
}
