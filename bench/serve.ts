/**
 * One benchmark target per process, so the load generator never shares its event loop:
 *   node dist/bench/serve.js bare <port> <bodyFile>   node:http reading the request body, answering callsim's bytes
 *   node dist/bench/serve.js callsim <port> [plain]   callsim (plain = no journal, no rate limits;
 *                                                     nocoverage = everything but coverage counting)
 *   node dist/bench/serve.js prism <port> <vendor>    Prism's mocker on the same spec, static, silent
 */

import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import pino from 'pino';
import { parse } from 'yaml';
import { SPECS_DIR } from '../src/fixtures/index.js';
import { startServer } from '../src/server.js';

const [kind, portArg, extra] = process.argv.slice(2);
const port = Number(portArg);

async function main(): Promise<void> {
  if (kind === 'bare') {
    const { status, headers, body } = JSON.parse(readFileSync(extra, 'utf8')) as { status: number; headers: Record<string, string>; body: string };
    const bytes = Buffer.from(body);
    // Like with like: the request body is read into memory, as any server that answers it must, and
    // the answer is the status, headers and bytes callsim sent for the same request (keep-alive too).
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received = Buffer.concat(chunks);
        const complete = received.length === Number(req.headers['content-length'] ?? received.length);
        res.writeHead(complete ? status : 400, { ...headers, 'content-length': bytes.length });
        res.end(bytes);
      });
    });
    server.keepAliveTimeout = 10_000;
    server.listen(port, '127.0.0.1', () => process.stdout.write(`ready ${port}\n`));
    return;
  }
  if (kind === 'callsim') {
    const plain = extra === 'plain';
    await startServer({
      coverage: extra !== 'nocoverage',
      port,
      host: '127.0.0.1',
      seed: 1,
      logLevel: 'silent',
      journal: !plain,
      rateLimits: plain ? { calleague: false, callgenius: false } : { callgenius: { requests: 1e9, perSec: 60 }, calleague: { requests: 1e9, perSec: 60 } },
    });
    process.stdout.write(`ready ${port}\n`);
    return;
  }
  if (kind === 'prism') {
    const { createInstance, getHttpOperationsFromSpec } = await import('@stoplight/prism-http');
    const doc = parse(readFileSync(join(SPECS_DIR, `${extra}.yaml`), 'utf8'));
    const operations = await getHttpOperationsFromSpec(doc);
    // Prism logs at a custom "success" level (prism-cli's pino setup).
    const logger = pino({ level: 'silent', customLevels: { success: 12 } });
    const prism = createInstance(
      {
        mock: { dynamic: false },
        checkSecurity: true,
        validateRequest: true,
        validateResponse: true,
        errors: false,
        upstreamProxy: undefined,
        isProxy: false,
      } as never,
      { logger } as never,
    );
    http
      .createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', async () => {
          const url = new URL(req.url ?? '/', 'http://x');
          const raw = Buffer.concat(chunks).toString('utf8');
          let body: unknown = raw || undefined;
          try {
            body = raw ? JSON.parse(raw) : undefined;
          } catch {
            /* keep raw */
          }
          const result = await prism.request(
            {
              method: (req.method ?? 'get').toLowerCase() as 'get',
              url: { path: url.pathname, query: Object.fromEntries(url.searchParams) },
              headers: req.headers as Record<string, string>,
              body,
            },
            operations,
          )();
          if (result._tag === 'Right') {
            const out = result.right.output;
            res.writeHead(out.statusCode, { 'content-type': 'application/json' });
            res.end(out.body === undefined ? '' : JSON.stringify(out.body));
          } else {
            res.writeHead(500);
            res.end(String(result.left));
          }
        });
      })
      .listen(port, '127.0.0.1', () => process.stdout.write(`ready ${port}\n`));
    return;
  }
  throw new Error(`unknown target ${kind}`);
}

main().catch((err) => {
  process.stderr.write(`${String(err?.stack ?? err)}\n`);
  process.exit(1);
});
