import { fail } from '../../engine/errors.js';
import { ok } from '../../engine/respond.js';
import { clockJson } from '../../presenters.js';
import { iso } from './common.js';
import type { AdminHandlers } from './types.js';

/** health, reset, clock. */
export const basicHandlers = {
  getHealth: ({ sim }) => ok({ status: 'ok', vendors: sim.vendors.map((v) => v.name), clock: sim.world.clock.mode, seed: sim.seed }),

  resetSim: ({ sim }) => {
    sim.reset();
    return ok({ status: 'reset', now: iso(sim.world.now()) });
  },

  getClock: ({ sim }) => ok(clockJson(sim)),

  advanceClock: async ({ sim, body }) => {
    if (sim.world.clock.mode !== 'virtual') {
      throw fail('conflict', 'The clock is real (--clock real); advancing needs --clock virtual (CALLSIM_CLOCK=virtual)', { code: 'real_clock' });
    }
    const out = await sim.world.scheduler.advance(Math.floor(body.ms));
    return ok({ mode: 'virtual', now: iso(out.now), nowMs: out.now, ran: out.ran, pending: sim.world.scheduler.size(), inFlight: out.inFlight });
  },
} satisfies Partial<AdminHandlers>;
