/**
 * `--spec name=FILE`: any OpenAPI 3.0/3.1 document served under `/<name>` through Prism, and taking
 * part in everything else (journal, coverage, report, faults) like a built-in vendor.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Router } from '../../src/contract/router.js';
import { loadSpecDoc } from '../../src/contract/spec.js';
import { ContractValidator } from '../../src/contract/validator.js';
import { startSimulator } from '../../src/index.js';
import { readMountDocument } from '../../src/mounts/document.js';

const PETSTORE = join(import.meta.dirname, 'petstore.yaml');
const TOY = join(import.meta.dirname, '../toy/toy.yaml');
const KEY = { 'x-api-key': 'anything' };

/** The petstore's own contract, as an oracle for the answers Prism gives. */
const contract = (() => {
  const spec = loadSpecDoc(readMountDocument(PETSTORE).contract, 'petstore');
  return { validator: new ContractValidator(spec), router: new Router(spec.operations) };
})();

interface Res {
  status: number;
  type: string;
  body: any;
}

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;

async function call(s: Sim, method: string, path: string, o: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Res> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(s.url + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await r.text();
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}

/** An answer of a documented operation must match the document (status and schema). */
function matchesDocument(method: string, path: string, res: Res): void {
  const m = contract.router.match(method, path.split('?')[0]);
  if (m.kind !== 'found') throw new Error(`${method} ${path} is not in the petstore`);
  expect(contract.validator.validateResponse(m.op, res.status, res.body, res.type), `${method} ${path} → ${res.status}`).toEqual([]);
}

beforeAll(async () => {
  sim = await startSimulator({
    clock: 'virtual',
    seed: 9,
    specs: [
      { name: 'pets', file: PETSTORE },
      { name: 'fakepets', file: PETSTORE, mode: 'dynamic' },
      { name: 'toy', file: TOY },
    ],
  });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(async () => {
  await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
  await fetch(`${sim.url}/__sim/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"faults": []}' });
});

describe('a mounted OpenAPI 3.0 document (static)', () => {
  it('answers the documented examples, checking its security scheme', async () => {
    const list = await call(sim, 'GET', '/pets/pets', { headers: KEY });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      { id: 1, name: 'Rex', tag: 'dog' },
      { id: 2, name: 'Tom', tag: null },
    ]);
    matchesDocument('GET', '/pets', list);
    const created = await call(sim, 'POST', '/pets/pets', { headers: KEY, body: { name: 'Bo', tag: null } });
    expect(created).toMatchObject({ status: 201, body: { id: 3, name: 'Kitty' } });
    const noKey = await call(sim, 'GET', '/pets/pets');
    expect(noKey.status).toBe(401);
    matchesDocument('GET', '/pets', noKey);
    // An operation with `security: []` needs none.
    expect(await call(sim, 'GET', '/pets/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('honours Prefer: example= and code=, as Prism does', async () => {
    expect((await call(sim, 'GET', '/pets/pets/2', { headers: { ...KEY, prefer: 'example=tom' } })).body).toEqual({ id: 2, name: 'Tom', tag: null });
    const missing = await call(sim, 'GET', '/pets/pets/2', { headers: { ...KEY, prefer: 'code=404' } });
    expect(missing).toMatchObject({ status: 404, body: { code: 404, message: 'No such pet' } });
  });

  it('answers a bad request as the document says, and records every violation in the journal and coverage', async () => {
    const bad = await call(sim, 'POST', '/pets/pets', { headers: KEY, body: { name: '', colour: 'red' } });
    expect(bad).toMatchObject({ status: 422, body: { code: 422, message: 'Invalid pet' } });
    const noExample = await call(sim, 'GET', '/pets/pets?limit=0', { headers: KEY });
    expect(noExample.status).toBe(422);
    expect(noExample.type).toBe('application/problem+json');
    expect(noExample.body.type).toContain('UNPROCESSABLE_ENTITY');
    const nowhere = await call(sim, 'GET', '/pets/nowhere', { headers: KEY });
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.type).toContain('NO_PATH_MATCHED_ERROR');

    const journal = (await call(sim, 'GET', '/__sim/journal?vendor=pets')).body.data;
    expect(journal.map((e: any) => [e.operationId, e.status])).toEqual([
      ['createPet', 422],
      ['listPets', 422],
      [null, 404],
    ]);
    expect(journal[0].violations.map((v: any) => [v.field, v.rule])).toEqual(
      expect.arrayContaining([
        ['name', 'minLength'],
        ['colour', 'additionalProperties'],
      ]),
    );
    const cov = (await call(sim, 'GET', '/__sim/coverage')).body.vendors.find((v: any) => v.name === 'pets');
    expect(cov).toMatchObject({ kind: 'spec', unmatched: { count: 1 } });
    expect(cov.operations.map((o: any) => o.operationId)).toEqual(['listPets', 'createPet', 'showPetById', 'get /health']);
    expect(cov.operations[1]).toMatchObject({ calls: 1, violatingCalls: 1, responses: expect.arrayContaining([{ status: '422', declared: true, count: 1 }]) });
    const report = (await call(sim, 'GET', '/__sim/report')).body;
    expect(report.violations.filter((v: any) => v.vendor === 'pets').map((v: any) => v.operationId)).toEqual(expect.arrayContaining(['createPet', 'listPets']));
  });

  it('takes fault rules and delays like a vendor (the body in problem+json)', async () => {
    const put = await fetch(`${sim.url}/__sim/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults: [{ vendor: 'pets', method: 'GET', path: '/pets/{petId}', status: 503 }] }),
    });
    expect(put.status).toBe(200);
    const r = await call(sim, 'GET', '/pets/pets/1', { headers: KEY });
    expect(r).toMatchObject({ status: 503, type: 'application/problem+json', body: { status: 503, title: 'Service Unavailable' } });
    expect((await call(sim, 'GET', '/pets/pets', { headers: KEY })).status).toBe(200);
    await fetch(`${sim.url}/__sim/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults: [{ vendor: 'pets', delayMs: 150 }] }),
    });
    const t = performance.now();
    expect((await call(sim, 'GET', '/pets/pets', { headers: KEY })).status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(140);
  });
});

describe('mode: dynamic', () => {
  it('generates bodies from the schemas: valid, varying, and the same for the same seed', async () => {
    const first = await call(sim, 'GET', '/fakepets/pets/1', { headers: KEY });
    const second = await call(sim, 'GET', '/fakepets/pets/1', { headers: KEY });
    for (const r of [first, second]) {
      expect(r.status).toBe(200);
      matchesDocument('GET', '/pets/1', r);
    }
    expect(first.body).not.toEqual(second.body);
    expect([{ id: 1, name: 'Rex', tag: 'dog' }]).not.toContainEqual(first.body);

    const again = await startSimulator({ clock: 'virtual', seed: 9, specs: [{ name: 'fakepets', file: PETSTORE, mode: 'dynamic' }] });
    try {
      expect((await call(again, 'GET', '/fakepets/pets/1', { headers: KEY })).body).toEqual(first.body);
      expect((await call(again, 'GET', '/fakepets/pets/1', { headers: KEY })).body).toEqual(second.body);
    } finally {
      await again.stop();
    }
    // `Prefer: example=` still picks the documented example.
    expect((await call(sim, 'GET', '/fakepets/pets/2', { headers: { ...KEY, prefer: 'example=rex' } })).body).toEqual({ id: 1, name: 'Rex', tag: 'dog' });
  });
});

describe('a mounted OpenAPI 3.1 document', () => {
  it('serves it with its bearer security checked', async () => {
    const r = await call(sim, 'GET', '/toy/v1/calls/c1', { headers: { authorization: 'Bearer whatever' } });
    expect(r.status).toBe(200);
    expect(typeof r.body.id).toBe('string');
    expect((await call(sim, 'GET', '/toy/v1/calls/c1')).status).toBe(401);
    expect((await call(sim, 'GET', '/__sim/coverage')).body.vendors.map((v: any) => v.name)).toEqual(expect.arrayContaining(['pets', 'fakepets', 'toy']));
  });
});

describe('start-up refusals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callsim-mounts-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const refused = (specs: Array<{ name: string; file: string }>) => startSimulator({ specs });

  it('names the file and the problem of a broken document', async () => {
    const cases: Array<[string, string]> = [
      [join(dir, 'missing.yaml'), 'cannot read it'],
      [file('bad.yaml', 'openapi: 3.0.0\npaths: [\n'), 'not valid YAML'],
      [file('swagger.yaml', 'swagger: "2.0"\npaths: {}\n'), 'not an OpenAPI 3.0 or 3.1 document (swagger 2.0)'],
      [file('nopaths.json', '{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}}'), 'it has no `paths`'],
      [
        file(
          'external.yaml',
          'openapi: 3.1.0\ninfo: {title: x, version: "1"}\npaths:\n  /a:\n    get:\n      responses:\n        "200": {$ref: "other.yaml#/x"}\n',
        ),
        '$ref "other.yaml#/x" points outside the document',
      ],
      [
        file(
          'dangling.yaml',
          'openapi: 3.1.0\ninfo: {title: x, version: "1"}\npaths:\n  /a:\n    get:\n      responses:\n        "200": {$ref: "#/components/responses/Nope"}\n',
        ),
        'points at nothing in the document',
      ],
    ];
    for (const [path, problem] of cases) {
      const err = await refused([{ name: 'broken', file: path }]).then(
        () => undefined,
        (e: Error) => e.message,
      );
      expect(err, path).toContain(`--spec ${path}: `);
      expect(err, path).toContain(problem);
    }
  });

  it('refuses a name taken by a built-in vendor, the admin API or another mount', async () => {
    await expect(refused([{ name: 'jagcall', file: PETSTORE }])).rejects.toThrow('the name jagcall is taken by the built-in vendor JagCall (/jagcall)');
    await expect(refused([{ name: 'assets', file: PETSTORE }])).rejects.toThrow("taken by the dashboard's files");
    await expect(
      refused([
        { name: 'a', file: PETSTORE },
        { name: 'a', file: PETSTORE },
      ]),
    ).rejects.toThrow('the name a is mounted twice');
    await expect(refused([{ name: '__sim', file: PETSTORE }])).rejects.toThrow(
      'specs.0.name: must be lower-case letters, digits, `_` or `-`, starting with a letter (got "__sim")',
    );
  });
});
