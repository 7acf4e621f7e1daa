import { exactly } from '../../../engine/surface.js';
import type { H } from '../types.js';
import { agentHandlers } from './agents.js';
import { callHandlers } from './calls.js';
import { numberHandlers } from './numbers.js';

/** operationId → handler, one file per resource. */
export const handlers = exactly<H>()({ ...numberHandlers, ...agentHandlers, ...callHandlers });
