import { fail } from '../../engine/errors.js';
import { noContent, ok } from '../../engine/respond.js';
import { CallerError, callerInfoJson } from '../../media/callers.js';
import type { CallerDoc } from '../../media/script-caller.js';
import type { AdminHandlers } from './types.js';

const noCaller = (name: string) => fail('not_found', `No caller named ${name}; GET /__sim/callers lists them`);

/** Simulated callers: the documents users wrote, checked by the `Caller` schema before they get here. */
export const callerHandlers = {
  listCallers: ({ sim }) => {
    const data = sim.callers.list().map(callerInfoJson);
    return ok({ data, total: data.length });
  },

  getCaller: ({ sim, params }) => {
    const entry = sim.callers.get(params.name);
    if (!entry) throw noCaller(params.name);
    return ok(callerInfoJson(entry));
  },

  putCaller: ({ sim, params, body }) => {
    try {
      // The generated type cannot state the schema's anyOf on a line; the validator checked it.
      const { entry, created } = sim.callers.put(params.name, body as CallerDoc);
      return ok(callerInfoJson(entry), created ? 201 : 200);
    } catch (err) {
      if (err instanceof CallerError) throw fail('validation', err.message, { status: 400, code: 'invalid_caller' });
      throw err;
    }
  },

  deleteCaller: ({ sim, params }) => {
    if (!sim.callers.delete(params.name)) throw noCaller(params.name);
    return noContent();
  },
} satisfies Partial<AdminHandlers>;
