import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { type Headers, header } from '../contract/types.js';
import type { ApiError } from './errors.js';

/**
 * The one access gate of callsim's control plane: the admin API, the media WebSocket upgrade and
 * the dashboard. Only the user at the keyboard may drive it:
 * - with an admin token, the token (compared in constant time), from anywhere;
 * - without one, a loopback client whose request is not cross-site: its `Host` names this machine
 *   (DNS rebinding), its `Origin` (if any) is a local page, `Sec-Fetch-Site` is not `cross-site`,
 *   and it is not one of callsim's own webhook deliveries (a vendor account must not turn a
 *   webhook URL into a control-plane request).
 */
export interface GateOptions {
  token?: string;
  /** Host names accepted besides localhost, *.localhost and IP literals (the bound address, configured names). */
  hosts: ReadonlySet<string>;
}

export interface GateRequest {
  remote?: string;
  headers: Headers;
  /** A token given another way (the media upgrade's `?token=`). */
  token?: string;
}

/** The header every webhook delivery carries: a request with it never drives the control plane. */
export const DELIVERY_HEADER = 'x-callsim-delivery';

const digest = (s: string) => createHash('sha256').update(s).digest();
const tokenMatches = (given: string | undefined, token: string): boolean => timingSafeEqual(digest(given ?? ''), digest(token));

export const isLoopback = (addr: string | undefined): boolean => !!addr && (addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.'));

/** `localhost`, `*.localhost`, IP literals and the configured names: the names DNS rebinding cannot claim. */
function hostAllowed(hostHeader: string | undefined, hosts: ReadonlySet<string>): boolean {
  if (!hostHeader) return true;
  const name = hostName(hostHeader);
  return name === 'localhost' || name.endsWith('.localhost') || isIP(name) !== 0 || hosts.has(name);
}

function hostName(hostPort: string): string {
  const h = hostPort.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

function originAllowed(origin: string | undefined, hosts: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && hostAllowed(u.host, hosts);
  } catch {
    // `Origin: null` (a sandboxed frame, a file:// page) is a page we cannot trust.
    return false;
  }
}

/** Why this request may not use the control plane, or undefined when it may. */
export function gateRefusal(o: GateOptions, req: GateRequest): ApiError | undefined {
  if (header(req.headers, DELIVERY_HEADER) !== undefined) {
    return { kind: 'forbidden', code: 'forbidden', message: 'callsim webhook deliveries cannot call the admin API' };
  }
  if (o.token) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header(req.headers, 'authorization') ?? '')?.[1];
    if (tokenMatches(bearer ?? req.token, o.token)) return undefined;
    return { kind: 'unauthorized', message: 'The admin API needs Authorization: Bearer <admin token>' };
  }
  if (!isLoopback(req.remote)) {
    return { kind: 'forbidden', message: 'The admin API answers on loopback only; start callsim with --admin-token to open it' };
  }
  if (!hostAllowed(header(req.headers, 'host'), o.hosts)) {
    return { kind: 'forbidden', code: 'host_not_allowed', message: 'Host is not this machine (localhost, an IP address or an --allowed-hosts name)' };
  }
  if (header(req.headers, 'sec-fetch-site') === 'cross-site' || !originAllowed(header(req.headers, 'origin'), o.hosts)) {
    return { kind: 'forbidden', code: 'cross_site', message: 'Cross-site requests may not use the admin API' };
  }
  return undefined;
}
