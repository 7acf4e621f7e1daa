import { ok } from '../../../engine/respond.js';
import { createCampaign, getCampaignOrThrow, pauseCampaign, startCampaign } from '../../../sim/campaigns.js';
import { SimError } from '../../../sim/errors.js';
import type { VendorContext } from '../../types.js';
import { campaignJson } from '../mappers.js';
import type { H } from '../types.js';
import { agentInBody } from './common.js';

const campaignOf = (ctx: VendorContext & { params: { id: number } }) => getCampaignOrThrow(ctx.world, ctx.account.id, String(ctx.params.id));

export const campaignHandlers = {
  /** "Returns all outbound campaigns…": a bare array like the agents list, newest first like the calls list. */
  listCampaigns: ({ world, account }) => {
    const all = [...world.store(account.id).campaigns.values()].sort((a, b) => b.createdAt - a.createdAt || Number(b.id) - Number(a.id));
    return ok(all.map(campaignJson));
  },

  createCampaign: ({ world, account, body }) => {
    const agent = agentInBody(world, account.id, body.agent_id);
    const campaign = createCampaign(world, account.id, {
      name: body.name,
      agentId: agent.id,
      concurrency: body.concurrency,
      targets: body.targets.map((t: { phone_number: string; name?: string }) => ({ phone: t.phone_number, name: t.name ?? null })),
    });
    return ok(campaignJson(campaign), 201);
  },

  getCampaign: (ctx) => ok(campaignJson(campaignOf(ctx))),

  startCampaign: (ctx) => ok(campaignJson(startCampaign(ctx.world, campaignOf(ctx)))),

  pauseCampaign: (ctx) => ok(campaignJson(pauseCampaign(ctx.world, campaignOf(ctx)))),

  /** Only a paused (or already running) campaign can resume; a draft has to be started first. */
  resumeCampaign: (ctx) => {
    const campaign = campaignOf(ctx);
    if (campaign.status === 'draft') throw new SimError('conflict', 'The campaign has not been started.');
    return ok(campaignJson(startCampaign(ctx.world, campaign)));
  },
} satisfies Partial<H>;
