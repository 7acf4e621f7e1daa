// Scaffold: replaced by the media-stream implementation (issue 5).
import type http from 'node:http';
import { Router } from 'express';
import type { Callsim } from '../app.js';

export interface MediaHandle {
  /** Closes every media socket with `stop` and 1001 (graceful shutdown). */
  close(): Promise<void>;
}

export function attachMedia(_server: http.Server, _sim: Callsim): MediaHandle {
  return { close: async () => {} };
}

export function mediaAdminRouter(_sim: Callsim): Router {
  return Router();
}
