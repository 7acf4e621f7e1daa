// @ts-check
// Entry point: the event stream feeds the store, the hash picks the view, a one-second tick moves
// what the clock moves (durations, countdowns). The server is never polled.
import { connectEvents, token } from './api.js';
import { leaveCall, onCallChanged, onClockMoved, showCall, tickCall } from './callpage.js';
import { renderCalls, tickCalls } from './calls.js';
import { loadMeta, renderClockControls, wireControls } from './controls.js';
import { $, $$, fmtDateTime, setText } from './dom.js';
import { renderDeliveries, renderJournal, tickDeliveries } from './logs.js';
import { addJournal, applySnapshot, putCall, putDelivery, setClock, simNow, state } from './store.js';

const VIEWS = ['calls', 'call', 'webhooks', 'journal', 'controls'];

/** #/calls, #/calls/<id>, #/webhooks, #/journal, #/controls (the last one only matters on a phone). */
function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const callId = parts[0] === 'calls' && parts[1] ? decodeURIComponent(parts.slice(1).join('/')) : null;
  const view = callId ? 'call' : VIEWS.includes(parts[0]) ? parts[0] : 'calls';
  const before = document.body.dataset.view;
  document.body.dataset.view = view;
  for (const v of VIEWS) {
    const section = $(`#view-${v}`);
    if (section) section.hidden = v !== view && !(v === 'calls' && view === 'controls');
  }
  for (const a of $$('nav.tabs a')) {
    const current = a.dataset.tab === view || (view === 'call' && a.dataset.tab === 'calls');
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (callId) showCall(callId);
  else leaveCall();
  // Moving focus to the new view's heading tells keyboard and screen reader users where they are
  // (only on navigation: a freshly loaded page keeps the browser's own starting point).
  if (started && before !== view) {
    const target = view === 'controls' ? $('#controls') : callId ? $('#call-h') : $('h2', $(`#view-${view}`));
    target?.setAttribute('tabindex', '-1');
    // A new view starts at the top of the page, header and tabs in sight, whatever got focus.
    target?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  document.title = callId ? `Call ${callId} · callsim` : `${view[0].toUpperCase()}${view.slice(1)} · callsim`;
}

function renderClock() {
  const c = state.clock;
  const speed = c.mode === 'real' && c.speed !== 1 ? ` ×${c.speed}` : '';
  setText($('#clock'), `${c.mode} clock${speed} · ${fmtDateTime(new Date(simNow()).toISOString())} UTC`);
}

function renderAll() {
  renderClock();
  renderClockControls();
  renderCalls();
  renderDeliveries();
  renderJournal();
}

/** Events arrive in bursts (one flush per server tick); rendering once per frame keeps up. */
let frame = 0;
const dirty = new Set();
function later(what) {
  dirty.add(what);
  if (!frame) frame = requestAnimationFrame(flush);
}
function flush() {
  frame = 0;
  if (dirty.has('calls')) renderCalls();
  if (dirty.has('deliveries')) renderDeliveries();
  if (dirty.has('journal')) renderJournal();
  dirty.clear();
}

function onEvent(type, data) {
  if (type === 'snapshot') {
    applySnapshot(data);
    renderAll();
    void loadMeta();
    route();
  } else if (type === 'call') {
    putCall(data);
    later('calls');
    onCallChanged(data.id);
  } else if (type === 'delivery') {
    putDelivery(data);
    later('deliveries');
  } else if (type === 'journal') {
    addJournal(data);
    later('journal');
  } else if (type === 'clock') {
    setClock(data);
    renderClock();
    renderClockControls();
    later('calls');
    later('deliveries');
    onClockMoved();
  }
}

function onStatus(status, detail) {
  const conn = $('#conn');
  conn.dataset.state = status;
  if (status === 'live') setText(conn, 'Live');
  else if (status === 'reconnecting') setText(conn, 'Reconnecting…');
  else {
    setText(conn, `Admin API refused: ${detail.message}`);
    // 401: this server wants its admin token; ask for it. 403: loopback only, a token will not help.
    $('#token-form').hidden = detail.status !== 401;
  }
}

let started = false;
let stream;
function connect() {
  stream?.stop();
  stream = connectEvents(onEvent, onStatus);
}

function start() {
  wireControls();
  $('#only-violations').addEventListener('change', renderJournal);
  $('#token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    token.set($('#token').value.trim());
    $('#token-form').hidden = true;
    connect();
  });
  window.addEventListener('hashchange', route);
  route();
  started = true;
  connect();
  setInterval(() => {
    renderClock();
    tickCalls();
    tickCall();
    tickDeliveries();
  }, 1000);
}

start();
