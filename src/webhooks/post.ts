import dns, { type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };

export class PostError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * One webhook POST with node:http (fetch refuses "bad ports" and follows redirects by default;
 * receivers may listen anywhere and a 3xx must count as a failure). Resolves with the status.
 */
export function postJson(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  /** Why this address may not be posted to (callsim itself), checked on the address the name resolves to. */
  refuse?: (address: string, port: number) => string | undefined,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return reject(new PostError('invalid URL'));
    }
    const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const literal = isIP(host) ? refuse?.(host, port) : undefined;
    if (literal) return reject(new PostError(literal));
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(u, {
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      agent: u.protocol === 'https:' ? agents.https : agents.http,
      // The check runs on the resolved address, so a name that points back at callsim is caught too.
      lookup: refuse ? guardedLookup(port, refuse) : undefined,
    });
    const timer = setTimeout(() => req.destroy(new PostError(`timeout after ${timeoutMs} ms`)), timeoutMs);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
      });
      res.on('error', () => {
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err instanceof PostError) return reject(err);
      const reasons: Record<string, string> = {
        ECONNREFUSED: 'connection refused',
        ENOTFOUND: 'DNS lookup failed',
        EAI_AGAIN: 'DNS lookup failed',
        ECONNRESET: 'connection closed by receiver',
        EPIPE: 'connection closed by receiver',
        ETIMEDOUT: 'connection timed out',
        EHOSTUNREACH: 'host unreachable',
        ENETUNREACH: 'network unreachable',
      };
      reject(
        new PostError(
          reasons[err.code ?? ''] ?? (err.message === 'socket hang up' ? 'connection closed by receiver' : `${err.code ?? 'error'}: ${err.message}`),
        ),
      );
    });
    req.end(body);
  });
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(port: number, refuse: (address: string, port: number) => string | undefined) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    dns.lookup(hostname, options, (err, address, family) => {
      if (err) return callback(err, address as string, family);
      const all = Array.isArray(address) ? address : [{ address, family }];
      const why = all.map((a) => refuse(a.address, port)).find(Boolean);
      if (why) return callback(new PostError(why) as NodeJS.ErrnoException, address as string, family);
      callback(null, address as string, family);
    });
  };
}
