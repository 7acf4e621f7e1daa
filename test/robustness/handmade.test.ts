/**
 * Hand-made hostile requests the conformance suite does not send, for every loaded vendor:
 * `constructor.prototype` and nested `__proto__` keys, NUL bytes, raw path traversal, very long and
 * repeated query strings, unicode round-trips, edge numbers, blank bodies, odd content types and
 * charsets, HEAD, OPTIONS, the body-size limit, odd Authorization headers. Never a 5xx; every
 * error in the vendor's own envelope; every answer on a known route matches the spec (sim.api).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OperationDef } from '../../src/contract/spec.js';
import type { VendorSurface } from '../../src/vendors/surface.js';
import type { ApiResult } from '../helpers/sim.js';
import { derefSchema, documented, fieldKind, isVendorError, type Plan, pathOf, planValid, schemaAt, violationsOf, withDeadline } from './gen.js';
import { httpText, rawRequest } from './raw.js';
import { startRobustnessSim } from './server.js';

const sim = await startRobustnessSim();
afterAll(() => sim.shutdown());
const callsim = sim.running.sim;
const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();

const jsonType = (op: OperationDef) => op.body?.contentTypes.find((c) => c.includes('json'));
const isFreeString = (s: any) =>
  !!s && (s.type === 'string' || (Array.isArray(s.type) && s.type.includes('string'))) && !s.pattern && !s.format && !s.enum && s.const === undefined;
const isNumeric = (s: any) => !!s && ['integer', 'number'].some((t) => s.type === t || (Array.isArray(s.type) && s.type.includes(t)));
const cut = (text: string, schema: any) => [...text].slice(0, typeof schema?.maxLength === 'number' ? schema.maxLength : 10_000).join('');

/** A JSON create that the server accepted, with the body it accepted. */
interface Good {
  op: OperationDef;
  plan: Plan;
  schema: any;
}

function send(
  runtime: VendorSurface,
  plan: Plan,
  o: { raw?: string | Buffer; headers?: Record<string, string>; key?: string | null; path?: string; skipContract?: boolean } = {},
): Promise<ApiResult> {
  const raw = o.raw ?? (plan.body === undefined ? undefined : JSON.stringify(plan.body));
  const headers = { ...(raw !== undefined && jsonType(plan.op) ? { 'content-type': 'application/json' } : {}), ...o.headers };
  return sim.api(runtime.adapter.name, plan.op.method, o.path ?? pathOf(plan), { raw, headers, key: o.key, skipContract: o.skipContract });
}

/** Below 500, documented for the operation (when the route is one), and a 4xx in the vendor's envelope. */
function expectHandled(runtime: VendorSurface, op: OperationDef | undefined, res: { status: number; text: string; body: any }, what: string): void {
  expect(res.status, `${what} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  expect(res.status, `${what} → no status`).toBeGreaterThanOrEqual(200);
  if (op) expect(documented(op, res.status), `${what} → ${res.status} is not documented for ${op.operationId}: ${res.text.slice(0, 200)}`).toBe(true);
  if (res.status >= 400)
    expect(isVendorError(runtime, res.body), `${what} → ${res.status} not the vendor's error envelope: ${res.text.slice(0, 300)}`).toBe(true);
}

const parse = (text: string): any => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** A generated request the contract accepts (the first seed that gives one). */
function validPlan(runtime: VendorSurface, op: OperationDef): Plan {
  for (let seed = 1; seed < 200; seed++) {
    const plan = planValid(callsim, runtime, op, seed);
    if (!violationsOf(runtime, plan).length) return plan;
  }
  throw new Error(`no valid request for ${op.operationId}`);
}

/** Every (key, value) pair anywhere in a JSON value. */
function* pairs(v: any): Generator<[string, unknown]> {
  if (Array.isArray(v)) for (const x of v) yield* pairs(x);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      yield [k, x];
      yield* pairs(x);
    }
  }
}

/**
 * A JSON body sent as another media type: the status each vendor's page gives it (Calleague "400 on
 * a POST — Body isn't JSON, or header missing"; CallingBox lists 400 for a bad request), else 415.
 */
const CONTENT_TYPE_STATUS: Record<string, number> = { calleague: 400, callingbox: 400 };

