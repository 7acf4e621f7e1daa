import { header, type SimRequest } from '../contract/types.js';
import type { ApiError } from '../engine/errors.js';
import { type Contract, type Guard, handlerDispatch, missingHandlers, type Surface } from '../engine/surface.js';
import { authenticate } from '../sim/accounts.js';
import { SimError } from '../sim/errors.js';
import type { World } from '../sim/world.js';
import type { VendorAdapter, VendorContext, VendorPrincipal, VendorServices } from './types.js';

/** Vendor request bodies: 1 MB, documented in each spec. */
const VENDOR_BODY_LIMIT = 1024 * 1024;

/** A vendor's API as an engine surface; the adapter stays reachable for its name, keys and events. */
export interface VendorSurface extends Surface<VendorPrincipal> {
  adapter: VendorAdapter;
  services: VendorServices;
}

function bearer(req: SimRequest): string | undefined {
  const auth = header(req.headers, 'authorization');
  const m = auth && /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return m ? m[1] : undefined;
}

export function vendorSurface(
  adapter: VendorAdapter,
  contract: Contract,
  deps: { world: () => World; services: VendorServices; guards: Array<Guard<VendorPrincipal>> },
): VendorSurface {
  const missing = missingHandlers(contract.spec, adapter.handlers);
  if (missing.length) throw new Error(`${adapter.name}: no handler for operation(s) ${missing.join(', ')}`);
  const { world, services } = deps;
  return {
    ...contract,
    adapter,
    services,
    name: adapter.name,
    prefix: adapter.prefix,
    routeBelowPrefix: true,
    bodyLimit: VENDOR_BODY_LIMIT,
    guards: deps.guards,
    authenticate(req) {
      const token = bearer(req);
      const auth = authenticate(world(), adapter.name, token);
      if (auth) return { principal: auth };
      return { refusal: { kind: 'unauthorized', message: token ? 'Invalid or revoked API key' : 'Missing API key: send Authorization: Bearer <key>' } };
    },
    // An unsecured operation called anonymously (a login) has no account or session keys at all.
    dispatch: handlerDispatch<VendorPrincipal, VendorContext>(adapter.handlers, (p) =>
      p ? { world: world(), services, account: p.account, session: p.session } : ({ world: world(), services } as VendorContext),
    ),
    error: adapter.error,
    accountOf: (p) => p.account.id,
    aliasesOf: (p) => p.session.aliases,
  };
}

/** The sim's neutral failures, in the engine's terms; each vendor then writes its own envelope. */
export function mapSimError(err: unknown): ApiError | undefined {
  if (!(err instanceof SimError)) return undefined;
  return {
    kind: err.kind === 'invalid' ? 'validation' : err.kind,
    message: err.message,
    violations: err.problems.map((p) => ({ location: 'body', field: p.field, rule: p.rule, message: p.message })),
  };
}
