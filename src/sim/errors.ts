/**
 * Vendor-neutral failures. Vendors turn each kind into their own status code and envelope, so the
 * sim can refuse an action without knowing who asked.
 */
export type SimErrorKind = 'not_found' | 'conflict' | 'invalid' | 'forbidden' | 'unauthorized' | 'rate_limited' | 'upstream';

export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

export class SimError extends Error {
  constructor(
    readonly kind: SimErrorKind,
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string | number): SimError => new SimError('not_found', `${what} ${id} not found`);

export const invalid = (field: string, rule: string, message: string): SimError => new SimError('invalid', message, [{ field, rule, message }]);
