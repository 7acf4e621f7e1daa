import { specPath } from '../../fixtures/index.js';
import { standardFixtures } from '../shared/seed.js';
import type { VendorAdapter } from '../types.js';
import { jagcallError } from './errors.js';
import { JAGCALL_EVENTS, jagcallWebhooks } from './events.js';
import { handlers } from './handlers.js';

export const jagcall: VendorAdapter = {
  name: 'jagcall',
  title: 'JagCall',
  prefix: '/jagcall',
  basePath: '/v1/',
  specFile: specPath('jagcall'),
  docsBase: 'https://jagcall.com/v1/',
  demoKey: 'jc_test_demo',
  otherKey: 'jc_test_other',
  handlers,
  error: jagcallError,
  fixtures: standardFixtures('jagcall', 'jc_test_'),
  webhooks: jagcallWebhooks,
  webhookEvents: JAGCALL_EVENTS,
};
