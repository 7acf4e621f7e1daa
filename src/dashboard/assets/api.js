// @ts-check
// The admin API from the page, and the event stream. The stream is read with fetch rather than
// EventSource because EventSource cannot send the Authorization header an --admin-token server asks for.

const TOKEN_KEY = 'callsim.adminToken';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) ?? '',
  set: (t) => (t ? sessionStorage.setItem(TOKEN_KEY, t) : sessionStorage.removeItem(TOKEN_KEY)),
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function headers(extra = {}) {
  const t = token.get();
  return t ? { ...extra, authorization: `Bearer ${t}` } : extra;
}

/** JSON in, JSON out; an admin error body becomes an ApiError carrying its message. */
export async function api(method, path, body) {
  const res = await fetch(`/__sim${path}`, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: { code: 'not_json', message: text.slice(0, 200) } };
  }
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? 'error', data?.error?.message ?? `HTTP ${res.status}`);
  return data;
}

/**
 * Reads GET /__sim/events as server-sent events and calls on(event, data) for each one; reconnects
 * with backoff after a drop (each connection starts with a fresh snapshot, so nothing is missed).
 * onStatus('live' | 'reconnecting' | 'refused', detail) drives the connection badge.
 */
export function connectEvents(on, onStatus) {
  let stopped = false;
  let controller;
  let delay = 500;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const res = await fetch('/__sim/events', { headers: headers({ accept: 'text/event-stream' }), signal: controller.signal, cache: 'no-store' });
        if (res.status === 401 || res.status === 403) {
          const body = await res.json().catch(() => null);
          onStatus('refused', { status: res.status, message: body?.error?.message ?? `HTTP ${res.status}` });
          return;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        delay = 500;
        await readStream(res.body, on, () => onStatus('live'));
      } catch (err) {
        if (stopped || err?.name === 'AbortError') return;
      }
      if (stopped) return;
      onStatus('reconnecting');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 8000);
    }
  };
  void run();
  return {
    stop() {
      stopped = true;
      controller?.abort();
    },
  };
}

/** The SSE wire format: "event:" and "data:" lines, a blank line ends one event, ":" is a comment. */
async function readStream(body, on, onOpen) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  let event = 'message';
  let data = [];
  let opened = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    if (!opened) {
      opened = true;
      onOpen();
    }
    buf += value;
    let nl;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      if (line === '') {
        if (data.length) on(event, JSON.parse(data.join('\n')));
        event = 'message';
        data = [];
      } else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
  }
}
