import { header } from '../../../contract/types.js';
import { ok } from '../../../engine/respond.js';
import { invalid } from '../../../sim/errors.js';
import { listDocuments, uploadDocument } from '../../../sim/knowledge.js';
import { knowledgeJson } from '../mappers.js';
import { parseMultipart } from '../multipart.js';
import type { H } from '../types.js';
import { openCheckout } from './checkout.js';

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The period runs a calendar month from its start day, so it ends the day before the same date next month. */
function periodEnd(start: number): number {
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()) - 86_400_000;
}

export const billingHandlers = {
  getBillingUsage: ({ account }) => {
    const b = account.billing;
    return ok({
      plan: b.plan,
      minutes_used: b.minutesUsed,
      included_minutes: b.includedMinutes,
      wallet_balance_cents: b.balanceCents,
      trial_minutes_remaining: b.trialMinutesRemaining,
      calls_count: b.calls,
      sms_sent: b.smsSent,
      period_start: day(b.periodStart),
      period_end: day(periodEnd(b.periodStart)),
    });
  },

  /**
   * A hosted checkout page served by callsim itself (handlers/checkout.ts). The session id is
   * unguessable and single-use; nothing changes until the page is completed.
   */
  subscribe: ({ account, body, services }) => {
    const sessionId = `cs_${services.secretToken(16)}`;
    openCheckout(account, sessionId, body.plan);
    return ok({ url: `${services.baseUrl()}/callgenius/checkout/${sessionId}` });
  },

  listKnowledge: ({ world, account }) => ok(listDocuments(world, account.id).map(knowledgeJson)),

  uploadKnowledge: async ({ world, account, req, body }) => {
    const parts = Buffer.isBuffer(body) ? await parseMultipart(body, header(req.headers, 'content-type')) : undefined;
    if (!parts) return ok({ message: 'The request body is not valid multipart/form-data.' }, 400);
    const file = parts.find((p) => p.name === 'file');
    if (!file) throw invalid('file', 'required', 'The file field is required.');
    if (file.filename === null) throw invalid('file', 'file', 'The file field must be a file.');
    const doc = uploadDocument(world, account.id, { filename: file.filename || 'document', bytes: file.data });
    return ok(knowledgeJson(doc), 201);
  },
} satisfies Partial<H>;
