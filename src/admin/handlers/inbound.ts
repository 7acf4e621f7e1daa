import { fail } from '../../engine/errors.js';
import { ok } from '../../engine/respond.js';
import { createCall } from '../../sim/calls.js';
import { SimError } from '../../sim/errors.js';
import { agentsOfNumber, ownerOf } from '../../sim/numbers.js';
import { receiveSms } from '../../sim/sms.js';
import { servedVendor } from './common.js';
import type { AdminHandlers } from './types.js';

/** Simulated inbound traffic: a caller dials one of an account's numbers, or texts it. */
export const inboundHandlers = {
  simulateInboundCall: ({ sim, body }) => {
    const { vendor, to, from } = body;
    servedVendor(sim, vendor);
    const number = ownerOf(sim.world, vendor, to);
    if (!number) throw fail('not_found', `No ${vendor} account owns ${to}`, { code: 'unknown_number' });
    const failed = (reason: string) => ok({ vendor, account: number.accountId, call: null, status: 'failed', reason }, 201);
    // Attached to agents, none of which answers it (CallingBox: only outbound agents): the call
    // reaches the account and rings out unanswered, the reason on the call.
    const attached = number.agentId ? undefined : agentsOfNumber(sim.world, number).find((a) => a.status !== 'archived');
    // A carrier rejects a call to a number nobody answers: it never reaches the vendor's call log.
    if (!number.agentId && !attached) return failed(`no agent is attached to ${to}`);
    const note = attached ? `no inbound agent answers ${to}: it is attached only to ${attached.direction} agent ${attached.id}` : undefined;
    try {
      const call = createCall(sim.world, {
        accountId: number.accountId,
        agentId: number.agentId ?? attached!.id,
        to,
        from,
        direction: 'inbound',
        ...(note && { outcome: 'no-answer' as const, note }),
      });
      return ok(
        {
          vendor,
          account: number.accountId,
          call: { id: call.id, status: call.status, agent_id: call.agentId, direction: call.direction },
          status: call.status,
          ...(note && { reason: note }),
        },
        201,
      );
    } catch (err) {
      if (err instanceof SimError) return failed(err.message);
      throw err;
    }
  },

  simulateInboundSms: ({ sim, body }) => {
    const { vendor, to, from } = body;
    servedVendor(sim, vendor);
    const number = ownerOf(sim.world, vendor, to);
    if (!number) throw fail('not_found', `No ${vendor} account owns ${to}`, { code: 'unknown_number' });
    const msg = receiveSms(sim.world, number.accountId, { to, from, body: body.body });
    return ok(
      { vendor, account: number.accountId, message: { id: msg.id, conversation_id: msg.conversationId, direction: msg.direction, body: msg.body } },
      201,
    );
  },
} satisfies Partial<AdminHandlers>;
