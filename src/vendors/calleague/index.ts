import { specPath } from '../../fixtures/index.js';
import { standardFixtures } from '../shared/seed.js';
import type { VendorAdapter } from '../types.js';
import { calleagueError } from './errors.js';
import { CALLEAGUE_EVENTS, calleagueWebhooks } from './events.js';
import { handlers } from './handlers/index.js';

export const calleague: VendorAdapter = {
  name: 'calleague',
  title: 'Calleague',
  prefix: '/calleague',
  basePath: '',
  specFile: specPath('calleague'),
  docsBase: 'https://app.calleague.ai',
  demoKey: 'clg_test_demo',
  otherKey: 'clg_test_other',
  handlers,
  error: calleagueError,
  fixtures: standardFixtures('calleague', 'clg_test_'),
  webhooks: calleagueWebhooks,
  webhookEvents: [...CALLEAGUE_EVENTS],
  // "A key inherits your permissions, so scope it"; 403 "the key's account lacks permission".
  keyRoles: true,
  // The spec's documented fair-use decision: 600 requests a minute per workspace.
  rateLimit: { requests: 600, perMs: 60_000, scope: 'account' },
};
