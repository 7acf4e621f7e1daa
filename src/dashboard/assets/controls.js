// @ts-check
// The controls column: clock, outbound call, inbound call or SMS, audio conditions, fault rules,
// reset. Each form talks to the admin API and says what happened next to its own fields.
import { api } from './api.js';
import { $, $$, fillSelect, formMsg, h, setText, toast } from './dom.js';
import { state } from './store.js';

const accountsOf = (vendor) => state.meta.accounts.filter((a) => a.vendor === vendor);

/** Reloads accounts, agents, numbers and config: after a snapshot (start, reset, restore). */
export async function loadMeta() {
  try {
    state.meta = await api('GET', '/dashboard/meta');
  } catch (err) {
    toast(`Could not load accounts: ${err.message}`, 'error');
    return;
  }
  const vendors = state.meta.vendors.map((v) => ({ value: v.name, label: v.title }));
  for (const select of $$('select[data-vendors]')) fillSelect(select, vendors);
  fillCallForm();
  fillInboundForm();
  renderConfig(state.meta.config);
}

function fillCallForm() {
  const accounts = accountsOf($('#call-vendor').value);
  fillSelect(
    $('#call-account'),
    accounts.map((a) => ({ value: a.id, label: `${a.name} (${a.id})` })),
  );
  const account = accounts.find((a) => a.id === $('#call-account').value);
  fillSelect(
    $('#call-agent'),
    (account?.agents ?? []).map((g) => ({ value: g.id, label: `${g.name} (${g.id})` })),
  );
}

function fillInboundForm() {
  const numbers = accountsOf($('#in-vendor').value).flatMap((a) => a.numbers.map((n) => ({ ...n, account: a.name })));
  fillSelect(
    $('#in-to'),
    numbers.map((n) => ({ value: n.e164, label: `${n.e164} · ${n.account}${n.agent_id ? '' : ' (no agent)'}` })),
  );
}

export function renderClockControls() {
  const c = state.clock;
  $('#clock-virtual').hidden = c.mode !== 'virtual';
  setText(
    $('#clock-mode'),
    c.mode === 'virtual'
      ? 'Virtual clock: time moves only when you advance it.'
      : `Real clock at ${c.speed ?? 1}× speed. The speed is fixed when callsim starts (--speed); restart it to change.`,
  );
}

function renderConfig(config) {
  if (!config) return;
  for (const input of $$('#media-form input')) input.value = String(config.media[input.name]);
  $('#fault-list').replaceChildren(
    ...(config.faults.length
      ? config.faults.map((f, i) =>
          h(
            'li',
            {},
            h('span', {}, describeFault(f)),
            h(
              'button',
              {
                type: 'button',
                class: 'small',
                'aria-label': `Remove fault rule ${i + 1}: ${describeFault(f)}`,
                onclick: () => saveFaults(config.faults.filter((_, j) => j !== i)),
              },
              'Remove',
            ),
          ),
        )
      : [h('li', { class: 'hint' }, 'No fault rules: every request is answered normally.')]),
  );
}

function describeFault(f) {
  const what = [f.status && `HTTP ${f.status}`, f.delayMs && `delay ${f.delayMs} ms`, f.drop && 'drop'].filter(Boolean).join(' + ');
  const p = f.probability ?? 1;
  return `${f.vendor} ${f.method ?? 'any'} ${f.path ?? '*'} → ${what}${p < 1 ? ` (${Math.round(p * 100)}%)` : ''}`;
}

async function saveConfig(patch, form, done) {
  try {
    state.meta.config = await api('PUT', '/config', patch);
    renderConfig(state.meta.config);
    formMsg(form, done, 'ok');
  } catch (err) {
    formMsg(form, err.message, 'error');
  }
}

const saveFaults = (faults) => saveConfig({ faults }, $('#fault-form'), faults.length ? `${faults.length} fault rule(s) active.` : 'No fault rules.');

async function advance(ms) {
  try {
    const r = await api('POST', '/clock/advance', { ms });
    setText($('#clock-msg'), `Advanced ${ms / 1000} s; ${r.ran} step${r.ran === 1 ? '' : 's'} ran.`);
  } catch (err) {
    setText($('#clock-msg'), err.message);
  }
}

