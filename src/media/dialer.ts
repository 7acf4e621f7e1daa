import WebSocket from 'ws';
import type { Call } from '../sim/types.js';
import type { MediaHub } from './hub.js';
import { callMedia } from './info.js';
import { mediaRefusal } from './upgrade.js';

const HANDSHAKE_TIMEOUT_MS = 5000;

/** The URL callsim dials for a call: the call's own `metadata.media_url`, else its agent's `mediaUrl`. */
function mediaUrlFor(hub: MediaHub, call: Call): string | null {
  const own = call.metadata.media_url;
  if (typeof own === 'string' && own) return own;
  return hub.sim.world.stores.get(call.accountId)?.agents.get(call.agentId)?.mediaUrl ?? null;
}

/**
 * Carrier-style streaming (Twilio's <Connect><Stream>): when a call whose agent has a media_url is
 * answered, callsim dials that WebSocket and speaks the same protocol with the far end as the
 * agent. If it cannot connect, the call goes on with the built-in agent and the reason is kept
 * (GET /__sim/calls/{id}/media → dialError).
 */
export function attachDialer(hub: MediaHub): void {
  hub.onAnswered = (call) => {
    const url = mediaUrlFor(hub, call);
    if (!url) return;
    const info = callMedia(call);
    info.dialUrl = url;
    const refused = mediaRefusal(hub.sim) ?? (/^wss?:\/\//i.test(url) ? null : `media_url must be a ws:// or wss:// URL, got ${url.slice(0, 100)}`);
    if (refused) {
      info.dialError = refused;
      return;
    }
    const vendor = hub.sim.world.accounts.get(call.accountId)?.namespace ?? '';
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS, maxPayload: 256 * 1024 });
    } catch (err) {
      info.dialError = `cannot dial ${url}: ${(err as Error).message}`;
      return;
    }
    const failed = (why: string) => {
      info.dialError ??= `cannot dial ${url}: ${why}`;
    };
    ws.on('error', (err) => failed(err.message));
    ws.once('unexpected-response', (_req, res) => {
      failed(`HTTP ${res.statusCode}`);
      ws.terminate();
    });
    ws.once('open', () => {
      ws.removeAllListeners('error');
      if (call.status !== 'in-progress' || hub.refusal(call, 'agent')) return ws.close(1000, 'call is no longer available');
      hub.open({
        ws,
        role: 'agent',
        vendor,
        call,
        tracks: ['inbound'],
        origin: 'dial',
        customParameters: { callId: call.id, agentId: call.agentId, from: call.from, to: call.to, direction: call.direction },
      });
    });
  };
}
