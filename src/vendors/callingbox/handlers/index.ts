import type { Handler } from '../../types.js';
import { agentHandlers } from './agents.js';
import { callHandlers } from './calls.js';
import { numberHandlers } from './numbers.js';

/** operationId → handler, one file per resource. */
export const handlers: Record<string, Handler> = { ...numberHandlers, ...agentHandlers, ...callHandlers };
