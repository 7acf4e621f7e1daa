import type { VendorAdapter } from '../types.js';
import { loadVendorFixtures, mintAccount, standardSeeder, type VendorFixtures } from '../shared/seed.js';
import { FIXTURES_DIR } from '../../fixtures/index.js';
import { callingboxError } from './errors.js';
import { handlers } from './handlers/index.js';
import { CALLINGBOX_EVENTS, callingboxWebhooks } from './events.js';

let fixtures: VendorFixtures | undefined;
const load = (dir: string) => (fixtures ??= loadVendorFixtures(dir, 'callingbox'));

export const callingbox: VendorAdapter = {
  name: 'callingbox',
  title: 'CallingBox',
  prefix: '/callingbox',
  specFile: 'callingbox.yaml',
  docsBase: 'https://api.callingbox.io',
  demoKey: 'sk_test_demo',
  otherKey: 'sk_test_other',
  handlers,
  error: callingboxError,
  makeSeeder: (dir) => standardSeeder('callingbox', load(dir)),
  mintAccount: (world, kind) => mintAccount(world, 'callingbox', load(FIXTURES_DIR), kind, 'sk_test_'),
  webhooks: callingboxWebhooks,
  webhookEvents: CALLINGBOX_EVENTS,
};
