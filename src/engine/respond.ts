import type { SimResponse } from '../contract/types.js';

export const ok = (body: unknown, status = 200, headers?: Record<string, string>): SimResponse => ({ status, body, headers });
export const noContent = (): SimResponse => ({ status: 204 });
