import { Router } from 'express';
import type { Callsim } from '../app.js';
import { listAgents } from '../sim/agents.js';
import { callSummary, callTranscript, createCall, newestCalls } from '../sim/calls.js';
import { SimError } from '../sim/errors.js';
import type { Call } from '../sim/types.js';
import { adminError } from './basics.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The neutral view of a call, across vendors, for the dashboard and CI scripts. */
export function callSummaryJson(sim: Callsim, c: Call) {
  const account = sim.world.accounts.get(c.accountId);
  const agent = sim.world.stores.get(c.accountId)?.agents.get(c.agentId);
  return {
    id: c.id,
    vendor: account?.namespace ?? null,
    account: c.accountId,
    agent_id: c.agentId,
    agent_name: agent?.name ?? null,
    direction: c.direction,
    from: c.from,
    to: c.to,
    status: c.status,
    ended_reason: c.endedReason,
    language: c.language,
    created_at: iso(c.createdAt),
    answered_at: iso(c.answeredAt),
    ended_at: iso(c.endedAt),
    duration_sec:
      c.endedAt !== null ? Math.round(c.talkMs / 1000) : c.answeredAt !== null ? Math.max(0, Math.round((sim.world.now() - c.answeredAt) / 1000)) : 0,
    transcript_ready: c.transcriptReady,
    recording_ready: c.recordingReady,
    campaign_id: c.campaignId,
  };
}

export function callDetailJson(sim: Callsim, c: Call) {
  const vendor = sim.world.accounts.get(c.accountId)?.namespace ?? '';
  const { summary, sentiment } = callSummary(sim.world, c);
  return {
    ...callSummaryJson(sim, c),
    timeline: c.timeline.map((t) => ({ status: t.status, at: iso(t.at) })),
    transcript: callTranscript(sim.world, c).map((t) => ({ speaker: t.speaker, text: t.text, offset_sec: t.offsetMs / 1000 })),
    summary,
    sentiment,
    booking: c.booking,
    metadata: c.metadata,
    recording_url: c.recordingReady ? sim.signRecordingUrl(vendor, c.id, sim.world.now() + 3_600_000) : null,
  };
}

export function callsRouter(sim: Callsim): Router {
  const r = Router();
  r.get('/calls', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return adminError(res, 400, 'invalid_limit', 'limit must be an integer from 1 to 1000');
    const accounts = [...sim.world.accounts.values()].filter((a) => !q.vendor || a.namespace === q.vendor).map((a) => a.id);
    const { items, total } = newestCalls(sim.world, accounts, q.status ? { status: [q.status as Call['status']] } : {}, limit);
    res.json({ data: items.map((c) => callSummaryJson(sim, c)), total });
  });
  r.get('/calls/:id', (req, res) => {
    const call = sim.world.findCall(req.params.id);
    if (!call) return adminError(res, 404, 'not_found', `No call ${req.params.id}`);
    res.json(callDetailJson(sim, call));
  });
  /** Starts an outbound call on any vendor, also those whose API has no such call (CallGeni.us). */
  r.post('/calls', (req, res) => {
    const b = req.body ?? {};
    const runtime = typeof b.vendor === 'string' ? sim.runtime(b.vendor) : undefined;
    if (!runtime) return adminError(res, 400, 'unknown_vendor', `vendor must be one of: ${sim.runtimes.map((x) => x.adapter.name).join(', ')}`);
    const accountId = sim.resolveAccount(b.vendor, b.account ?? runtime.adapter.demoKey);
    if (!accountId)
      return adminError(
        res,
        404,
        'unknown_account',
        b.account === undefined ? `The ${b.vendor} demo account is gone; name an account` : `No ${b.vendor} account ${b.account}`,
      );
    if (typeof b.to !== 'string') return adminError(res, 400, 'invalid_to', 'to must be an E.164 phone number');
    const meta = b.metadata;
    if (
      meta !== undefined &&
      (!meta || typeof meta !== 'object' || Array.isArray(meta) || Object.keys(meta).length > 50 || JSON.stringify(meta).length > 16_384)
    ) {
      return adminError(res, 400, 'invalid_metadata', 'metadata must be an object of at most 50 keys (16 KB)');
    }
    const agentId = typeof b.agent_id === 'string' || typeof b.agent_id === 'number' ? String(b.agent_id) : listAgents(sim.world, accountId)[0]?.id;
    if (!agentId) return adminError(res, 409, 'no_agent', 'The account has no agent to place the call');
    try {
      const call = createCall(sim.world, { accountId, agentId, to: b.to, from: typeof b.from === 'string' ? b.from : undefined, metadata: meta });
      res.status(201).json(callSummaryJson(sim, call));
    } catch (err) {
      if (err instanceof SimError) return adminError(res, err.kind === 'not_found' ? 404 : err.kind === 'conflict' ? 409 : 400, err.kind, err.message);
      throw err;
    }
  });
  return r;
}
