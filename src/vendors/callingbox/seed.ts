import type { World } from '../../sim/world.js';
import { standardFixtures } from '../shared/seed.js';
import type { VendorFixturesApi } from '../types.js';

const standard = standardFixtures('callingbox', 'sk_test_');

/**
 * "Inbound calls are answered automatically by the inbound agent attached to the number": the
 * shared fixture format routes a number to the agent it names, so a number of an outbound agent
 * keeps the attachment (its caller ID) but answers nothing.
 */
function inboundAgentsAnswer(world: World, accountId: string): void {
  const store = world.store(accountId);
  for (const n of store.numbers.values()) if (n.agentId && store.agents.get(n.agentId)?.direction !== 'inbound') n.agentId = null;
}

let api: VendorFixturesApi | undefined;

/** The standard fixtures, with CallingBox's rule of who answers a number applied to each account. */
export function callingboxFixtures(): VendorFixturesApi {
  if (api) return api;
  const base = standard();
  api = {
    ...base,
    seed(world) {
      base.seed(world);
      for (const a of world.accounts.values()) if (a.namespace === 'callingbox') inboundAgentsAnswer(world, a.id);
    },
    mint(world, kind) {
      const minted = base.mint(world, kind);
      inboundAgentsAnswer(world, minted.accountId);
      return minted;
    },
  };
  return api;
}
