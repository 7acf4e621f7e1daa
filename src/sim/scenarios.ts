import type { Outcome } from './types.js';
import type { World } from './world.js';

/**
 * What happens to a dialled call. Like a payment sandbox's test cards, the destination number
 * picks the outcome; rules from the config file or admin API override it.
 */
export interface ScenarioRule {
  /** Destination number prefix (`+1500555`), exact agent id, or account id; all given must match. */
  toPrefix?: string;
  agentId?: string;
  accountId?: string;
  /** `provider-error`: the carrier refuses the dial, so the call is never created (the vendor's 502). */
  outcome: Outcome | 'provider-error';
  /** Answered talk time; a conversation shorter than this is followed by silence. */
  durationSec?: number;
  ringSec?: number;
  conversationId?: string;
  /** A simulated caller (by name) that talks in the callee's place when a live agent speaks. */
  caller?: string;
}

export interface Scenario {
  outcome: Outcome | 'provider-error';
  durationMs?: number;
  ringMs?: number;
  conversationId?: string;
  caller?: string;
}

const MAGIC_NUMBERS: Record<string, Scenario['outcome']> = {
  '+15005550001': 'no-answer',
  '+15005550002': 'busy',
  '+15005550003': 'failed',
  '+15005550004': 'voicemail',
  '+15005550005': 'provider-error',
};

export function resolveScenario(world: World, call: { to: string; agentId: string; accountId: string; direction: string }): Scenario {
  const target = call.direction === 'inbound' ? undefined : call.to;
  for (const rule of world.rules) {
    if (rule.toPrefix !== undefined && !(target ?? '').startsWith(rule.toPrefix)) continue;
    if (rule.agentId !== undefined && rule.agentId !== call.agentId) continue;
    if (rule.accountId !== undefined && rule.accountId !== call.accountId) continue;
    return {
      outcome: rule.outcome,
      durationMs: rule.durationSec !== undefined ? rule.durationSec * 1000 : undefined,
      ringMs: rule.ringSec !== undefined ? rule.ringSec * 1000 : undefined,
      conversationId: rule.conversationId,
      caller: rule.caller,
    };
  }
  return { outcome: (target && MAGIC_NUMBERS[target]) || 'answered' };
}
