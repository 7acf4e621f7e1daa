// Scaffold while the calleague adapter is being written; replaced by the real adapter.
import { jagcall } from '../jagcall/index.js';
import type { VendorAdapter } from '../types.js';

export const calleague: VendorAdapter = { ...jagcall, name: 'calleague', prefix: '/calleague', specFile: 'calleague.yaml', handlers: {} };
