import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Callsim } from '../app.js';
import { attachDialer } from './dialer.js';
import { MediaHub } from './hub.js';
import { MAX_MESSAGE_BYTES } from './limits.js';
import { handleUpgrade, MEDIA_PREFIX, refuseUpgrade } from './upgrade.js';

export interface MediaHandle {
  /** Closes every media socket with `stop` and 1001 (graceful shutdown). */
  close(): Promise<void>;
}

const hubs = new WeakMap<Callsim, MediaHub>();

/** One hub per callsim, shared by the upgrade handler and the admin routes (made first). */
export function hubFor(sim: Callsim): MediaHub {
  let hub = hubs.get(sim);
  if (!hub) {
    hub = new MediaHub(sim);
    attachDialer(hub);
    hubs.set(sim, hub);
  }
  return hub;
}

/** The real-time audio loop on the server's upgrade requests; the protocol is in docs/media.md. */
export function attachMedia(server: http.Server, sim: Callsim): MediaHandle {
  const hub = hubFor(sim);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0];
    if (!path.startsWith(MEDIA_PREFIX)) {
      // Another part of the server may take its own upgrades; with none, nobody else answers.
      if (server.listenerCount('upgrade') === 1)
        refuseUpgrade(socket, 404, 'not_found', `No WebSocket endpoint at ${path}; media streams live at ${MEDIA_PREFIX}{vendor}/{callId}`);
      return;
    }
    try {
      handleUpgrade(hub, wss, req, socket, head);
    } catch (err) {
      refuseUpgrade(socket, 500, 'error', `media stream failed to open: ${(err as Error).message}`);
    }
  };
  server.on('upgrade', onUpgrade);
  return {
    close: async () => {
      server.off('upgrade', onUpgrade);
      await hub.close();
      wss.close();
      hubs.delete(sim);
    },
  };
}
