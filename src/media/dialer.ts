import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import type { Agent, Call } from '../sim/types.js';
import type { MediaHub } from './hub.js';
import { callMedia } from './info.js';
import { MAX_MESSAGE_BYTES } from './limits.js';
import { mediaRefusal } from './upgrade.js';

const HANDSHAKE_TIMEOUT_MS = 5000;

export const agentOf = (hub: MediaHub, call: Call): Agent | undefined => hub.sim.world.stores.get(call.accountId)?.agents.get(call.agentId);

/** The URL callsim dials for a call: the call's own `metadata.media_url`, else its agent's `mediaUrl`. */
function mediaUrlFor(hub: MediaHub, call: Call): string | null {
  const own = call.metadata.media_url;
  if (typeof own === 'string' && own) return own;
  return agentOf(hub, call)?.mediaUrl ?? null;
}

/** The string entries of a `custom_parameters` object; anything else in it is left out. */
function stringsOf(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * `start.customParameters` of a dial-out, as Twilio's <Parameter> elements: callsim's own (call
 * and agent ids, numbers, direction), then the agent's `mediaParameters`, then the call's
 * `metadata.custom_parameters`, each winning over the one before.
 */
export function dialParameters(hub: MediaHub, call: Call): Record<string, string> {
  return {
    callId: call.id,
    agentId: call.agentId,
    from: call.from,
    to: call.to,
    direction: call.direction,
    ...stringsOf(agentOf(hub, call)?.mediaParameters),
    ...stringsOf(call.metadata.custom_parameters),
  };
}

/**
 * X-Twilio-Signature of a WebSocket request: base64 HMAC-SHA1 keyed by the auth token over the
 * full URL (a WebSocket upgrade has no form parameters to append), so the `twilio` package's
 * `validateRequest(token, signature, url, {})` accepts it.
 */
export function twilioSignature(authToken: string, url: string): string {
  return createHmac('sha1', authToken).update(Buffer.from(url, 'utf8')).digest('base64');
}

/**
 * Carrier-style streaming (Twilio's <Connect><Stream>): when a call whose agent has a media_url is
 * answered, callsim dials that WebSocket and speaks the same protocol with the far end as the
 * agent. If it cannot connect, the call goes on with the built-in agent and the reason is kept
 * (GET /__sim/calls/{id}/media → dialError) and logged.
 */
export function attachDialer(hub: MediaHub): void {
  hub.onAnswered = (call) => {
    // A load run's calls are dialled by its worker threads (src/load/).
    if (hub.claimed.has(call)) return;
    const url = mediaUrlFor(hub, call);
    if (!url) return;
    const log = hub.sim.logger;
    const info = callMedia(call);
    info.dialUrl = url;
    const failed = (why: string) => {
      if (info.dialError) return;
      info.dialError = `cannot dial ${url}: ${why}`;
      log.info({ callId: call.id, url, reason: why }, 'media dial-out failed');
    };
    const refused = mediaRefusal(hub.sim) ?? (/^wss?:\/\//i.test(url) ? null : `media_url must be a ws:// or wss:// URL, got ${url.slice(0, 100)}`);
    if (refused) {
      info.dialError = refused;
      log.info({ callId: call.id, url, reason: refused }, 'media dial-out skipped');
      return;
    }
    const vendor = hub.sim.world.accounts.get(call.accountId)?.namespace ?? '';
    const token = hub.sim.options.mediaAuthToken;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
        maxPayload: MAX_MESSAGE_BYTES,
        ...(token && { headers: { 'X-Twilio-Signature': twilioSignature(token, url) } }),
      });
    } catch (err) {
      return failed((err as Error).message);
    }
    ws.on('error', (err) => failed(err.message));
    ws.once('unexpected-response', (_req, res) => {
      failed(`HTTP ${res.statusCode}`);
      ws.terminate();
    });
    ws.once('open', () => {
      ws.removeAllListeners('error');
      ws.on('error', () => {});
      if (call.status !== 'in-progress' || hub.refusal(call, 'agent')) {
        log.info({ callId: call.id, url, status: call.status }, 'media dial-out connected too late; closed');
        return ws.close(1000, 'call is no longer available');
      }
      const s = hub.open({ ws, role: 'agent', vendor, call, tracks: ['inbound'], origin: 'dial', customParameters: dialParameters(hub, call) });
      log.debug({ callId: call.id, url, streamSid: s.streamSid, signed: !!token }, 'media dial-out connected');
    });
  };
}
