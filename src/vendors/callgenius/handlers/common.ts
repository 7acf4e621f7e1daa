import { ok } from '../../../engine/respond.js';
import { getAgent } from '../../../sim/agents.js';
import { invalid, SimError } from '../../../sim/errors.js';
import type { Agent } from '../../../sim/types.js';
import type { World } from '../../../sim/world.js';
import { paginate, type Sliceable } from '../../shared/http.js';

/** Laravel's length-aware page: `{data, meta: {current_page, per_page, total, last_page}}`. */
export function page<T>(q: { page: number; per_page: number }, items: Sliceable<T>, map: (t: T) => unknown) {
  const { items: slice, total, lastPage } = paginate(items, q.page, q.per_page);
  return ok({ data: slice.map(map), meta: { current_page: q.page, per_page: q.per_page, total, last_page: lastPage } });
}

/**
 * An agent named in a request body: one the active business does not have is a validation error
 * on that field (Laravel's `exists` rule), not a 404 of the resource being acted on.
 */
export function agentInBody(world: World, accountId: string, id: number, field = 'agent_id'): Agent {
  try {
    return getAgent(world, accountId, String(id));
  } catch (e) {
    if (e instanceof SimError && e.kind === 'not_found') throw invalid(field, 'exists', `The selected ${field.replace(/_/g, ' ')} is invalid.`);
    throw e;
  }
}
