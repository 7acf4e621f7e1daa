import type { VendorAdapter } from '../types.js';
import { loadVendorFixtures, mintAccount, standardSeeder, type VendorFixtures } from '../shared/seed.js';
import { FIXTURES_DIR } from '../../fixtures/index.js';
import { jagcallError } from './errors.js';
import { handlers } from './handlers.js';
import { JAGCALL_EVENTS, jagcallWebhooks } from './events.js';

let fixtures: VendorFixtures | undefined;
const load = (dir: string) => (fixtures ??= loadVendorFixtures(dir, 'jagcall'));

export const jagcall: VendorAdapter = {
  name: 'jagcall',
  title: 'JagCall',
  prefix: '/jagcall',
  specFile: 'jagcall.yaml',
  docsBase: 'https://jagcall.com/v1/',
  demoKey: 'jc_test_demo',
  otherKey: 'jc_test_other',
  handlers,
  error: jagcallError,
  makeSeeder: (dir) => standardSeeder('jagcall', load(dir)),
  mintAccount: (world, kind) => mintAccount(world, 'jagcall', load(FIXTURES_DIR), kind, 'jc_test_'),
  webhooks: jagcallWebhooks,
  webhookEvents: JAGCALL_EVENTS,
};
