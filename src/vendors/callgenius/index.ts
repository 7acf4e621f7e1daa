// Scaffold while the callgenius adapter is being written; replaced by the real adapter.
import { jagcall } from '../jagcall/index.js';
import type { VendorAdapter } from '../types.js';

export const callgenius: VendorAdapter = { ...jagcall, name: 'callgenius', prefix: '/callgenius', specFile: 'callgenius.yaml', handlers: {} };