const val = (sel) => $(sel).value.trim();
const num = (sel) => (val(sel) === '' ? undefined : Number(val(sel)));

function onSubmit(form, fn) {
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void fn(ev.submitter);
  });
}

export function wireControls() {
  $('#call-vendor').addEventListener('change', fillCallForm);
  $('#call-account').addEventListener('change', fillCallForm);
  $('#in-vendor').addEventListener('change', fillInboundForm);
  for (const b of $$('[data-advance]')) b.addEventListener('click', () => advance(Number(b.dataset.advance)));
  onSubmit($('#advance-form'), () => advance(Math.round(Number(val('#advance-sec')) * 1000)));
  $('#next-event').addEventListener('click', async () => {
    try {
      const c = await api('GET', '/clock');
      if (!c.nextAt) return setText($('#clock-msg'), 'Nothing is scheduled.');
      await advance(Math.max(0, Date.parse(c.nextAt) - c.nowMs));
    } catch (err) {
      setText($('#clock-msg'), err.message);
    }
  });

  onSubmit($('#call-form'), async () => {
    const form = $('#call-form');
    try {
      const from = val('#call-from');
      const call = await api('POST', '/calls', {
        vendor: val('#call-vendor'),
        account: val('#call-account'),
        agent_id: val('#call-agent'),
        to: val('#call-to'),
        ...(from ? { from } : {}),
      });
      formMsg(form, `Call ${call.id} is ${call.status}.`, 'ok');
      form.querySelector('.msg').append(' ', h('a', { href: `#/calls/${encodeURIComponent(call.id)}` }, 'Open it'));
    } catch (err) {
      formMsg(form, err.message, 'error');
    }
  });

  onSubmit($('#inbound-form'), async (submitter) => {
    const form = $('#inbound-form');
    const base = { vendor: val('#in-vendor'), to: val('#in-to'), from: val('#in-from') };
    try {
      if (submitter?.value === 'sms') {
        const r = await api('POST', '/inbound-sms', { ...base, body: $('#in-body').value });
        formMsg(form, `SMS ${r.message.id} received by ${r.account}.`, 'ok');
      } else {
        const r = await api('POST', '/inbound-call', base);
        // A call that rings out unanswered (no agent answers the number) says why.
        const note = r.call && r.reason ? ` It will ring out unanswered: ${r.reason}.` : '';
        formMsg(form, r.call ? `Inbound call ${r.call.id} is ${r.call.status}.${note}` : `The call failed: ${r.reason}.`, r.call && !note ? 'ok' : 'error');
      }
    } catch (err) {
      formMsg(form, err.message, 'error');
    }
  });

  onSubmit($('#media-form'), () => {
    const media = Object.fromEntries($$('#media-form input').map((i) => [i.name, Number(i.value)]));
    return saveConfig({ media }, $('#media-form'), 'Audio conditions applied to new media frames.');
  });

  onSubmit($('#fault-form'), () => {
    const rule = { vendor: val('#f-vendor'), probability: num('#f-prob') ?? 1 };
    if (val('#f-method')) rule.method = val('#f-method');
    if (val('#f-path')) rule.path = val('#f-path');
    if (num('#f-status') !== undefined) rule.status = num('#f-status');
    if (num('#f-delay')) rule.delayMs = num('#f-delay');
    if ($('#f-drop').checked) rule.drop = true;
    if (rule.status === undefined && !rule.delayMs && !rule.drop)
      return formMsg($('#fault-form'), 'This rule does nothing: give a status, a delay or drop.', 'error');
    return saveFaults([...(state.meta.config?.faults ?? []), rule]);
  });
  $('#faults-clear').addEventListener('click', () => saveFaults([]));

  $('#reset').addEventListener('click', async () => {
    try {
      const r = await api('POST', '/reset');
      setText($('#reset-msg'), `Reset; sim time ${r.now}.`);
    } catch (err) {
      setText($('#reset-msg'), err.message);
    }
  });
}
