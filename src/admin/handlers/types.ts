import type { Callsim } from '../../app.js';
import type { Handlers } from '../../engine/surface.js';
import type { components, defaults, endpoints } from '../../generated/admin.js';

export interface AdminContext {
  sim: Callsim;
}

/** The admin API's handler table, typed by specs/admin.yaml. */
export type AdminHandlers = Handlers<endpoints, AdminContext, defaults>;
export type AdminSchemas = components['schemas'];
