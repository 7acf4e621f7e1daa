import type { defaults, endpoints } from '../../generated/calleague.js';
import type { VendorHandlers } from '../types.js';

/** Calleague's handler table, typed by specs/calleague.yaml. */
export type H = VendorHandlers<endpoints, defaults>;
