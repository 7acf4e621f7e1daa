import http from 'node:http';
import { loadContract } from './contract/load.js';
import type { SimResponse } from './contract/types.js';
import { requestListener } from './engine/listener.js';
import { runPipeline } from './engine/pipeline.js';
import type { RawInput, Surface } from './engine/surface.js';
import { Journal, journalEntry } from './journal.js';
import { createLogger } from './logger.js';
import { VENDORS, vendorByName } from './vendors/registry.js';

/** Hop-by-hop headers and the ones fetch sets itself (`expect` it refuses outright). */
const HOP = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'accept-encoding',
  'expect',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
]);

/** The proxy reads bodies up to this; a larger one is refused (413), never forwarded cut short. */
const PROXY_BODY_LIMIT = 16 * 1024 * 1024;

/** Forwards one request unchanged to the upstream API and keeps its answer's bytes (parsed too, for the self-check). */
function forwarder(base: URL): (input: RawInput) => Promise<SimResponse> {
  const root = base.toString().replace(/\/?$/, '/');
  return async ({ req }) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && typeof v === 'string') headers[k] = v;
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query)) for (const one of Array.isArray(v) ? v : [v]) search.append(k, one);
    const target = new URL(req.path.replace(/^\//, '') + (search.size ? `?${search}` : ''), root);
    const hasBody = req.body?.length && req.method !== 'GET' && req.method !== 'HEAD';
    const res = await fetch(target, { method: req.method, headers, body: hasBody ? new Uint8Array(req.body!) : undefined, redirect: 'manual' });
    const body = Buffer.from(await res.arrayBuffer());
    const out: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      if (!HOP.has(k) && k !== 'content-encoding') out[k] = v;
    });
    let parsed: unknown;
    if ((res.headers.get('content-type') ?? '').includes('json') && body.length) {
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        parsed = body.toString('utf8');
      }
    }
    return { status: res.status, headers: out, body, parsed };
  };
}

/**
 * Stands where the vendor's base URL was: the same engine as the simulator, with "forward upstream"
 * in place of "handle", reporting (not refusing) what breaks the vendor's spec in either direction.
 */
export async function runProxy(vendorName: string, upstream: string, flags: { port: number; host: string }): Promise<void> {
  const adapter = vendorByName(vendorName);
  if (!adapter) throw new Error(`unknown vendor ${vendorName}; one of ${VENDORS.map((v) => v.name).join(', ')}`);
  let base: URL;
  try {
    base = new URL(upstream);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new Error(`upstream must be an absolute http(s) URL, got ${upstream}`);
  }
  const log = createLogger('info');
  const journal = new Journal(1000);
  const forward = forwarder(base);
  const surface: Surface<'client'> = {
    ...loadContract(adapter.specFile, adapter.name),
    name: adapter.name,
    prefix: '',
    routeBelowPrefix: true,
    bodyLimit: PROXY_BODY_LIMIT,
    onInvalid: 'report',
    // The upstream checks credentials; the proxy passes them on.
    authenticate: () => ({ principal: 'client' }),
    guards: [],
    dispatch: async (_op, _principal, input) => {
      if (input.req.bodyTooLarge)
        return adapter.error({ kind: 'payload_too_large', message: 'callsim proxy: request body larger than 16 MB; not forwarded' }, input.req);
      try {
        return await forward(input);
      } catch (err) {
        return { status: 502, body: { error: `callsim proxy: upstream unreachable: ${(err as Error).message}` } };
      }
    },
    error: adapter.error,
  };
  const server = http.createServer(
    requestListener({
      surfaces: [surface],
      raw: [
        {
          matches: (method, path) => method === 'GET' && path === '/__proxy/violations',
          serve: (_req, res) => {
            const text = JSON.stringify({ data: journal.entries({ violationsOnly: true }) });
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
            res.end(text);
          },
        },
      ],
      run: async (s, req) => {
        const started = performance.now();
        const outcome = await runPipeline(s, req, { strict: () => true });
        const entry = journalEntry(adapter.name, req, outcome, performance.now() - started, Date.now());
        journal.add(entry);
        const bad = outcome.violations.length + outcome.responseViolations.length;
        log[bad ? 'warn' : 'info'](entry, 'proxied');
        outcome.response.headers = {
          ...outcome.response.headers,
          'x-callsim-request-violations': String(outcome.violationCount),
          'x-callsim-response-violations': String(outcome.responseViolations.length),
        };
        return outcome.response;
      },
      fallback: (req) => adapter.error({ kind: 'route_not_found', message: `No route for ${req.method} ${req.path}` }, req),
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(flags.port, flags.host, resolve);
  });
  const addr = server.address() as { port: number };
  process.stdout.write(
    `callsim proxy for ${adapter.title}: http://${flags.host}:${addr.port} → ${base}\n  violations: http://${flags.host}:${addr.port}/__proxy/violations\n`,
  );
}
