import type { Callsim } from '../app.js';
import { adminContract } from '../contract/load.js';
import { gateRefusal } from '../engine/gate.js';
import { handlerDispatch, missingHandlers, type Surface } from '../engine/surface.js';
import { adminError } from './errors.js';
import { adminHandlers } from './handlers/index.js';

/** State restores carry whole worlds: 16 MiB, where vendor requests get 1 MB. */
const ADMIN_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * The admin API (`/__sim`) as an engine surface: routed, parsed and validated from specs/admin.yaml
 * by the same engine as the vendors, behind the one access gate, answered through `adminError`.
 */
export function adminSurface(sim: Callsim): Surface<'admin'> {
  const contract = adminContract();
  const missing = missingHandlers(contract.spec, adminHandlers);
  if (missing.length) throw new Error(`admin: no handler for operation(s) ${missing.join(', ')}`);
  return {
    ...contract,
    name: 'admin',
    prefix: '/__sim',
    routeBelowPrefix: false,
    bodyLimit: ADMIN_BODY_LIMIT,
    guards: [],
    authenticate(req) {
      const refusal = gateRefusal(sim.gate, req);
      return refusal ? { refusal } : { principal: 'admin' };
    },
    dispatch: handlerDispatch(adminHandlers, () => ({ sim })),
    error: adminError,
  };
}
