// Scaffold: replaced by the dashboard implementation (issue 8).
import { Router } from 'express';
import type { Callsim } from '../app.js';

export function dashboardRouter(_sim: Callsim): Router {
  return Router();
}
