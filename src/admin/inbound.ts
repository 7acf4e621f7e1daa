import { Router } from 'express';
import type { Callsim } from '../app.js';
import { createCall } from '../sim/calls.js';
import { SimError } from '../sim/errors.js';
import { ownerOf } from '../sim/numbers.js';
import { isE164 } from '../sim/phone.js';
import { receiveSms } from '../sim/sms.js';
import { adminError } from './basics.js';

/** Simulated inbound traffic: a caller dials one of an account's numbers, or texts it. */
export function inboundRouter(sim: Callsim): Router {
  const r = Router();
  const check = (b: any, extra: string[] = []) => {
    if (!b || typeof b !== 'object') return 'Send a JSON object';
    if (!sim.runtime(b.vendor)) return `vendor must be one of: ${sim.runtimes.map((x) => x.adapter.name).join(', ')}`;
    for (const f of ['to', 'from']) if (typeof b[f] !== 'string' || !isE164(b[f])) return `${f} must be an E.164 phone number`;
    for (const f of extra) if (typeof b[f] !== 'string' || !b[f] || b[f].length > 1600) return `${f} must be a non-empty string (at most 1600 characters)`;
    return undefined;
  };
  r.post('/inbound-call', (req, res) => {
    const problem = check(req.body);
    if (problem) return adminError(res, 400, 'invalid_body', problem);
    const { vendor, to, from } = req.body;
    const number = ownerOf(sim.world, vendor, to);
    if (!number) return adminError(res, 404, 'unknown_number', `No ${vendor} account owns ${to}`);
    if (!number.agentId) {
      // A carrier rejects a call to a number nobody answers: it never reaches the vendor's call log.
      return res.status(201).json({ vendor, account: number.accountId, call: null, status: 'failed', reason: `no agent is attached to ${to}` });
    }
    let call: ReturnType<typeof createCall>;
    try {
      call = createCall(sim.world, { accountId: number.accountId, agentId: number.agentId, to, from, direction: 'inbound' });
    } catch (err) {
      if (err instanceof SimError) return res.status(201).json({ vendor, account: number.accountId, call: null, status: 'failed', reason: err.message });
      throw err;
    }
    res.status(201).json({
      vendor,
      account: number.accountId,
      call: { id: call.id, status: call.status, agent_id: call.agentId, direction: call.direction },
      status: call.status,
    });
  });
  r.post('/inbound-sms', (req, res) => {
    const problem = check(req.body, ['body']);
    if (problem) return adminError(res, 400, 'invalid_body', problem);
    const { vendor, to, from, body } = req.body;
    const number = ownerOf(sim.world, vendor, to);
    if (!number) return adminError(res, 404, 'unknown_number', `No ${vendor} account owns ${to}`);
    const msg = receiveSms(sim.world, number.accountId, { to, from, body });
    res
      .status(201)
      .json({ vendor, account: number.accountId, message: { id: msg.id, conversation_id: msg.conversationId, direction: msg.direction, body: msg.body } });
  });
  return r;
}
