// Scaffold while the callingbox adapter is being written; replaced by the real adapter.
import { jagcall } from '../jagcall/index.js';
import type { VendorAdapter } from '../types.js';

export const callingbox: VendorAdapter = { ...jagcall, name: 'callingbox', prefix: '/callingbox', specFile: 'callingbox.yaml', handlers: {} };
