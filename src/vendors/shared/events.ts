import { createHash } from 'node:crypto';

/** A webhook event id that is the same for the same event in a seeded run. */
export const eventId = (prefix: string, ...parts: Array<string | number>): string =>
  prefix + createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 24);
