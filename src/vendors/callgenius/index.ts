import { createHmac } from 'node:crypto';
import { specPath } from '../../fixtures/index.js';
import type { VendorAdapter } from '../types.js';
import { callgeniusError } from './errors.js';
import { CALLGENIUS_EVENTS, callgeniusWebhooks } from './events.js';
import { handlers } from './handlers/index.js';
import { callgeniusFixtures } from './seed.js';

export const callgenius: VendorAdapter = {
  name: 'callgenius',
  title: 'CallGeni.us',
  prefix: '/callgenius',
  basePath: '/api',
  specFile: specPath('callgenius'),
  docsBase: 'https://callgeni.us/api',
  demoKey: 'cg_test_demo',
  otherKey: 'cg_test_other',
  handlers,
  error: callgeniusError,
  fixtures: callgeniusFixtures,
  webhooks: callgeniusWebhooks,
  webhookEvents: CALLGENIUS_EVENTS,
  // The docs: "a time-limited signed URL to stream or download the call recording MP3".
  recordingFormat: 'mp3',
  // 403: "Token valid but not allowed to access this resource".
  keyRoles: true,
  // The docs: "signed with an X-CallGenius-Signature HMAC-SHA256 header" — hex of the raw body, no timestamp.
  signatureHeaders: (rawBody, secret) => ({ 'X-CallGenius-Signature': createHmac('sha256', secret).update(rawBody).digest('hex') }),
  // The docs: 120 requests/minute per token.
  rateLimit: { requests: 120, perMs: 60_000, scope: 'token' },
};
