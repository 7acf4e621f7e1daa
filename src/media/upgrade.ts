import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { Callsim } from '../app.js';
import { gateRefusal } from '../engine/gate.js';
import { parseSettings, SETTING_KEYS } from './conditions.js';
import type { MediaHub } from './hub.js';
import type { Track } from './protocol.js';
import type { Role } from './session.js';

export const MEDIA_PREFIX = '/__sim/media/';

/**
 * Why this server cannot stream audio at all, or null. Audio is paced by the real clock at real
 * speed: under a virtual clock nothing would ever play, and at --speed N the call's timeline would
 * run N× faster than its audio.
 */
export function mediaRefusal(sim: Callsim): string | null {
  if (sim.world.clock.mode === 'virtual')
    return 'media streams need --clock real (CALLSIM_CLOCK=real): audio plays in real time and a virtual clock never moves on its own';
  if (sim.options.speed !== 1) return `media streams need --speed 1: audio plays in real time, the clock runs ${sim.options.speed}× faster`;
  return null;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict' };

/** Refuses an upgrade with an HTTP answer in the admin API's error shape, then drops the socket. */
export function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

const RESERVED = new Set(['role', 'token', 'tracks', ...SETTING_KEYS]);

/** `tracks` in callsim's words and in Twilio's <Stream track> ones. */
const TRACKS: Record<string, Track[]> = {
  inbound: ['inbound'],
  inbound_track: ['inbound'],
  outbound: ['outbound'],
  outbound_track: ['outbound'],
  both: ['inbound', 'outbound'],
  both_tracks: ['inbound', 'outbound'],
};

/**
 * `ws://HOST/__sim/media/{vendor}/{callId}?role=listen|agent`: checks everything it can before the
 * handshake, so a refused stream gets a status and a reason instead of a socket that dies.
 */
export function handleUpgrade(hub: MediaHub, wss: WebSocketServer, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  const sim = hub.sim;
  const url = new URL(req.url ?? '/', 'http://callsim');
  const refuse = (status: number, code: string, message: string) => {
    sim.logger.info({ path: url.pathname, status, code, reason: message }, 'media stream refused');
    refuseUpgrade(socket, status, code, message);
  };
  // The control plane's one gate; a browser cannot set headers on a WebSocket, so `?token=` counts too.
  const gated = gateRefusal(sim.gate, { remote: req.socket.remoteAddress, headers: req.headers, token: url.searchParams.get('token') ?? undefined });
  if (gated) {
    const status = gated.kind === 'unauthorized' ? 401 : 403;
    const message =
      status === 401
        ? 'Media streams need the admin token: ?token=<admin token> or Authorization: Bearer <admin token>'
        : gated.message.replace('The admin API', 'Media streams');
    return refuse(status, gated.code ?? gated.kind, message);
  }
  const parts = url.pathname.slice(MEDIA_PREFIX.length).split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return refuse(404, 'not_found', `Media streams live at ${MEDIA_PREFIX}{vendor}/{callId}`);
  const [vendor, callId] = parts.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (!sim.vendor(vendor)) return refuse(404, 'unknown_vendor', `No vendor ${vendor}; known: ${sim.vendors.map((v) => v.name).join(', ')}`);
  const call = sim.world.findCall(callId);
  if (!call || sim.world.accounts.get(call.accountId)?.namespace !== vendor) return refuse(404, 'unknown_call', `No ${vendor} call ${callId}`);
  const refused = mediaRefusal(sim);
  if (refused) return refuse(409, 'media_unavailable', refused);
  const role = (url.searchParams.get('role') ?? 'listen') as Role;
  if (role !== 'listen' && role !== 'agent') return refuse(400, 'invalid_role', 'role must be listen or agent');
  // As Twilio's <Stream>, a listener hears the inbound track (the callee) unless it asks for more.
  const asked = url.searchParams.get('tracks') ?? 'inbound';
  const tracks: Track[] | undefined = role === 'agent' ? ['inbound'] : Object.hasOwn(TRACKS, asked) ? TRACKS[asked] : undefined;
  if (!tracks) return refuse(400, 'invalid_tracks', 'tracks must be inbound, outbound or both (or inbound_track, outbound_track, both_tracks)');
  const settings = parseSettings(Object.fromEntries(url.searchParams));
  if (typeof settings === 'string') return refuse(400, 'invalid_conditions', settings);
  if (hub.claimed.has(call))
    return refuse(409, 'load_call', `call ${call.id} belongs to a load run: its audio runs in a worker thread; read it at GET /__sim/calls/${call.id}/media`);
  const taken = hub.refusal(call, role);
  if (taken) return refuse(409, 'agent_taken', taken);
  const customParameters: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!RESERVED.has(k)) customParameters[k] = v;
  Object.assign(call.media, settings);
  wss.handleUpgrade(req, socket, head, (ws) => {
    hub.open({ ws, role, vendor, call, tracks, customParameters, origin: 'upgrade' });
  });
}
