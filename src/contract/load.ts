import { basename, join } from 'node:path';
import type { Contract } from '../engine/surface.js';
import { PACKAGE_ROOT, specPath } from '../fixtures/index.js';
import { readSpec } from './precompile.js';
import { Router } from './router.js';
import { ResponseSerializers } from './serializers.js';
import { loadSpecDoc } from './spec.js';
import { ContractValidator } from './validator.js';

/** Where the build step (build-validators.ts) leaves each spec as JSON plus its compiled validators. */
export const VALIDATORS_DIR = join(PACKAGE_ROOT, 'dist', 'validators');

/** A spec file as a contract: operations, router, validators (precompiled when the build made them). */
export function loadContract(specFile: string, id = basename(specFile).replace(/\.ya?ml$/, '')): Contract {
  const cached = readSpec(specFile, VALIDATORS_DIR, id);
  const spec = loadSpecDoc(cached.doc, id);
  return {
    spec,
    validator: new ContractValidator(spec, cached.precompiled),
    router: new Router(spec.operations),
    serializers: new ResponseSerializers(cached.serializers),
  };
}

let admin: Contract | undefined;
/** The admin API's spec: its routes, and the schemas of options and snapshots. */
export const adminContract = (): Contract => (admin ??= loadContract(specPath('admin')));
