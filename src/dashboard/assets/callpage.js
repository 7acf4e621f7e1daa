// @ts-check
// One call: facts, status timeline, transcript as it grows, summary and sentiment, the recording,
// and live listen. Built once per call and updated in place, so the audio player and a focused
// button survive every update.
import { renderAgentReport } from './agentreport.js';
import { api, token } from './api.js';
import { statusBadge } from './calls.js';
import { $, fmtDateTime, fmtDuration, h, setText } from './dom.js';
import { startListening } from './listen.js';
import { callDuration, isLive, simNow, state, vendorTitle } from './store.js';

let page = null;

const party = (c) => (c.direction === 'inbound' ? 'Caller' : 'Callee');

function sentimentText(s) {
  if (s === null || s === undefined) return '—';
  const word = s >= 0.3 ? 'positive' : s <= -0.3 ? 'negative' : 'neutral';
  return `${word} (${s.toFixed(2)})`;
}

function build(id) {
  const el = {};
  const section = $('#view-call');
  const fact = (key, label) => [h('dt', {}, label), (el[key] = h('dd', {}, '—'))];
  section.replaceChildren(
    h('p', {}, h('a', { href: '#/calls' }, '← All calls')),
    h('div', { class: 'call-head' }, h('h2', { id: 'call-h', tabindex: '-1' }, 'Call ', h('span', { class: 'mono' }, id)), (el.status = h('span'))),
    (el.missing = h('p', { class: 'msg', 'data-kind': 'error', hidden: true })),
    h(
      'div',
      { class: 'call-grid' },
      h(
        'section',
        { 'aria-labelledby': 'facts-h', class: 'card' },
        h('h3', { id: 'facts-h' }, 'Details'),
        h(
          'dl',
          { class: 'facts' },
          fact('vendor', 'Vendor'),
          fact('account', 'Account'),
          fact('agent', 'Agent'),
          fact('direction', 'Direction'),
          fact('from', 'From'),
          fact('to', 'To'),
          fact('duration', 'Duration'),
          fact('reason', 'Ended reason'),
          fact('language', 'Language'),
        ),
      ),
      h(
        'section',
        { 'aria-labelledby': 'timeline-h', class: 'card' },
        h('h3', { id: 'timeline-h' }, 'Timeline'),
        (el.timeline = h('ol', { class: 'timeline' })),
      ),
      h(
        'section',
        { 'aria-labelledby': 'listen-h', class: 'card' },
        h('h3', { id: 'listen-h' }, 'Live listen'),
        (el.listen = h('button', { type: 'button', id: 'listen', disabled: true, onclick: () => toggleListen() }, 'Listen live')),
        (el.listenState = h('p', { class: 'hint', id: 'listen-state', 'aria-live': 'polite' }, 'Available while the call is in progress.')),
        h(
          'div',
          { class: 'meters' },
          h('label', { for: 'meter-out' }, 'Agent'),
          (el.meterOut = h('meter', { id: 'meter-out', min: 0, max: 0.5, value: 0, dataset: { frames: 0 } })),
          (el.meterInLabel = h('label', { for: 'meter-in' }, 'Callee')),
          (el.meterIn = h('meter', { id: 'meter-in', min: 0, max: 0.5, value: 0, dataset: { frames: 0 } })),
        ),
      ),
    ),
    h(
      'div',
      { class: 'call-grid2' },
      h(
        'section',
        { 'aria-labelledby': 'transcript-h', class: 'card' },
        h('h3', { id: 'transcript-h' }, 'Transcript ', (el.transcriptNote = h('span', { class: 'note' }))),
        (el.transcript = h('ol', { class: 'transcript', id: 'transcript', 'aria-live': 'polite' })),
      ),
      h(
        'div',
        {},
        h('section', { 'aria-labelledby': 'rec-h', class: 'card' }, h('h3', { id: 'rec-h' }, 'Recording'), (el.recording = h('div', { id: 'recording' }, '—'))),
        h(
          'section',
          { 'aria-labelledby': 'summary-h', class: 'card' },
          h('h3', { id: 'summary-h' }, 'Summary and sentiment'),
          (el.summary = h('p', { id: 'summary' }, '—')),
          h('p', {}, 'Sentiment: ', (el.sentiment = h('strong', { id: 'sentiment' }, '—'))),
        ),
      ),
    ),
    (el.agentCard = h(
      'section',
      { 'aria-labelledby': 'agent-h', class: 'card', id: 'agent-report', hidden: true },
      h('h3', { id: 'agent-h' }, 'Agent under test'),
      (el.agentReport = h('div')),
    )),
  );
  return { id, el, detail: null, listener: null, timer: undefined, seq: 0, audioFor: null };
}

