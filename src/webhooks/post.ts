import http from 'node:http';
import https from 'node:https';

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
export function postJson(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return reject(new PostError('invalid URL'));
    }
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(u, {
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      agent: u.protocol === 'https:' ? agents.https : agents.http,
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
