import type { Call } from './types.js';
import type { World } from './world.js';

/** Whole minutes billed for a call: answered talk time rounded up. */
const billedMinutes = (call: Call): number => (call.answeredAt === null ? 0 : Math.ceil(call.talkMs / 60_000));

/** Trial minutes go first, then included minutes, then the wallet pays per minute. */
export function chargeCall(world: World, call: Call): void {
  const account = world.accounts.get(call.accountId);
  if (!account) return;
  const b = account.billing;
  const minutes = billedMinutes(call);
  b.calls += 1;
  if (!minutes) return;
  let left = minutes;
  const trial = Math.min(b.trialMinutesRemaining, left);
  b.trialMinutesRemaining -= trial;
  left -= trial;
  const includedLeft = Math.max(0, b.includedMinutes - b.minutesUsed);
  const included = Math.min(includedLeft, left);
  left -= included;
  b.minutesUsed += minutes;
  call.costCents = left * world.prices(account.namespace).perMinuteCents;
  b.balanceCents -= call.costCents;
}

export function chargeSms(world: World, accountId: string, direction: 'inbound' | 'outbound'): void {
  const account = world.account(accountId);
  if (direction === 'inbound') {
    account.billing.smsReceived += 1;
    return;
  }
  account.billing.smsSent += 1;
  account.billing.balanceCents -= world.prices(account.namespace).smsCents;
}

export const PLANS: Record<string, { includedMinutes: number }> = {
  starter: { includedMinutes: 100 },
  pro: { includedMinutes: 350 },
  enterprise: { includedMinutes: 2000 },
};

export function changePlan(world: World, accountId: string, plan: string): void {
  const b = world.account(accountId).billing;
  b.plan = plan;
  b.includedMinutes = PLANS[plan]?.includedMinutes ?? b.includedMinutes;
}