export function showCall(id) {
  if (page?.id !== id) {
    leaveCall();
    page = build(id);
  }
  void refresh();
}

export function leaveCall() {
  if (!page) return;
  page.listener?.stop();
  clearTimeout(page.timer);
  page = null;
}

/** A pushed change to this call, or a clock move that may have brought new transcript turns. */
export function onCallChanged(id) {
  if (page && page.id === id) void refresh();
}

export function onClockMoved() {
  const d = page?.detail;
  if (d && (isLive(d) || !d.transcript_ready || !d.recording_ready)) void refresh();
}

async function refresh() {
  const p = page;
  if (!p) return;
  const seq = ++p.seq;
  try {
    const detail = await api('GET', `/dashboard/calls/${encodeURIComponent(p.id)}`);
    if (page !== p || seq !== p.seq) return;
    p.detail = detail;
    render(p, detail);
  } catch (err) {
    if (page !== p) return;
    p.el.missing.hidden = false;
    setText(p.el.missing, err.status === 404 ? `No call ${p.id} any more (the world may have been reset).` : `Could not load the call: ${err.message}`);
  }
}

function render(p, d) {
  const { el } = p;
  el.missing.hidden = true;
  if (el.status.textContent !== d.status) el.status.replaceChildren(statusBadge(d.status));
  setText(el.vendor, vendorTitle(d.vendor));
  setText(el.account, d.account);
  setText(el.agent, d.agent_name ? `${d.agent_name} (${d.agent_id})` : d.agent_id);
  setText(el.direction, d.direction);
  setText(el.from, d.from);
  setText(el.to, d.to);
  setText(el.duration, fmtDuration(callDuration(d)));
  setText(el.reason, d.ended_reason ?? '—');
  setText(el.language, d.language);
  setText(el.meterInLabel, party(d));
  const t0 = Date.parse(d.created_at);
  if (el.timeline.children.length !== d.timeline.length) {
    el.timeline.replaceChildren(
      ...d.timeline.map((t) =>
        h('li', {}, statusBadge(t.status), ` ${fmtDateTime(t.at)} `, h('span', { class: 'note' }, `+${((Date.parse(t.at) - t0) / 1000).toFixed(1)} s`)),
      ),
    );
  }
  renderTranscript(p, d);
  setText(el.summary, d.summary ?? (d.answered_at ? 'Ready with the transcript, shortly after the call ends.' : 'No summary: the call was not answered.'));
  setText(el.sentiment, sentimentText(d.sentiment));
  renderRecording(p, d);
  renderAgentReport(el.agentCard, el.agentReport, d.media_report);
  renderListen(p, d);
  scheduleNextTurn(p, d);
}

/** While a stream is open its own messages speak; otherwise say why listening is or is not possible. */
function renderListen(p, d) {
  const { el } = p;
  const talking = d.status === 'in-progress';
  el.listen.disabled = (!talking || !!d.listen_unavailable) && !p.listener;
  const phase = el.listenState.dataset.phase;
  if (p.listener) return;
  if (!talking)
    setText(el.listenState, d.answered_at && !isLive(d) ? 'The call is over; play the recording instead.' : 'Available while the call is in progress.');
  else if (d.listen_unavailable) setText(el.listenState, `Not on this server: ${d.listen_unavailable}.`);
  else if (phase !== 'ended' && phase !== 'error') setText(el.listenState, 'The call is in progress: listen to it live.');
}

