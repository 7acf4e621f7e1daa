import { noContent, ok } from '../../../engine/respond.js';
import { invalid, SimError } from '../../../sim/errors.js';
import { assignNumber, buyNumber, getNumber, listNumbers, releaseNumber, searchAvailable } from '../../../sim/numbers.js';
import type { PhoneNumber } from '../../../sim/types.js';
import type { World } from '../../../sim/world.js';
import { availableJson, numberJson } from '../mappers.js';
import type { H } from '../types.js';
import { agentInBody, page } from './common.js';

/** The sim refuses a number it cannot sell as a conflict; CallGeni.us reports it on the field (422). */
function provision(world: World, accountId: string, e164: string, country: string): PhoneNumber {
  try {
    return buyNumber(world, accountId, e164, { country });
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    if (e.kind === 'conflict') {
      const taken = e.problems[0]?.rule === 'taken';
      throw invalid('phone_number', taken ? 'unique' : 'available', taken ? 'The phone number has already been taken.' : 'The phone number is not available.');
    }
    if (e.kind === 'invalid' && e.problems[0]?.field === 'country') {
      throw invalid('country', 'match', 'The country field must match the country of the phone number.');
    }
    throw e;
  }
}

export const numberHandlers = {
  /** "Returns all phone numbers…", worded as the agents list the page shows as a bare array. */
  listNumbers: ({ world, account }) => ok(listNumbers(world, account.id).map((n) => numberJson(world, n))),

  searchAvailableNumbers: ({ world, account, query: q }) => {
    return page(q, searchAvailable(world, account.namespace, { country: q.country, areaCode: q.area_code, type: q.type }), availableJson);
  },

  provisionNumber: ({ world, account, body }) => ok(numberJson(world, provision(world, account.id, body.phone_number, body.country)), 201),

  assignNumber: ({ world, account, params, body }) => {
    const number = getNumber(world, account.id, String(params.id));
    const agent = agentInBody(world, account.id, body.agent_id);
    return ok(numberJson(world, assignNumber(world, number, agent.id)));
  },

  releaseNumber: ({ world, account, params }) => {
    releaseNumber(world, getNumber(world, account.id, String(params.id)));
    return noContent();
  },
} satisfies Partial<H>;
