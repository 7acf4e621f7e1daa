import { calleague } from './calleague/index.js';
import { callgenius } from './callgenius/index.js';
import { callingbox } from './callingbox/index.js';
import { jagcall } from './jagcall/index.js';
import type { VendorAdapter } from './types.js';

/** Adding a vendor: one spec, one folder, one line here. */
export const VENDORS: VendorAdapter[] = [calleague, callgenius, callingbox, jagcall];

export const vendorByName = (name: string): VendorAdapter | undefined => VENDORS.find((v) => v.name === name);