function renderTranscript(p, d) {
  const { el } = p;
  const final = d.transcript_ready;
  const turns = final ? d.transcript : d.live_transcript;
  setText(el.transcriptNote, final ? '(final)' : turns.length ? '(live, so far)' : '');
  const key = `${final}|${turns.length}`;
  if (el.transcript.dataset.key === key) return;
  el.transcript.dataset.key = key;
  if (!turns.length) {
    el.transcript.replaceChildren(h('li', { class: 'hint' }, d.answered_at ? 'Waiting for the first words…' : 'Nothing said yet.'));
    return;
  }
  el.transcript.replaceChildren(
    ...turns.map((t) =>
      h(
        'li',
        { class: `turn ${t.speaker}` },
        h('span', { class: 'who' }, t.speaker === 'agent' ? 'Agent' : party(d)),
        h('span', { class: 'note' }, ` ${t.offset_sec.toFixed(1)} s`),
        h('p', {}, t.text || '(spoken audio)'),
      ),
    ),
  );
}

function renderRecording(p, d) {
  const { el } = p;
  if (!d.recording_path) {
    setText(
      el.recording,
      d.answered_at ? (isLive(d) ? 'Ready a few seconds after the call ends.' : 'Being prepared…') : 'No recording: the call was not answered.',
    );
    return;
  }
  // The signed link changes with every read; the player is made once so playback is never cut.
  if (p.audioFor === d.id) return;
  p.audioFor = d.id;
  el.recording.replaceChildren(
    h('audio', { controls: true, preload: 'metadata', src: d.recording_path, id: 'recording-audio', 'aria-label': `Recording of call ${d.id}` }),
    h('p', {}, h('a', { href: d.recording_path, download: `${d.id}.wav` }, 'Download the WAV')),
  );
}

/** Real clock: one timer for the moment the next turn starts, instead of asking again and again. */
function scheduleNextTurn(p, d) {
  clearTimeout(p.timer);
  if (!d.next_turn_at || state.clock.mode !== 'real') return;
  const ms = (Date.parse(d.next_turn_at) - simNow()) / (state.clock.speed ?? 1);
  p.timer = setTimeout(() => void refresh(), Math.max(50, ms + 50));
}

export function tickCall() {
  if (page?.detail && isLive(page.detail)) setText(page.el.duration, fmtDuration(callDuration(page.detail)));
}

function toggleListen() {
  const p = page;
  if (!p) return;
  if (p.listener && !p.listener.closed) return p.listener.stop();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  // A WebSocket cannot send headers: an --admin-token server takes the token in the query instead.
  // Both parties are played, so both tracks are asked for (a listener hears only the callee by default).
  const url = `${scheme}://${location.host}${p.detail.media_path}?role=listen&tracks=both${token.get() ? `&token=${encodeURIComponent(token.get())}` : ''}`;
  p.listener = startListening(url, {
    onState: (text, phase) => {
      if (page !== p) return;
      setText(p.el.listenState, text);
      p.el.listenState.dataset.phase = phase;
      const on = phase === 'connecting' || phase === 'listening';
      setText(p.el.listen, on ? 'Stop listening' : 'Listen live');
      if (!on) {
        p.listener = null;
        p.el.meterOut.value = 0;
        p.el.meterIn.value = 0;
        p.el.listen.disabled = p.detail?.status !== 'in-progress';
      }
    },
    onLevel: (track, rms, frames) => {
      const meter = track === 'outbound' ? p.el.meterOut : p.el.meterIn;
      meter.value = rms;
      meter.dataset.frames = String(frames);
    },
  });
}
