import { exactly } from '../../../engine/surface.js';
import type { H } from '../types.js';
import { agentHandlers } from './agents.js';
import { authHandlers } from './auth.js';
import { billingHandlers } from './billing.js';
import { callHandlers } from './calls.js';
import { campaignHandlers } from './campaigns.js';
import { checkoutHandlers } from './checkout.js';
import { numberHandlers } from './numbers.js';

/** operationId → handler, one file per resource. */
export const handlers = exactly<H>()({
  ...authHandlers,
  ...agentHandlers,
  ...callHandlers,
  ...numberHandlers,
  ...campaignHandlers,
  ...billingHandlers,
  ...checkoutHandlers,
});
