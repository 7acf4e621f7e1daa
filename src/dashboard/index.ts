// Scaffold: replaced by the dashboard implementation (issue 8).
import { Router } from 'express';
import type { Callsim } from '../app.js';

/** The page and its assets, at `/`. */
export function dashboardRouter(_sim: Callsim): Router {
  return Router();
}

/** The live event stream the page listens to, mounted under `/__sim`. */
export function eventsRouter(_sim: Callsim): Router {
  return Router();
}
