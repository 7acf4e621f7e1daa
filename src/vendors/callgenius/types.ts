import type { components, defaults, endpoints } from '../../generated/callgenius.js';
import type { VendorHandlers } from '../types.js';

/** CallGeni.us's handler table, typed by specs/callgenius.yaml. */
export type H = VendorHandlers<endpoints, defaults>;
export type Schemas = components['schemas'];
