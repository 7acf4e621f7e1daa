import type { components, defaults, endpoints } from '../../generated/callingbox.js';
import type { VendorHandlers } from '../types.js';

/** CallingBox's handler table, typed by specs/callingbox.yaml. */
export type H = VendorHandlers<endpoints, defaults>;
export type Schemas = components['schemas'];
