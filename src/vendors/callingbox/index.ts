import { specPath } from '../../fixtures/index.js';
import type { VendorAdapter } from '../types.js';
import { callingboxError } from './errors.js';
import { CALLINGBOX_EVENTS, callingboxWebhooks } from './events.js';
import { handlers } from './handlers/index.js';
import { callingboxFixtures } from './seed.js';

export const callingbox: VendorAdapter = {
  name: 'callingbox',
  title: 'CallingBox',
  prefix: '/callingbox',
  basePath: '',
  specFile: specPath('callingbox'),
  docsBase: 'https://api.callingbox.io',
  demoKey: 'sk_test_demo',
  otherKey: 'sk_test_other',
  handlers,
  error: callingboxError,
  fixtures: callingboxFixtures,
  webhooks: callingboxWebhooks,
  webhookEvents: CALLINGBOX_EVENTS,
};
