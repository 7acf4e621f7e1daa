import { ok } from '../../../engine/respond.js';
import { getCallOrThrow, processing, queryCalls } from '../../../sim/calls.js';
import { invalid } from '../../../sim/errors.js';
import type { Call } from '../../../sim/types.js';
import type { World } from '../../../sim/world.js';
import { dateBound } from '../../shared/http.js';
import { recordingLink, STATUS_FROM_SNAKE } from '../../shared/mappers.js';
import { callJson, transcriptJson, ts } from '../mappers.js';
import type { H } from '../types.js';
import { page } from './common.js';

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Why there is no recording to link to yet, in the vendor's `{message}` (post-call processing). */
function notYet(world: World, call: Call): string {
  const p = processing(world, call, 'recording');
  if (p.state === 'none') return 'This call has no recording: it was never answered.';
  if (p.state === 'live')
    return `Recording not available yet: the call is still in progress (it is ready ${seconds(world.timings.recordingDelayMs)} after the call ends).`;
  return `Recording not available yet: the call ended moments ago and its recording is being processed (ready in about ${seconds(p.state === 'pending' ? p.readyAt - world.now() : 0)}).`;
}

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
    if (!link) return ok({ message: notYet(world, call) }, 404);
    return ok({ url: link.url, expires_at: ts(link.expiresAt), format: 'mp3' });
  },
} satisfies Partial<H>;