describe.each(callsim.vendors.map((runtime) => ({ vendor: runtime.adapter.name, runtime })))('$vendor hand-made hostile requests', ({ vendor, runtime }) => {
  const prefix = runtime.adapter.prefix;
  const key = runtime.adapter.demoKey;
  const ops = runtime.spec.operations;
  const good: Good[] = [];
  /** GET operations with their path ids filled from the fixtures. */
  const gets = ops.filter((o) => o.method === 'GET');
  const lists = gets.filter((o) => !o.template.includes('{') && o.params.some((p) => p.in === 'query'));

  beforeAll(async () => {
    await sim.reset();
    for (const op of ops.filter((o) => o.method === 'POST' && jsonType(o))) {
      for (let seed = 1; seed <= 60; seed++) {
        const plan = planValid(callsim, runtime, op, seed);
        if (plan.body === undefined || violationsOf(runtime, plan).length) continue;
        const res = await send(runtime, plan);
        if (res.status < 300) {
          good.push({ op, plan, schema: schemaAt(runtime.spec.doc, op.body!.pointers[jsonType(op)!]) });
          break;
        }
      }
      await sim.reset();
    }
  });
  beforeEach(() => sim.reset());

  /** The accepted create with the most properties of a kind (free strings, numbers). */
  const best = (score: (g: Good) => number): Good => {
    expect(good.length, 'no JSON create was accepted: the generators found no valid request').toBeGreaterThan(0);
    return [...good].sort((a, b) => score(b) - score(a))[0];
  };
  const props = (g: Good): Array<[string, any]> => Object.entries<any>(g.schema?.properties ?? {});

  it('rejects `constructor.prototype` and nested or escaped `__proto__` keys, and nothing reaches Object.prototype', async () => {
    const g = best(() => 0);
    const body = JSON.stringify(g.plan.body).slice(1, -1);
    const sep = body ? ', ' : '';
    const hostile = [
      `{"constructor": {"prototype": {"pollutedA": true}}${sep}${body}}`,
      `{${body}${sep}"zz": {"constructor": {"prototype": {"pollutedB": true}}}}`,
      `{${body}${sep}"zz": [{"__proto__": {"pollutedC": true}}]}`,
      `{"\\u005f_proto__": {"pollutedD": true}${sep}${body}}`,
      `{"__proto__": null${sep}${body}}`,
    ];
    for (const raw of hostile) {
      const res = await send(runtime, g.plan, { raw });
      expectHandled(runtime, g.op, res, raw.slice(0, 80));
      expect(res.status, raw.slice(0, 80)).toBeGreaterThanOrEqual(400);
    }
    for (const list of lists) {
      for (const q of [
        '__proto__[pollutedE]=1&constructor[prototype][pollutedF]=1&__proto__.pollutedG=1',
        // Repeated keys that name Object.prototype members: the query reader must not mistake them for earlier values.
        '__proto__=a&__proto__=b&constructor=c&constructor=d&toString=e&hasOwnProperty=f&valueOf=g',
      ]) {
        const res = await sim.api(vendor, 'GET', `${list.template}?${q}`);
        expectHandled(runtime, list, res, `${list.operationId} ?${q}`);
      }
    }
    for (const k of ['pollutedA', 'pollutedB', 'pollutedC', 'pollutedD', 'pollutedE', 'pollutedF', 'pollutedG']) expect(({} as any)[k], k).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
  });

  it('handles NUL bytes in path ids, literal segments, query values and JSON strings', async () => {
    for (const op of gets.filter((o) => o.template.includes('{'))) {
      const plan = planValid(callsim, runtime, op, 3);
      const path = pathOf(plan).split('?')[0];
      const literal = path.split('/').findIndex((_seg, i) => i > 0 && !/^\{/.test(op.template.split('/')[i] ?? '{'));
      const inLiteral = path
        .split('/')
        .map((seg, i) => (i === literal ? `${seg.slice(0, 1)}%00${seg.slice(1)}` : seg))
        .join('/');
      for (const bad of [`${path}%00`, `${path.replace(/\/([^/]+)$/, '/%00$1')}`, inLiteral]) {
        const res = await sim.api(vendor, 'GET', bad, { skipContract: true });
        expectHandled(runtime, undefined, res, `GET ${bad}`);
        expect(res.status, bad).toBe(404);
      }
    }
    for (const list of lists) {
      for (const p of list.params.filter((x) => x.in === 'query')) {
        for (const v of ['%00', '1%00', '%00%00%00']) {
          const res = await sim.api(vendor, 'GET', `${list.template}?${p.name}=${v}`);
          expectHandled(runtime, list, res, `${list.operationId} ?${p.name}=${v}`);
        }
      }
    }
    // A raw NUL in the request line never reaches the pipeline: Node's parser answers 400.
    const raw = await rawRequest(sim.url, httpText('GET', `${prefix}${lists[0]?.template ?? '/'}\0`, { Authorization: `Bearer ${key}` }));
    expect(raw.status).toBe(400);
    for (const g of good) {
      const body = structuredClone(g.plan.body) as Record<string, unknown>;
      let touched = 0;
      for (const [name, s] of props(g)) {
        if (typeof body[name] === 'string' && isFreeString(s) && !fieldKind(g.op, name)) {
          body[name] = cut(`nul\u0000inside\u0000`, s);
          touched++;
        }
      }
      if (!touched) continue;
      const res = await send(runtime, { ...g.plan, body });
      expectHandled(runtime, g.op, res, `${g.op.operationId} with NUL in strings`);
    }
  });

  it('keeps raw path traversal, dot segments, backslashes and double slashes inside the vendor API', async () => {
    const ownGet = gets.find((o) => o.template.includes('{')) ?? gets[0];
    const base = ownGet.template.replace(/\{[^}]+\}.*$/, '');
    const targets = [
      `${prefix}/../__sim/health`,
      `${prefix}/../__sim/state`,
      `${prefix}${base}../../__sim/health`,
      `${prefix}${base}%2e%2e/%2e%2e/__sim/health`,
      `${prefix}${base}..%2f..%2f__sim%2fhealth`,
      `${prefix}${base}..\\..\\__sim\\health`,
      `${prefix}/${base}`,
      `${prefix}${base}.`,
      `${prefix}${base}./x`,
      `${prefix}${base}x;jsessionid=1`,
      `${prefix}${base}%252e%252e%252f`,
      `${prefix}${base}%c0%ae%c0%ae/`,
      `${prefix}${base}x/..`,
    ];
    // Absolute-form targets (what a client sends to a proxy) never reach the admin API either.
    for (const target of [`http://evil.example${prefix}${base}../../__sim/health`, `http://127.0.0.1${prefix}/../__sim/state`]) {
      const res = await rawRequest(sim.url, httpText('GET', target, { Authorization: `Bearer ${key}` }));
      expect(res.status, `${target} → ${res.statusLine} ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, target).toBeLessThan(500);
    }
    for (const target of targets) {
      for (const auth of [{ Authorization: `Bearer ${key}` }, {}] as Array<Record<string, string>>) {
        const res = await rawRequest(sim.url, httpText('GET', target, auth));
        const body = parse(res.body);
        expect(res.status, `${target} → ${res.statusLine} ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, target).toBeLessThan(500);
        expect(isVendorError(runtime, body), `${target} → not the vendor's envelope: ${res.body.slice(0, 200)}`).toBe(true);
      }
    }
  });

  it("answers very long query strings with 431 past Node's header limit, and normally below it", async () => {
    for (const list of lists) {
      const huge = await sim.api(vendor, 'GET', `${list.template}?${list.params.find((p) => p.in === 'query')!.name}=${'x'.repeat(100_000)}`, {
        skipContract: true,
      });
      expect(huge.status, `${list.operationId} 100 KB query`).toBe(431);
      const junk = Array.from({ length: 400 }, (_, i) => `junk${i}=${i}`).join('&');
      const many = await sim.api(vendor, 'GET', `${list.template}?${junk}`);
      expectHandled(runtime, list, many, `${list.operationId} 400 unknown params`);
      for (const p of list.params.filter((x) => x.in === 'query')) {
        const long = await sim.api(vendor, 'GET', `${list.template}?${p.name}=${'9'.repeat(8_000)}`);
        expectHandled(runtime, list, long, `${list.operationId} 8 KB ${p.name}`);
      }
    }
  });

  it('handles repeated query parameters (`?page=1&page=2`) on every list', async () => {
    for (const list of lists) {
      for (const p of list.params.filter((x) => x.in === 'query')) {
        const a = planValid(callsim, runtime, list, 11).query[p.name] ?? '1';
        const b = planValid(callsim, runtime, list, 12).query[p.name] ?? '2';
        const res = await sim.api(vendor, 'GET', `${list.template}?${p.name}=${encodeURIComponent(String(a))}&${p.name}=${encodeURIComponent(String(b))}`);
        expectHandled(runtime, list, res, `${list.operationId} ?${p.name}=${a}&${p.name}=${b}`);
      }
    }
  });

  it('round-trips emoji, RTL and combining text in every free string field of a create', async () => {
    const g = best((x) => props(x).filter(([n, s]) => isFreeString(s) && !fieldKind(x.op, n)).length);
    const body = structuredClone(g.plan.body) as Record<string, unknown>;
    const injected: Record<string, string> = {};
    const text = 'Ayşe Öztürk 日本語 🎉👩‍👩‍👧 مرحبا \u202Bשלום\u202C e\u0301 ﷽';
    for (const [name, s] of props(g)) {
      if (isFreeString(s) && !fieldKind(g.op, name)) injected[name] = body[name] = cut(text, s);
      // Free-form maps (metadata) get a unicode key and value too.
      const extra = s?.additionalProperties;
      if (s?.type === 'object' && !s.properties && extra && (extra === true || isFreeString(extra))) {
        body[name] = { ...(body[name] as object), 'ключ 🎉': cut(text, extra) };
      }
    }
    const res = await send(runtime, { ...g.plan, body });
    expectHandled(runtime, g.op, res, `${g.op.operationId} unicode`);
    expect(res.status, res.text).toBeLessThan(300);
    for (const [k, v] of pairs(res.body)) if (k in injected && typeof v === 'string') expect(v, `${k} must round-trip`).toBe(injected[k]);
    const echoed = [...pairs(res.body)].find(([k]) => k === 'ключ 🎉');
    if (echoed) expect(echoed[1]).toBe(cut(text, null).slice(0, String(echoed[1]).length));
  });

  it('handles edge numbers in bodies: 1e309, -1e309, -0, 1e-400, 30-digit integers, NaN and Infinity as strings', async () => {
    const g = best((x) => props(x).filter(([, s]) => isNumeric(s)).length);
    const numeric = props(g)
      .filter(([, s]) => isNumeric(s))
      .map(([n]) => n);
    const fields = numeric.length ? numeric : ['zz_number'];
    for (const field of fields) {
      for (const literal of ['1e309', '-1e309', '-0', '1e-400', '123456789012345678901234567890', '"NaN"', '"Infinity"', '1.0', '1E2']) {
        const body = { ...(g.plan.body as object), [field]: '__NUM__' };
        const raw = JSON.stringify(body).replace('"__NUM__"', literal);
        const res = await send(runtime, g.plan, { raw });
        expectHandled(runtime, g.op, res, `${g.op.operationId} ${field}=${literal}`);
        await sim.reset();
      }
    }
  });

  it('handles edge numbers in query parameters of every list', async () => {
    const values = [
      '1e309',
      '-0',
      'NaN',
      'Infinity',
      '-Infinity',
      '0x10',
      '1e2',
      '9007199254740993',
      '99999999999999999999',
      '',
      '%20%201',
      '%2B1',
      '1.0',
      '01',
      '-9999999999999999999',
      '1,2',
      '%C2%BD',
      '%D9%A1',
      '%E0%A4%A',
      '1e-400',
    ];
    for (const list of lists) {
      for (const p of list.params.filter((x) => x.in === 'query')) {
        for (const v of values) {
          const res = await sim.api(vendor, 'GET', `${list.template}?${p.name}=${v}`);
          expectHandled(runtime, list, res, `${list.operationId} ?${p.name}=${v}`);
        }
      }
    }
  });

  it('pages past the end of every paged list to an empty page, at the largest page the spec allows', async () => {
    for (const list of gets.filter((o) => o.params.some((p) => p.in === 'query' && p.name === 'page'))) {
      const page = list.params.find((p) => p.name === 'page')!;
      const max: number = derefSchema(runtime.spec.doc, page.schema).maximum ?? 99_999;
      // Only the required filters (CallGeni.us's `country`), so nothing but the page decides.
      const plan = validPlan(runtime, list);
      plan.query = Object.fromEntries(Object.entries(plan.query).filter(([k]) => list.params.some((p) => p.name === k && p.required)));
      const path = pathOf({ ...plan, query: { ...plan.query, page: String(max) } });
      const res = await sim.api(vendor, 'GET', path);
      expectHandled(runtime, list, res, `${list.operationId} page=${max}`);
      expect(res.status, path).toBe(200);
      expect(JSON.stringify(res.body), path).toMatch(/\[\]/);
      const over = await sim.api(vendor, 'GET', pathOf({ ...plan, query: { ...plan.query, page: String(max + 1) } }));
      expectHandled(runtime, list, over, `${list.operationId} page=${max + 1}`);
    }
  });

  it('answers blank, empty and non-object JSON bodies with a documented 4xx', async () => {
    for (const g of good) {
      for (const raw of ['', '   ', '\n', 'null', '[]', '"a string"', '42', 'true', '{}']) {
        const res = await send(runtime, g.plan, { raw, headers: { 'content-type': 'application/json' } });
        expectHandled(runtime, g.op, res, `${g.op.operationId} body ${JSON.stringify(raw)}`);
        if (raw.trim() !== '{}') expect(res.status, `${g.op.operationId} body ${JSON.stringify(raw)}`).toBeGreaterThanOrEqual(400);
      }
    }
  });

  it("takes JSON whatever its charset or case, and refuses other media types with the vendor's status (415 where it documents none)", async () => {
    const refused = CONTENT_TYPE_STATUS[vendor] ?? 415;
    const g = best(() => 0);
    const raw = JSON.stringify(g.plan.body);
    const plain = await send(runtime, g.plan, { raw });
    expect(plain.status).toBeLessThan(300);
    for (const ct of [
      'application/json; charset=latin1',
      'application/json; charset=utf-8',
      'application/json;charset=UTF-16',
      'APPLICATION/JSON',
      'application/json ; foo=bar',
      'application/vnd.callsim+json',
    ]) {
      await sim.reset();
      const res = await send(runtime, g.plan, { raw, headers: { 'content-type': ct } });
      expectHandled(runtime, g.op, res, `${g.op.operationId} as ${ct}`);
      expect(res.status, ct).toBe(plain.status);
    }
    // Latin-1 bytes declared as such are read as UTF-8 (what the vendors do): never a 5xx.
    const latin1 = Buffer.from(JSON.stringify({ ...(g.plan.body as object), zz: 'Café' }), 'latin1');
    expectHandled(runtime, g.op, await send(runtime, g.plan, { raw: latin1, headers: { 'content-type': 'application/json; charset=latin1' } }), 'latin1 bytes');
    const badUtf8 = Buffer.concat([Buffer.from('{"zz": "'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]);
    expectHandled(runtime, g.op, await send(runtime, g.plan, { raw: badUtf8 }), 'invalid UTF-8');
    for (const ct of [
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/xml',
      'application/jsonp',
      'application/octet-stream',
      'json',
    ]) {
      if (g.op.body!.contentTypes.includes(ct.split(';')[0])) continue;
      const res = await send(runtime, g.plan, { raw, headers: { 'content-type': ct } });
      expectHandled(runtime, g.op, res, `${g.op.operationId} as ${ct}`);
      expect(res.status, ct).toBe(refused);
    }
    // No Content-Type at all (a byte body, so fetch adds none).
    const none = await sim.api(vendor, g.op.method, pathOf(g.plan), { raw: Buffer.from(raw) });
    expectHandled(runtime, g.op, none, 'no content type');
    expect(none.status).toBe(refused);
  });

  it('answers HEAD like GET, without a body', async () => {
    for (const op of gets) {
      const path = pathOf(planValid(callsim, runtime, op, 5));
      const get = await sim.api(vendor, 'GET', path);
      const head = await sim.api(vendor, 'HEAD', path, { skipContract: true });
      expect(head.status, `HEAD ${path}`).toBe(get.status);
      expect(head.text, `HEAD ${path}`).toBe('');
      expect(head.headers.get('content-length'), `HEAD ${path}`).toBe(String(Buffer.byteLength(get.text, 'utf8')));
    }
    // A POST-only path no GET route also matches (`/agent/call` is also `GET /agent/{agentId}` on Calleague).
    const postOnly = ops.find(
      (o) => o.method === 'POST' && runtime.router.match('GET', pathOf(planValid(callsim, runtime, o, 5)).split('?')[0]).kind === 'method',
    );
    if (postOnly) {
      const res = await sim.api(vendor, 'HEAD', pathOf(planValid(callsim, runtime, postOnly, 5)), { skipContract: true });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toContain('POST');
      expect(res.text).toBe('');
    }
    const unknown = await sim.api(vendor, 'HEAD', '/no/such/route', { skipContract: true });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toBe('');
  });

  it("answers OPTIONS on every path with 405 and an Allow header listing its methods, in the vendor's envelope", async () => {
    for (const template of new Set(ops.map((o) => o.template))) {
      const op = ops.find((o) => o.template === template)!;
      const path = pathOf(planValid(callsim, runtime, op, 5)).split('?')[0];
      const res = await sim.api(vendor, 'OPTIONS', path, { skipContract: true });
      expectHandled(runtime, undefined, res, `OPTIONS ${path}`);
      expect(res.status, `OPTIONS ${path}`).toBe(405);
      const allow = (res.headers.get('allow') ?? '').split(',').map((s) => s.trim());
      for (const o of ops.filter((x) => x.template === template)) expect(allow, `OPTIONS ${path}`).toContain(o.method);
    }
  });

  it('survives deeply nested objects and objects with thousands of keys', async () => {
    const g = best(() => 0);
    let nested = '1';
    for (let i = 0; i < 20_000; i++) nested = `{"a":${nested}}`;
    const base = JSON.stringify(g.plan.body).slice(0, -1);
    const sep = base.length > 1 ? ',' : '';
    for (const raw of [`${base}${sep}"zz":${nested}}`, `${base}${sep}"metadata":${nested}}`, `${base}${sep}"zz":${'['.repeat(20_000)}${']'.repeat(20_000)}}`]) {
      const res = await send(runtime, g.plan, { raw });
      expectHandled(runtime, g.op, res, `${g.op.operationId} nested ${raw.length} bytes`);
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
  });

  it("keeps validation errors within the spec's size limits, however many or however long the bad fields", async () => {
    const g = best(() => 0);
    const cases: Array<['many' | 'long', Record<string, unknown>]> = [
      ['many', { ...(g.plan.body as object), ...Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])) }],
      ['many', { ...(g.plan.body as object), ...Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`field_${i}`, i])) }],
      ['long', { ...(g.plan.body as object), ['k'.repeat(1200)]: 1 }],
    ];
    for (const [, body] of cases) {
      const what = `${g.op.operationId} with ${Object.keys(body).length} keys, longest ${Math.max(...Object.keys(body).map((k) => k.length))}`;
      const res = await send(runtime, g.plan, { raw: JSON.stringify(body) });
      expectHandled(runtime, g.op, res, what);
      if (!runtime.spec.tolerance.unknownFields) {
        expect(res.status, what).toBeGreaterThanOrEqual(400);
        continue;
      }
      // A tolerant vendor ignores undocumented fields (a create may still meet a state error, such as
      // a number already bought): no error names them, and the warning header stays small.
      if (res.status >= 400) expect(res.text, what).not.toMatch(/k0|field_0|kkkk/);
      const header = res.headers.get('x-callsim-warnings') ?? '';
      expect(header, what).toMatch(new RegExp(`^${Object.keys(body).length - Object.keys(g.plan.body as object).length}; `));
      expect(header.length, what).toBeLessThanOrEqual(1100);
    }
  });

  it('takes a body just under 1 MB, refuses one just over with 413, and a 20 MB one without falling over', async () => {
    const g = best(() => 0);
    const limit = 1024 * 1024;
    const base = JSON.stringify(g.plan.body).slice(0, -1);
    const sep = base.length > 1 ? ',' : '';
    const padded = (size: number) => {
      const head = `${base}${sep}"zz":"`;
      return `${head}${'x'.repeat(size - head.length - 2)}"}`;
    };
    const under = await send(runtime, g.plan, { raw: padded(limit - 10) });
    expectHandled(runtime, g.op, under, 'just under 1 MB');
    expect(under.status).not.toBe(413);
    const over = await send(runtime, g.plan, { raw: padded(limit + 1) });
    expectHandled(runtime, g.op, over, 'just over 1 MB');
    expect(over.status).toBe(413);
    try {
      const huge = await send(runtime, g.plan, { raw: padded(20 * limit) });
      expectHandled(runtime, g.op, huge, '20 MB');
      expect(huge.status).toBe(413);
    } catch (err) {
      // The server may close the connection mid-upload; that is a refusal too.
      expect(String((err as Error).cause ?? err)).toMatch(/socket|closed|reset|EPIPE|terminated/i);
    }
    const after = await sim.api(vendor, 'GET', lists[0]?.template ?? gets[0].template);
    expect(after.status).toBeLessThan(500);
  });

  it('survives duplicate keys, trailing garbage, a BOM and comments in JSON', async () => {
    const g = best(() => 0);
    const raw = JSON.stringify(g.plan.body);
    const inner = raw.slice(1, -1);
    const sep = inner ? ',' : '';
    for (const [label, text, wantError] of [
      ['duplicate keys', `{${inner}${sep}${inner}}`, false],
      ['trailing garbage', `${raw}xyz`, true],
      ['two documents', `${raw}${raw}`, true],
      ['BOM', `\uFEFF${raw}`, false],
      ['comment', `/* hi */${raw}`, true],
      ['single quotes', raw.replace(/"/g, "'"), true],
      ['unterminated string', '{"a": "b', true],
      ['lone surrogate escape', `{${inner}${sep}"zz": "\\ud800"}`, false],
    ] as const) {
      await sim.reset();
      const res = await send(runtime, g.plan, { raw: text });
      expectHandled(runtime, g.op, res, `${g.op.operationId} ${label}`);
      if (wantError) expect(res.status, label).toBeGreaterThanOrEqual(400);
    }
  });

  it('survives odd HTTP framing: chunked bodies, bad chunk sizes, short bodies, Expect: 100-continue', async () => {
    const g = best(() => 0);
    const target = `${prefix}${pathOf(g.plan)}`;
    const json = JSON.stringify(g.plan.body);
    const auth = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
    const head = (extra: Record<string, string>) =>
      [`POST ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries({ ...auth, ...extra }).map(([k, v]) => `${k}: ${v}`)].join('\r\n') +
      '\r\n\r\n';
    const chunked = await rawRequest(sim.url, `${head({ 'Transfer-Encoding': 'chunked' })}${Buffer.byteLength(json).toString(16)}\r\n${json}\r\n0\r\n\r\n`);
    expect(chunked.status, `chunked → ${chunked.statusLine} ${chunked.body.slice(0, 200)}`).toBeLessThan(300);
    await sim.reset();
    const split = Math.floor(json.length / 2);
    const twoChunks = await rawRequest(
      sim.url,
      `${head({ 'Transfer-Encoding': 'chunked' })}${Buffer.byteLength(json.slice(0, split)).toString(16)}\r\n${json.slice(0, split)}\r\n${Buffer.byteLength(json.slice(split)).toString(16)}\r\n${json.slice(split)}\r\n0\r\n\r\n`,
    );
    expect(twoChunks.status, `two chunks → ${twoChunks.statusLine}`).toBeLessThan(300);
    const badChunk = await rawRequest(sim.url, `${head({ 'Transfer-Encoding': 'chunked' })}zz\r\n${json}\r\n0\r\n\r\n`);
    expect(badChunk.status, `bad chunk size → ${badChunk.statusLine}`).toBe(400);
    const both = await rawRequest(
      sim.url,
      `${head({ 'Transfer-Encoding': 'chunked', 'Content-Length': '5' })}${Buffer.byteLength(json).toString(16)}\r\n${json}\r\n0\r\n\r\n`,
    );
    expect(both.status, `chunked + Content-Length → ${both.statusLine}`).toBe(400);
    await sim.reset();
    const expect100 = await rawRequest(sim.url, `${head({ 'Content-Length': String(Buffer.byteLength(json)), Expect: '100-continue' })}${json}`);
    expect(expect100.status === 100 || expect100.status < 300, `Expect: 100-continue → ${expect100.statusLine}`).toBe(true);
    // A body shorter than its Content-Length, then the client stops sending: no answer is owed, no crash allowed.
    const short = await rawRequest(sim.url, `${head({ 'Content-Length': String(Buffer.byteLength(json) + 50) })}${json}`, { halfClose: true, timeoutMs: 2000 });
    expect(short.status === 0 || (short.status >= 400 && short.status < 500), `short body → ${short.statusLine} ${short.error ?? ''}`).toBe(true);
    const negative = await rawRequest(sim.url, `${head({ 'Content-Length': '-1' })}${json}`);
    expect(negative.status, `Content-Length -1 → ${negative.statusLine}`).toBe(400);
    const after = await sim.api(vendor, 'GET', lists[0]?.template ?? gets[0].template);
    expect(after.status).toBeLessThan(500);
  });

  it("answers a crashing handler with a 500 in the vendor's envelope and a diagnostic header, never a hang", async () => {
    const op = lists[0] ?? gets[0];
    const handlers = runtime.adapter.handlers as Record<string, unknown>;
    const original = handlers[op.operationId];
    const messages = ['plain boom', 'boom 🎉', 'boom\r\nX-Injected: 1'];
    const warn = process.emitWarning;
    process.emitWarning = () => undefined;
    try {
      for (const message of messages) {
        handlers[op.operationId] = () => {
          throw new Error(message);
        };
        const res = await withDeadline(sim.api(vendor, 'GET', pathOf(validPlan(runtime, op)), { skipContract: true }), 5000, `crash "${message}"`);
        expect(res.status).toBe(500);
        expect(isVendorError(runtime, res.body) || runtime.validator.validateResponse(op, 500, res.body).length === 0, res.text).toBe(true);
        expect(res.text, 'the vendor answer leaks no simulator internals').not.toContain(message);
        expect(res.headers.get('x-callsim-error')).toBe(message.replace(/[^\x20-\x7e]/g, '?'));
        expect(res.headers.get('x-injected')).toBeNull();
      }
    } finally {
      handlers[op.operationId] = original;
      process.emitWarning = warn;
    }
  });

  it('answers unicode path ids and query keys with a 404 or a normal answer', async () => {
    for (const op of gets.filter((o) => o.template.includes('{'))) {
      for (const id of ['агент', '🎉', 'ﬀ', 'a b', '\u202Eevil', '%', '..', 'x'.repeat(64)]) {
        const path = op.template.replace(/\{[^}]+\}/g, encodeURIComponent(id));
        const res = await sim.api(vendor, 'GET', path);
        expectHandled(runtime, op, res, `GET ${path}`);
        expect(res.status, `GET ${path}`).toBeGreaterThanOrEqual(400);
      }
    }
    for (const list of lists) {
      const res = await sim.api(vendor, 'GET', `${list.template}?${encodeURIComponent('ключ')}=1&${encodeURIComponent('🎉')}=x`);
      expectHandled(runtime, list, res, `${list.operationId} unicode keys`);
    }
  });

  it('answers odd Authorization headers with 401 (or the key, if it is still one), never a 5xx', async () => {
    const list = lists[0] ?? gets[0];
    const path = pathOf(validPlan(runtime, list));
    const cases: Array<[string, number[]]> = [
      ['Bearer', [401]],
      ['Bearer ', [401]],
      [`Bearer  ${key}`, [200]],
      [`bearer ${key}`, [200]],
      [`Bearer ${key} extra`, [401]],
      [`Bearer ${'k'.repeat(8000)}`, [401]],
      [`Bearer ${key}, Bearer other`, [401]],
      [`Token ${key}`, [401]],
      [key, [401]],
      [`Bearer ${key}\t`, [200]],
    ];
    for (const [auth, want] of cases) {
      const res = await sim.api(vendor, 'GET', path, { key: null, headers: { authorization: auth } });
      expectHandled(runtime, list, res, `Authorization: ${auth.slice(0, 40)}`);
      expect(want, `Authorization: ${auth.slice(0, 40)} → ${res.status}`).toContain(res.status);
    }
  });
});
