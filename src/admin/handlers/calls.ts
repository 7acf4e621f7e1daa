import { header } from '../../contract/types.js';
import { fail } from '../../engine/errors.js';
import { ok } from '../../engine/respond.js';
import { mp3Recording } from '../../media/mp3.js';
import { recording } from '../../media/recording.js';
import { callDetailJson, callSummaryJson } from '../../presenters.js';
import { listAgents } from '../../sim/agents.js';
import { createCall, hangupCall, newestCalls } from '../../sim/calls.js';
import { notFound, servedVendor } from './common.js';
import type { AdminHandlers } from './types.js';

/** Calls across vendors: list, detail, start, hang up, and their signed recording links. */
export const callHandlers = {
  listCalls: ({ sim, query }) => {
    const accounts = [...sim.world.accounts.values()].filter((a) => !query.vendor || a.namespace === query.vendor).map((a) => a.id);
    const { items, total } = newestCalls(sim.world, accounts, query.status ? { status: [query.status] } : {}, query.limit);
    return ok({ data: items.map((c) => callSummaryJson(sim, c)), total });
  },

  getCall: ({ sim, params }) => {
    const call = sim.world.findCall(params.id);
    if (!call) throw notFound(`No call ${params.id}`);
    return ok(callDetailJson(sim, call));
  },

  /** Starts an outbound call on any vendor, also those whose API has no such call (CallGeni.us). */
  createCall: ({ sim, body }) => {
    const vendor = servedVendor(sim, body.vendor);
    const accountId = sim.resolveAccount(vendor.name, body.account ?? vendor.adapter.demoKey);
    if (!accountId) {
      throw fail(
        'not_found',
        body.account === undefined ? `The ${vendor.name} demo account is gone; name an account` : `No ${vendor.name} account ${body.account}`,
        {
          code: 'unknown_account',
        },
      );
    }
    const agentId = body.agent_id !== undefined ? String(body.agent_id) : listAgents(sim.world, accountId)[0]?.id;
    if (!agentId) throw fail('conflict', 'The account has no agent to place the call', { code: 'no_agent' });
    const call = createCall(sim.world, { accountId, agentId, to: body.to, from: body.from, metadata: body.metadata });
    return ok(callSummaryJson(sim, call), 201);
  },

  hangupCall: ({ sim, params }) => {
    const call = sim.world.findCall(params.id);
    if (!call) throw notFound(`No call ${params.id}`);
    hangupCall(sim.world, call);
    return ok({ id: call.id, status: call.status, ended_reason: call.endedReason });
  },

  /**
   * Signed recording links: the signature is the credential (the operation is not gated). The file
   * streams as it renders: a WAV answers a `Range` (one byte range) with just those bytes; an MP3 is
   * encoded from its start, so it answers every request whole (200, no `Accept-Ranges`).
   */
  getRecording: ({ sim, params, query, req }) => {
    const m = /^(.+)\.(wav|mp3)$/.exec(params.file);
    const verdict = sim.checkRecordingSignature(req.path, query.expires, query.sig);
    if (verdict === 'forbidden') throw fail('forbidden', 'This recording link is not valid (bad or missing signature)', { code: 'invalid_signature' });
    if (verdict === 'expired') throw fail('not_found', 'This recording link has expired; ask the API for a new one', { status: 410, code: 'expired' });
    const call = m ? sim.world.findCall(m[1]) : undefined;
    if (!m || !call || sim.world.account(call.accountId).namespace !== params.vendor || !call.recordingReady) throw notFound('No recording here');
    const common = { 'content-disposition': `inline; filename="${call.id}.${m[2]}"`, 'cache-control': 'private, max-age=60' };
    if (m[2] === 'mp3') {
      const mp3 = mp3Recording(sim.world, call);
      return { status: 200, headers: { ...common, 'content-type': 'audio/mpeg', 'content-length': String(mp3.total) }, body: mp3.stream() };
    }
    const wav = recording(sim.world, call);
    const headers: Record<string, string> = { ...common, 'content-type': 'audio/wav', 'accept-ranges': 'bytes' };
    const range = byteRange(header(req.headers, 'range'), wav.total);
    if (range === 'unsatisfiable') {
      throw fail('validation', `Range not satisfiable: the recording has ${wav.total} bytes`, {
        status: 416,
        code: 'range_not_satisfiable',
        extra: { size: wav.total },
      });
    }
    const [start, end] = range ?? [0, wav.total - 1];
    headers['content-length'] = String(end - start + 1);
    if (range) headers['content-range'] = `bytes ${start}-${end}/${wav.total}`;
    return { status: range ? 206 : 200, headers, body: wav.stream(start, end) };
  },
} satisfies Partial<AdminHandlers>;

/** One `bytes=` range of a file of `size` bytes; undefined when none (or several) is asked for. */
function byteRange(value: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const m = value && /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix === 0 ? 'unsatisfiable' : [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start >= size || end < start ? 'unsatisfiable' : [start, end];
}
