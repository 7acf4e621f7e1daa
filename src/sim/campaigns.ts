import { createCall, getAgentOrThrow } from './calls.js';
import { invalid, notFound, SimError } from './errors.js';
import { isE164 } from './phone.js';
import type { Call, Campaign, CampaignTarget } from './types.js';
import type { World } from './world.js';

export interface CampaignInit {
  name: string;
  agentId: string;
  targets: Array<{ phone: string; name?: string | null }>;
  concurrency?: number;
}

export function createCampaign(world: World, accountId: string, init: CampaignInit): Campaign {
  getAgentOrThrow(world, accountId, init.agentId);
  if (!init.targets.length) throw invalid('targets', 'minItems', 'The targets field must have at least 1 items.');
  init.targets.forEach((t, i) => {
    if (!isE164(t.phone)) throw invalid(`targets.${i}.phone_number`, 'format', `The targets.${i}.phone_number must be a valid E.164 phone number.`);
  });
  const campaign: Campaign = {
    id: world.nextId(accountId, 'campaign'),
    accountId,
    name: init.name,
    agentId: init.agentId,
    status: 'draft',
    concurrency: init.concurrency ?? world.options.campaignConcurrency ?? 5,
    targets: init.targets.map((t) => ({ phone: t.phone, name: t.name ?? null, state: 'pending', callId: null })),
    createdAt: world.now(),
    startedAt: null,
    completedAt: null,
  };
  world.store(accountId).campaigns.set(campaign.id, campaign);
  return campaign;
}

export function getCampaignOrThrow(world: World, accountId: string, id: string): Campaign {
  const c = world.store(accountId).campaigns.get(id);
  if (!c) throw notFound('campaign', id);
  return c;
}

export function startCampaign(world: World, campaign: Campaign): Campaign {
  if (campaign.status === 'completed') throw new SimError('conflict', 'The campaign has already completed.');
  if (campaign.status === 'running') return campaign;
  campaign.status = 'running';
  campaign.startedAt ??= world.now();
  dialMore(world, campaign);
  return campaign;
}

export function pauseCampaign(_world: World, campaign: Campaign): Campaign {
  if (campaign.status === 'completed') throw new SimError('conflict', 'The campaign has already completed.');
  if (campaign.status === 'draft') throw new SimError('conflict', 'The campaign has not been started.');
  campaign.status = 'paused';
  return campaign;
}

export function campaignStats(c: Campaign) {
  const stats = { pending: 0, dialling: 0, completed: 0, failed: 0 };
  for (const t of c.targets) stats[t.state] += 1;
  return stats;
}

/**
 * Where dialling stands, kept beside the campaign (never in a snapshot: it is rebuilt from the
 * targets on first use): a campaign of 100,000 targets costs O(1) per ended call, not a scan.
 */
interface Progress {
  /** Every target before this index has been dialled. */
  cursor: number;
  dialling: number;
  /** Targets not yet completed or failed. */
  open: number;
  byCall: Map<string, CampaignTarget>;
}
const progress = new WeakMap<Campaign, Progress>();

function progressOf(campaign: Campaign): Progress {
  let p = progress.get(campaign);
  if (!p) {
    p = { cursor: 0, dialling: 0, open: 0, byCall: new Map() };
    for (const t of campaign.targets) {
      if (t.state === 'dialling') {
        p.dialling++;
        if (t.callId) p.byCall.set(t.callId, t);
      }
      if (t.state === 'pending' || t.state === 'dialling') p.open++;
    }
    progress.set(campaign, p);
  }
  return p;
}

/** Fills free dialling slots with pending targets, in order. */
function dialMore(world: World, campaign: Campaign): void {
  if (campaign.status !== 'running') return;
  const p = progressOf(campaign);
  const targets = campaign.targets;
  for (; p.cursor < targets.length && p.dialling < campaign.concurrency; p.cursor++) {
    const target = targets[p.cursor];
    if (target.state !== 'pending') continue;
    target.state = 'dialling';
    p.dialling++;
    try {
      const call = createCall(world, { accountId: campaign.accountId, agentId: campaign.agentId, to: target.phone, campaignId: campaign.id });
      target.callId = call.id;
      // A call that ended while being created (none today) has already been counted.
      if (target.state === 'dialling') p.byCall.set(call.id, target);
    } catch {
      target.state = 'failed';
      p.dialling--;
      p.open--;
    }
  }
  maybeComplete(world, campaign);
}

function maybeComplete(world: World, campaign: Campaign): void {
  if (campaign.status === 'completed') return;
  if (progressOf(campaign).open === 0) {
    campaign.status = 'completed';
    campaign.completedAt = world.now();
    world.bus.emit({ type: 'campaign.completed', at: world.now(), accountId: campaign.accountId, campaign });
  }
}

export function onCampaignCallEnded(world: World, call: Call): void {
  if (!call.campaignId) return;
  const campaign = world.store(call.accountId).campaigns.get(call.campaignId);
  if (!campaign) return;
  const p = progressOf(campaign);
  const target = p.byCall.get(call.id);
  if (!target) return;
  p.byCall.delete(call.id);
  target.state = call.status === 'completed' ? 'completed' : 'failed';
  p.dialling--;
  p.open--;
  if (campaign.status === 'running') dialMore(world, campaign);
  else maybeComplete(world, campaign);
}
