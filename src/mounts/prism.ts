import type { SimRequest, SimResponse } from '../contract/types.js';
import type { MountDocument } from './document.js';
import { DocumentError } from './document.js';

/** How Prism is asked to answer one request (from the mount's mode and the request's `Prefer`). */
export interface PrismAsk {
  dynamic: boolean;
  code?: number;
  exampleKey?: string;
  seed?: string;
}

/** `Prefer: code=404, example=notFound, dynamic=true`, as Prism's own server reads it. */
export function parsePrefer(value: string | undefined): { code?: number; exampleKey?: string; dynamic?: boolean } {
  const out: { code?: number; exampleKey?: string; dynamic?: boolean } = {};
  for (const part of (value ?? '').split(/[,;]/)) {
    const [k, v] = part.split('=').map((s) => s?.trim());
    if (!k || v === undefined) continue;
    if (k === 'code' && /^\d{3}$/.test(v)) out.code = Number(v);
    else if (k === 'example' && v) out.exampleKey = v.replace(/^"|"$/g, '');
    else if (k === 'dynamic' && (v === 'true' || v === 'false')) out.dynamic = v === 'true';
  }
  return out;
}

type Answer = (req: SimRequest, ask: PrismAsk) => Promise<SimResponse>;

const flat = (headers: SimRequest['headers']): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
};

/** The body as Prism's own server hands it over: JSON parsed when it says it is JSON, else the text. */
function prismBody(req: SimRequest): unknown {
  if (!req.body?.length) return undefined;
  const text = req.body.toString('utf8');
  if (/json/i.test(flat(req.headers)['content-type'] ?? '')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Prism's answer as the engine's response: JSON bodies stay values, other media types go as text. */
function toResponse(status: number, headers: Record<string, string> | undefined, body: unknown): SimResponse {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) h[k.toLowerCase()] = String(v);
  const type = h['content-type'];
  if (body === undefined || body === null || body === '') return { status, headers: h, body: status === 204 ? undefined : Buffer.alloc(0) };
  if (type && !/json/i.test(type)) return { status, headers: h, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), parsed: body };
  return { status, headers: { ...h, 'content-type': type ?? 'application/json' }, body };
}

/**
 * One Prism mocker over one document. Imported lazily with the rest of src/mounts: loading Prism
 * costs about a second of start-up, which a server without `--spec` must not pay.
 */
export async function prismAnswerer(file: string, doc: MountDocument): Promise<Answer> {
  const prism = await import('@stoplight/prism-http');
  const { default: pino } = await import('pino');
  let operations: Awaited<ReturnType<typeof prism.getHttpOperationsFromSpec>>;
  try {
    operations = await prism.getHttpOperationsFromSpec(structuredClone(doc.original));
  } catch (err) {
    throw new DocumentError(file, `Prism cannot read it: ${(err as Error).message}`);
  }
  // Prism logs at its own "success" level; callsim's journal and logs already tell every request.
  const logger = pino({ level: 'silent', customLevels: { success: 12 } });
  const base = { checkSecurity: true, validateRequest: true, validateResponse: false, errors: false, upstreamProxy: undefined, isProxy: false as const };
  const instance = prism.createInstance({ ...base, mock: { dynamic: false } }, { logger: logger as never });
  return async (req, ask) => {
    const input = {
      method: req.method.toLowerCase() as 'get',
      url: { path: req.path, query: req.query },
      headers: flat(req.headers),
      body: prismBody(req),
    };
    const result = await instance.request(input, operations, { ...base, mock: ask })();
    if (result._tag === 'Right') {
      const out = result.right.output;
      return toResponse(out.statusCode, out.headers as Record<string, string>, out.body);
    }
    // Prism's own refusals (no such path or method, an undocumented Prefer code, a 401 it made up)
    // come back as problem+json errors, as its server writes them.
    const err = result.left as Error & { status?: number; additional?: { headers?: Record<string, string> } };
    const { headers: _headers, ...problem } = prism.ProblemJsonError.toProblemJson(err) as ReturnType<typeof prism.ProblemJsonError.toProblemJson> & {
      headers?: unknown;
    };
    const body = Buffer.from(JSON.stringify(problem));
    return { status: problem.status, headers: { ...err.additional?.headers, 'content-type': 'application/problem+json' }, body, parsed: problem };
  };
}
