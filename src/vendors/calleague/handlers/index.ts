import { exactly } from '../../../engine/surface.js';
import type { H } from '../types.js';
import { agentHandlers } from './agents.js';
import { callHandlers } from './calls.js';
import { webhookHandlers } from './webhooks.js';

/** operationId → handler, for every operation of specs/calleague.yaml. */
export const handlers = exactly<H>()({ ...callHandlers, ...agentHandlers, ...webhookHandlers });
