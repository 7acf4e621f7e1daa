import type { Callsim } from '../../app.js';
import { fail } from '../../engine/errors.js';
import type { VendorSurface } from '../../vendors/surface.js';

/** A vendor this server runs; another name is a 400 (the spec admits any well-formed name). */
export function servedVendor(sim: Callsim, name: string, field = 'vendor'): VendorSurface {
  const vendor = sim.vendor(name);
  if (!vendor) throw fail('validation', `${field} must be one of: ${sim.vendors.map((v) => v.name).join(', ')}`, { code: 'unknown_vendor' });
  return vendor;
}

export const notFound = (message: string) => fail('not_found', message);

export const iso = (ms: number) => new Date(ms).toISOString();
