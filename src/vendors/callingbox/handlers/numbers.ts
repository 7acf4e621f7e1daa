import { ok } from '../../../engine/respond.js';
import { notFound } from '../../../sim/errors.js';
import { buyNumber, listNumbers, searchAvailable } from '../../../sim/numbers.js';
import type { AvailableNumber, PhoneNumber } from '../../../sim/types.js';
import type { World } from '../../../sim/world.js';
import { availableJson, numberJson } from '../mappers.js';
import { cursorPage, oldestFirst, sortedArray } from '../pagination.js';
import type { H } from '../types.js';

/** One of the org's numbers; another org's id is as unknown as a made-up one. */
export function ownNumber(world: World, accountId: string, id: string): PhoneNumber {
  const n = world.store(accountId).numbers.get(id);
  if (!n) throw notFound('number', id);
  return n;
}

export const numberHandlers = {
  listNumbers: ({ world, account, query }) => {
    const numbers = world.store(account.id).numbers;
    return cursorPage(
      oldestFirst(listNumbers(world, account.id), (id) => numbers.get(id)),
      query,
      (n) => numberJson(world, n),
    );
  },

  /** In number order; the cursor is a phone number (available numbers have no id). */
  searchAvailableNumbers: ({ world, account, query }) => {
    const found = searchAvailable(world, account.namespace, { country: query.country, areaCode: query.area_code, type: query.type });
    const list = sortedArray<AvailableNumber, string>(
      found,
      (cursor) => cursor,
      (n, key) => n.e164 < key,
      (n, key) => n.e164 === key,
    );
    return cursorPage(list, query, availableJson);
  },

  // Taken or unknown numbers come back from the sim as a conflict, which CallingBox answers 400.
  purchaseNumber: ({ world, account, body }) => ok(numberJson(world, buyNumber(world, account.id, body.phone_number)), 201),
} satisfies Partial<H>;
