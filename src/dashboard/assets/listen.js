// @ts-check
// Live listen: the call's media stream (Twilio Media Streams messages: connected, start, media,
// stop) over a WebSocket, μ-law 8 kHz decoded here and played with Web Audio, both tracks mixed.

/** G.711 μ-law byte → sample in [-1, 1]; 256 entries, built once. */
export const MULAW = (() => {
  const table = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const u = ~i & 0xff;
    const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 0x07)) - 0x84;
    table[i] = (u & 0x80 ? -magnitude : magnitude) / 32768;
  }
  return table;
})();

export function decodeMulaw(base64) {
  const bin = atob(base64);
  const out = new Float32Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = MULAW[bin.charCodeAt(i)];
  return out;
}

/** Audio is scheduled this far ahead, to ride out network jitter without a noticeable delay. */
const LEAD_S = 0.12;
/** More queued than this and the player skips ahead, so listening never drifts behind the call. */
const MAX_QUEUE_S = 1;

/**
 * Starts listening; must run from a click (browsers only start audio after a user gesture).
 * onState(text, phase) reports progress ('connecting' | 'listening' | 'ended' | 'error');
 * onLevel(track, rms, frames) feeds the level meters.
 */
export function startListening(url, { onState, onLevel }) {
  const ctx = new AudioContext();
  const out = ctx.createGain();
  out.connect(ctx.destination);
  const playhead = { inbound: 0, outbound: 0 };
  const frames = { inbound: 0, outbound: 0 };
  let closed = false;
  const ws = new WebSocket(url);
  onState('Connecting to the media stream…', 'connecting');

  ws.onmessage = (ev) => {
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (msg.event === 'connected') onState('Connected, waiting for audio…', 'connecting');
    else if (msg.event === 'start')
      onState(`Listening${msg.start?.mediaFormat ? ` (${msg.start.mediaFormat.encoding}, ${msg.start.mediaFormat.sampleRate} Hz)` : ''}`, 'listening');
    else if (msg.event === 'media' && msg.media?.payload) play(msg.media.track === 'outbound' ? 'outbound' : 'inbound', msg.media.payload);
    else if (msg.event === 'stop') finish('The stream ended (the call is over).', 'ended');
  };
  ws.onerror = () => finish('Could not open the media stream for this call.', 'error');
  ws.onclose = (ev) => finish(ev.reason ? `Stream closed: ${ev.reason}` : 'Stream closed.', 'ended');

  function play(track, payload) {
    const samples = decodeMulaw(payload);
    if (!samples.length) return;
    const buffer = ctx.createBuffer(1, samples.length, 8000);
    buffer.copyToChannel(samples, 0);
    const src = ctx.createBufferSource();
    src.buffer = buffer;
    src.connect(out);
    const now = ctx.currentTime;
    let at = playhead[track];
    if (at < now + 0.02 || at > now + MAX_QUEUE_S) at = now + LEAD_S;
    src.start(at);
    playhead[track] = at + buffer.duration;
    frames[track]++;
    let sum = 0;
    for (const s of samples) sum += s * s;
    onLevel(track, Math.sqrt(sum / samples.length), frames[track]);
  }

  function finish(text, phase) {
    if (closed) return;
    closed = true;
    onState(text, phase);
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
    // Let what is already queued play out before the context goes.
    const left = Math.max(playhead.inbound, playhead.outbound) - ctx.currentTime;
    setTimeout(() => void ctx.close().catch(() => {}), Math.max(0, left * 1000));
  }

  return {
    stop: () => finish('Stopped.', 'ended'),
    get closed() {
      return closed;
    },
  };
}
