import type { AdminHandlers } from '../admin/handlers/types.js';
import { fail } from '../engine/errors.js';
import { ok } from '../engine/respond.js';
import { hubFor } from './index.js';
import { callMediaJson, sessionJson } from './stats.js';

/** The media parts of the admin API (specs/admin.yaml, tag Media). */
export const mediaHandlers = {
  listMediaSessions: ({ sim }) => {
    const h = hubFor(sim);
    return ok({ data: [...h.sessions].map(sessionJson), total: h.sessions.size, engines: h.lives.size, pacer: h.pacer.summary() });
  },

  getCallMedia: ({ sim, params }) => {
    const call = sim.world.findCall(params.id);
    if (!call) throw fail('not_found', `No call ${params.id}`);
    return ok(callMediaJson(sim, hubFor(sim), call));
  },

  /** The spec states every key and bound; a call's own conditions override the server's from the next frame. */
  updateCallMedia: ({ sim, params, body }) => {
    const call = sim.world.findCall(params.id);
    if (!call) throw fail('not_found', `No call ${params.id}`);
    Object.assign(call.media, body);
    return ok(callMediaJson(sim, hubFor(sim), call));
  },
} satisfies Partial<AdminHandlers>;
