import { servedVendor } from '../admin/handlers/common.js';
import type { AdminHandlers } from '../admin/handlers/types.js';
import { fail } from '../engine/errors.js';
import { ok } from '../engine/respond.js';
import { mediaRefusal } from '../media/upgrade.js';
import { listAgents } from '../sim/agents.js';
import { loadHubFor } from './hub.js';

const DEFAULT_TO = '+15555550100';
const DEFAULT_MAX_CALL_SEC = 300;

/** Calls of all running load runs together (placed and still to place), the most one run may have. */
const MAX_OUTSTANDING = 10_000;

const noRun = (id: string) => fail('not_found', `No load run ${id}`);

/** `LoadRequest` as checked by the spec (the generated type cannot express its anyOf: a media URL, or vendor and agent). */
interface LoadBody {
  count: number;
  ratePerSec: number;
  mediaUrl?: string;
  vendor?: string;
  agent?: string;
  account?: string;
  caller?: string;
  to?: string;
  conditions?: Record<string, number>;
  maxCallSec?: number;
  record?: boolean;
}

/** Load runs (specs/admin.yaml, tag Load): the body's shape is the spec's; what it names is checked here. */
export const loadHandlers = {
  startLoad: ({ sim, body: raw }) => {
    const body = raw as LoadBody;
    const refused = mediaRefusal(sim);
    if (refused) throw fail('conflict', refused, { code: 'media_unavailable' });
    let outstanding = 0;
    for (const run of loadHubFor(sim).runs.values()) if (run.status === 'running') outstanding += run.outstanding;
    if (outstanding + body.count > MAX_OUTSTANDING)
      throw fail(
        'conflict',
        `Running load runs still have ${outstanding} calls to place or finish; all runs together may have ${MAX_OUTSTANDING}: wait, or stop one with DELETE /__sim/load/{id}`,
        {
          code: 'load_busy',
        },
      );
    const vendor = body.vendor !== undefined ? servedVendor(sim, body.vendor) : sim.vendors[0];
    const accountId = sim.resolveAccount(vendor.name, body.account ?? vendor.adapter.demoKey);
    if (!accountId) throw fail('validation', `No ${vendor.name} account ${body.account ?? '(demo)'}`, { status: 400, code: 'unknown_account' });
    const agents = listAgents(sim.world, accountId);
    const agent = body.agent !== undefined ? agents.find((a) => a.id === body.agent) : agents[0];
    if (!agent) {
      throw fail('validation', body.agent !== undefined ? `No ${vendor.name} agent ${body.agent}` : `The ${vendor.name} account has no agent`, {
        status: 400,
        code: 'unknown_agent',
      });
    }
    if (body.mediaUrl === undefined && !agent.mediaUrl) {
      throw fail('validation', `Agent ${agent.id} has no media URL to dial; give mediaUrl, or an agent with a media_url`, {
        status: 400,
        code: 'no_media_url',
      });
    }
    let caller = null;
    if (body.caller !== undefined) {
      const script = sim.callers.script(body.caller);
      if (!script)
        throw fail('validation', `No caller named ${body.caller}; known callers are listed at GET /__sim/callers`, { status: 400, code: 'unknown_caller' });
      caller = { name: body.caller, script };
    }
    const run = loadHubFor(sim).start({
      count: body.count,
      ratePerSec: body.ratePerSec,
      vendor: vendor.name,
      accountId,
      agentId: agent.id,
      to: body.to ?? DEFAULT_TO,
      mediaUrl: body.mediaUrl ?? null,
      target: body.mediaUrl ?? `${vendor.name}/${agent.id}`,
      caller,
      conditions: { ...body.conditions },
      maxCallMs: (body.maxCallSec ?? DEFAULT_MAX_CALL_SEC) * 1000,
      record: body.record ?? false,
    });
    return ok(run.json(), 202);
  },

  getLoad: ({ sim, params }) => {
    const run = loadHubFor(sim).runs.get(params.id);
    if (!run) throw noRun(params.id);
    return ok(run.json());
  },

  stopLoad: ({ sim, params }) => {
    const run = loadHubFor(sim).runs.get(params.id);
    if (!run) throw noRun(params.id);
    run.stop('the load run was stopped');
    return ok(run.json());
  },
} satisfies Partial<AdminHandlers>;
