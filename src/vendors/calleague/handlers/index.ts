import type { Handler } from '../../types.js';
import { agentHandlers } from './agents.js';
import { callHandlers } from './calls.js';
import { webhookHandlers } from './webhooks.js';

/** operationId → handler, for every operation of specs/calleague.yaml. */
export const handlers: Record<string, Handler> = { ...callHandlers, ...agentHandlers, ...webhookHandlers };
