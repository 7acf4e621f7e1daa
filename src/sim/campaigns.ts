import { createCall, getAgentOrThrow } from './calls.js';
import { invalid, notFound, SimError } from './errors.js';
import { isE164 } from './phone.js';
import type { Call, Campaign } from './types.js';
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

/** Fills free dialling slots with pending targets, in order. */
function dialMore(world: World, campaign: Campaign): void {
  if (campaign.status !== 'running') return;
  let active = campaign.targets.filter((t) => t.state === 'dialling').length;
  for (const target of campaign.targets) {
    if (active >= campaign.concurrency) break;
    if (target.state !== 'pending') continue;
    target.state = 'dialling';
    active++;
    try {
      const call = createCall(world, { accountId: campaign.accountId, agentId: campaign.agentId, to: target.phone, campaignId: campaign.id });
      target.callId = call.id;
    } catch {
      target.state = 'failed';
      active--;
    }
  }
  maybeComplete(world, campaign);
}

function maybeComplete(world: World, campaign: Campaign): void {
  if (campaign.status === 'completed') return;
  if (campaign.targets.every((t) => t.state === 'completed' || t.state === 'failed')) {
    campaign.status = 'completed';
    campaign.completedAt = world.now();
    world.bus.emit({ type: 'campaign.completed', at: world.now(), accountId: campaign.accountId, campaign });
  }
}

export function onCampaignCallEnded(world: World, call: Call): void {
  if (!call.campaignId) return;
  const campaign = world.store(call.accountId).campaigns.get(call.campaignId);
  const target = campaign?.targets.find((t) => t.callId === call.id);
  if (!campaign || !target) return;
  target.state = call.status === 'completed' ? 'completed' : 'failed';
  if (campaign.status === 'running') dialMore(world, campaign);
  else maybeComplete(world, campaign);
}
