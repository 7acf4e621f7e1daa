import { ok } from '../../../engine/respond.js';
import { getCallOrThrow, queryCalls } from '../../../sim/calls.js';
import { invalid } from '../../../sim/errors.js';
import { dateBound } from '../../shared/http.js';
import { recordingLink, STATUS_FROM_SNAKE } from '../../shared/mappers.js';
import { callJson, transcriptJson, ts } from '../mappers.js';
import type { H } from '../types.js';
import { page } from './common.js';

export const callHandlers = {
  listCalls: ({ world, account, query: q }) => {
    const since = dateBound(q.from, false);
    const until = dateBound(q.to, true);
    if (since !== undefined && until !== undefined && until < since) {
      throw invalid('to', 'after_or_equal', 'The to field must be a date after or equal to from.');
    }
    const calls = queryCalls(world, account.id, {
      agentId: q.agent_id !== undefined ? String(q.agent_id) : undefined,
      status: q.status ? [STATUS_FROM_SNAKE[q.status]] : undefined,
      since,
      until,
    });
    return page(q, calls, (c) => callJson(world, c));
  },

  getCall: ({ world, account, params }) => ok(callJson(world, getCallOrThrow(world, account.id, String(params.id)))),

  getCallTranscript: ({ world, account, params }) => ok(transcriptJson(world, getCallOrThrow(world, account.id, String(params.id)), world.now())),

  getCallRecording: ({ world, account, params, services }) => {
    const call = getCallOrThrow(world, account.id, String(params.id));
    const link = recordingLink(services, call, world.now());
    if (!link) return ok({ message: 'Recording not available yet' }, 404);
    return ok({ url: link.url, expires_at: ts(link.expiresAt), format: 'wav' });
  },
} satisfies Partial<H>;
