import { dashboardHandlers } from '../../dashboard/index.js';
import { exactly } from '../../engine/surface.js';
import { loadHandlers } from '../../load/admin.js';
import { mediaHandlers } from '../../media/admin.js';
import { accountHandlers } from './accounts.js';
import { basicHandlers } from './basics.js';
import { callerHandlers } from './callers.js';
import { callHandlers } from './calls.js';
import { configHandlers } from './config.js';
import { coverageHandlers } from './coverage.js';
import { inboundHandlers } from './inbound.js';
import type { AdminHandlers } from './types.js';
import { webhookHandlers } from './webhooks.js';

/** operationId → handler for every operation of specs/admin.yaml, one file per group. */
export const adminHandlers: AdminHandlers = exactly<AdminHandlers>()({
  ...basicHandlers,
  ...configHandlers,
  ...webhookHandlers,
  ...inboundHandlers,
  ...accountHandlers,
  ...callHandlers,
  ...mediaHandlers,
  ...callerHandlers,
  ...loadHandlers,
  ...dashboardHandlers,
  ...coverageHandlers,
});
