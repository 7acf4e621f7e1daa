import http from 'node:http';
import { join } from 'node:path';
import sjson from 'secure-json-parse';
import { Router } from './contract/router.js';
import { loadSpec } from './contract/spec.js';
import type { Violation } from './contract/types.js';
import { ContractValidator } from './contract/validator.js';
import { SPECS_DIR } from './fixtures/index.js';
import { createLogger } from './logger.js';
import { parseQuery, readBody } from './transport/http.js';
import { VENDORS, vendorByName } from './vendors/registry.js';

interface ProxyRecord {
  at: string;
  method: string;
  path: string;
  operationId: string | null;
  status: number;
  request: Violation[];
  response: Violation[];
}

const HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'accept-encoding']);

/**
 * Stands where the vendor's base URL was: forwards every request unchanged to the real API and
 * checks both directions against the vendor's spec with the same validators the simulator uses.
 */
export async function runProxy(vendorName: string, upstream: string, flags: { port: number; host: string }): Promise<void> {
  const adapter = vendorByName(vendorName);
  if (!adapter) throw new Error(`unknown vendor ${vendorName}; one of ${VENDORS.map((v) => v.name).join(', ')}`);
  let base: URL;
  try {
    base = new URL(upstream);
  } catch {
    throw new Error(`upstream must be an absolute URL, got ${upstream}`);
  }
  const spec = loadSpec(join(SPECS_DIR, adapter.specFile), adapter.name);
  const validator = new ContractValidator(spec);
  const router = new Router(spec.operations);
  const log = createLogger('info');
  const records: ProxyRecord[] = [];

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (url.pathname === '/__proxy/violations') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: records.filter((r) => r.request.length || r.response.length) }));
      return;
    }
    const { body } = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = base.pathname.replace(/\/$/, '') && url.pathname.startsWith(base.pathname) ? url.pathname : url.pathname;
    const m = router.match(method, path);
    const requestViolations: Violation[] = [];
    if (m.kind === 'found') {
      const query: Record<string, unknown> = {};
      const q = parseQuery(url.search.slice(1));
      for (const p of m.op.params) if (p.in === 'query' && q[p.name] !== undefined) query[p.name] = q[p.name];
      let parsed: unknown;
      const ct = String(req.headers['content-type'] ?? '').split(';')[0];
      if (body.length && ct.includes('json')) {
        try {
          parsed = sjson.parse(body.toString('utf8'));
        } catch {
          requestViolations.push({ location: 'body', field: '', rule: 'json', message: 'request body is not valid JSON' });
        }
      }
      requestViolations.push(
        ...validator.validateRequest(
          m.op,
          { ...m.params },
          query,
          parsed,
          parsed === undefined ? undefined : m.op.body?.contentTypes.find((c) => c.includes('json')),
        ),
      );
    } else {
      requestViolations.push({ location: 'path', field: '', rule: 'route', message: `${method} ${path} is not in the ${adapter.title} spec` });
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && typeof v === 'string') headers[k] = v;
    let upstreamRes: Response;
    try {
      upstreamRes = await fetch(new URL(url.pathname.replace(/^\//, '') + url.search, base.toString().replace(/\/?$/, '/')), {
        method,
        headers,
        body: body.length && method !== 'GET' && method !== 'HEAD' ? new Uint8Array(body) : undefined,
        redirect: 'manual',
      });
    } catch (err) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `callsim proxy: upstream unreachable: ${(err as Error).message}` }));
      return;
    }
    const buf = Buffer.from(await upstreamRes.arrayBuffer());
    const responseViolations: Violation[] = [];
    if (m.kind === 'found' && (upstreamRes.headers.get('content-type') ?? '').includes('json')) {
      try {
        responseViolations.push(...validator.validateResponse(m.op, upstreamRes.status, JSON.parse(buf.toString('utf8'))));
      } catch {
        responseViolations.push({ location: 'response', field: '', rule: 'json', message: 'response body is not valid JSON' });
      }
    }
    const rec: ProxyRecord = {
      at: new Date().toISOString(),
      method,
      path,
      operationId: m.kind === 'found' ? m.op.operationId : null,
      status: upstreamRes.status,
      request: requestViolations,
      response: responseViolations,
    };
    records.push(rec);
    if (records.length > 1000) records.shift();
    log[requestViolations.length || responseViolations.length ? 'warn' : 'info'](rec, 'proxied');
    const out: Record<string, string> = {
      'x-callsim-request-violations': String(requestViolations.length),
      'x-callsim-response-violations': String(responseViolations.length),
    };
    upstreamRes.headers.forEach((v, k) => {
      if (!HOP.has(k) && k !== 'content-encoding') out[k] = v;
    });
    res.writeHead(upstreamRes.status, out);
    res.end(buf);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(flags.port, flags.host, resolve);
  });
  const addr = server.address() as { port: number };
  process.stdout.write(
    `callsim proxy for ${adapter.title}: http://${flags.host}:${addr.port} → ${base}\n  violations: http://${flags.host}:${addr.port}/__proxy/violations\n`,
  );
}
