import { getCallOrThrow, queryCalls } from '../../../sim/calls.js';
import { invalid } from '../../../sim/errors.js';
import { dateBound, ok } from '../../shared/http.js';
import type { Handler } from '../../types.js';
import { callJson, STATUS_FROM_CG, transcriptJson, ts } from '../mappers.js';
import { page } from './common.js';

/** The docs: recording URLs expire after 1 hour. */
const RECORDING_TTL_MS = 60 * 60 * 1000;

export const callHandlers: Record<string, Handler> = {
  listCalls: (ctx) => {
    const q = ctx.query;
    const since = dateBound(q.from, false);
    const until = dateBound(q.to, true);
    if (since !== undefined && until !== undefined && until < since) {
      throw invalid('to', 'after_or_equal', 'The to field must be a date after or equal to from.');
    }
    const calls = queryCalls(ctx.world, ctx.account.id, {
      agentId: q.agent_id !== undefined ? String(q.agent_id) : undefined,
      status: q.status ? [STATUS_FROM_CG[q.status]] : undefined,
      since,
      until,
    });
    return page(ctx, calls, (c) => callJson(ctx.world, c));
  },

  getCall: ({ world, account, params }) => ok(callJson(world, getCallOrThrow(world, account.id, String(params.id)))),

  getCallTranscript: ({ world, account, params }) => ok(transcriptJson(world, getCallOrThrow(world, account.id, String(params.id)), world.now())),

  getCallRecording: ({ world, account, params, services }) => {
    const call = getCallOrThrow(world, account.id, String(params.id));
    if (!call.recordingReady) return ok({ message: 'Recording not available yet' }, 404);
    // Whole seconds: the signed URL carries its expiry in seconds, and expires_at must say the same instant.
    const expiresAt = Math.floor((world.now() + RECORDING_TTL_MS) / 1000) * 1000;
    return ok({ url: services.recordingUrl('callgenius', call.id, expiresAt), expires_at: ts(expiresAt), format: 'wav' });
  },
};
