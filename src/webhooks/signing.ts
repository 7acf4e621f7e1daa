import { createHmac, timingSafeEqual } from 'node:crypto';

/** callsim's signature header for vendors that document none: Stripe-style, timestamped. */
export const CALLSIM_SIGNATURE_HEADER = 'X-Callsim-Signature';

const hmacHex = (secret: string, data: string): string => createHmac('sha256', secret).update(data).digest('hex');

export function callsimSignature(rawBody: string, secret: string, timestampSec: number): string {
  return `t=${timestampSec},v1=${hmacHex(secret, `${timestampSec}.${rawBody}`)}`;
}

const safeEqualHex = (a: string, b: string): boolean =>
  a.length === b.length && /^[0-9a-f]+$/i.test(a) && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

export interface VerifyInput {
  /** Raw request body exactly as received (string or Buffer). */
  body: string | Buffer;
  /** The subscription's secret. */
  secret: string;
  /** `X-CallGenius-Signature` (plain hex) or `X-Callsim-Signature` (`t=…,v1=…`) value. */
  signature: string | undefined;
  /** Reject timestamped signatures older than this many seconds (default 300). */
  toleranceSec?: number;
  /** Current time in seconds for the tolerance check (default: now). */
  nowSec?: number;
}

/**
 * Checks a callsim webhook signature, for users' own receiver tests.
 * @example
 * app.post('/hooks', express.raw({ type: '*\/*' }), (req, res) => {
 *   if (!verifySignature({ body: req.body, secret, signature: req.get('X-CallGenius-Signature') })) return res.sendStatus(400);
 *   res.sendStatus(200);
 * });
 */
export function verifySignature(input: VerifyInput): boolean {
  const sig = input.signature?.trim();
  if (!sig) return false;
  const body = typeof input.body === 'string' ? input.body : input.body.toString('utf8');
  const parts = Object.fromEntries(sig.split(',').map((p) => p.split('=', 2) as [string, string]));
  if (parts.t !== undefined && parts.v1 !== undefined) {
    const t = Number(parts.t);
    const now = input.nowSec ?? Math.floor(Date.now() / 1000);
    if (!Number.isInteger(t) || Math.abs(now - t) > (input.toleranceSec ?? 300)) return false;
    return safeEqualHex(hmacHex(input.secret, `${t}.${body}`), parts.v1);
  }
  return safeEqualHex(hmacHex(input.secret, body), sig);
}
