import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../helpers/sim.js';

/**
 * The policy for what the pages don't say (each spec's `x-callsim-tolerance`), per vendor and per
 * class: an undocumented body field or query parameter, a page size above its maximum, a number
 * sent as a string, nested metadata. Each is answered as a tolerant production API would and
 * reported three ways (the `x-callsim-warnings` header, the journal entry, /journal/violations);
 * `--strict` turns each into the vendor's own validation error.
 */
interface Case {
  vendor: string;
  /** A create carrying an unknown field (and, where the vendor has one, nested metadata or a numeric string). */
  create: { path: string; body: Record<string, unknown>; warnings: string[] };
  /** A list asked for more than its maximum page, with an unknown parameter. */
  list: { path: string; warnings: string[] };
  /** The vendor's validation status under --strict. */
  strictStatus: number;
}

const cases: Case[] = [
  {
    vendor: 'calleague',
    create: {
      path: '/api/core/voice/agent/call',
      body: { agentId: 'ag_123', to: '+14155550123', colour: 'red', metadata: { order: { id: 'A-1' } } },
      warnings: ['colour', 'metadata.order'],
    },
    list: { path: '/api/core/voice/call/list?pageSize=500&sort=desc', warnings: ['pageSize', 'sort'] },
    strictStatus: 422,
  },
  {
    vendor: 'callgenius',
    create: {
      path: '/api/agents',
      body: { name: 'Recepción', voice: 'aria', language: 'es-419', humour_level: '20', colour: 'red' },
      warnings: ['humour_level', 'colour'],
    },
    list: { path: '/api/calls?per_page=500&cursor=abc', warnings: ['per_page', 'cursor'] },
    strictStatus: 422,
  },
  {
    vendor: 'callingbox',
    create: {
      path: '/v1/calls',
      body: { agent_id: 'agent_3f9a1c2b7d4e', to: '+14155559876', priority: 'high', metadata: { crm: { id: 7 } } },
      warnings: ['priority', 'metadata.crm'],
    },
    list: { path: '/v1/calls?limit=500&sort=desc', warnings: ['limit', 'sort'] },
    strictStatus: 400,
  },
  {
    vendor: 'jagcall',
    create: {
      path: '/v1/calls',
      body: { agent_id: 'agt_xxx', to: '+14155559876', colour: 'red', metadata: { crm: { id: 7 } } },
      warnings: ['colour', 'metadata.crm'],
    },
    list: { path: '/v1/calls?per_page=500&sort=desc', warnings: ['per_page', 'sort'] },
    strictStatus: 422,
  },
];

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.reset();
  await sim.admin('PUT', '/config', { strict: false });
});

const fieldsOf = (rows: Array<{ field: string }>) => rows.map((w) => w.field).sort();

describe.each(cases)('$vendor tolerance', (c) => {
  it('answers a create with an unknown field (and nested metadata or a numeric string) and warns three ways', async () => {
    const r = await sim.api(c.vendor, 'POST', c.create.path, { body: c.create.body });
    expect(r.status, r.text).toBeLessThan(300);
    expect(r.headers.get('x-callsim-warnings')).toMatch(new RegExp(`^${c.create.warnings.length}; `));
    const entry = (await sim.admin('GET', `/journal?vendor=${c.vendor}&limit=1`)).body.data[0];
    expect(entry.violations).toEqual([]);
    expect(entry.warningCount).toBe(c.create.warnings.length);
    expect(fieldsOf(entry.warnings)).toEqual([...c.create.warnings].sort());
    const listed = (await sim.admin('GET', '/journal/violations')).body.data;
    expect(listed.map((e: { id: number }) => e.id)).toContain(entry.id);
  });

  it('clamps a page size above the maximum and ignores an unknown query parameter, with warnings', async () => {
    const r = await sim.api(c.vendor, 'GET', c.list.path);
    expect(r.status, r.text).toBe(200);
    const header = r.headers.get('x-callsim-warnings') ?? '';
    expect(header).toMatch(/^2; /);
    expect(header).toMatch(/above 100 was taken as 100/);
    const entry = (await sim.admin('GET', `/journal?vendor=${c.vendor}&limit=1`)).body.data[0];
    expect(fieldsOf(entry.warnings)).toEqual([...c.list.warnings].sort());
  });

  it('under --strict refuses each with its own validation error, naming the field', async () => {
    expect((await sim.admin('PUT', '/config', { strict: true })).status).toBe(200);
    const create = await sim.api(c.vendor, 'POST', c.create.path, { body: c.create.body });
    expect(create.status).toBe(c.strictStatus);
    for (const f of c.create.warnings) expect(create.text).toContain(f.split('.')[0]);
    expect(create.headers.get('x-callsim-warnings')).toBeNull();
    const list = await sim.api(c.vendor, 'GET', c.list.path);
    expect(list.status).toBeGreaterThanOrEqual(400);
    expect(list.status).toBeLessThan(500);
    const entry = (await sim.admin('GET', `/journal?vendor=${c.vendor}&limit=1`)).body.data[0];
    expect(fieldsOf(entry.violations)).toEqual([...c.list.warnings].sort());
    expect(entry.warnings).toEqual([]);
  });
});

describe('what the tolerance does not let pass', () => {
  it('a numeric string that is not a whole number stays an error; a coerced one is stored as the number', async () => {
    const bad = await sim.api('callgenius', 'POST', '/api/agents', { body: { name: 'x', voice: 'aria', language: 'en-AU', humour_level: '2.5' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.humour_level).toBeDefined();
    const good = await sim.api('callgenius', 'POST', '/api/agents', { body: { name: 'x', voice: 'aria', language: 'en-AU', humour_level: '20' } });
    expect(good.status).toBeLessThan(300);
    const agent = await sim.api('callgenius', 'GET', `/api/agents/${good.body.id ?? good.body.data?.id}`);
    expect(agent.text).toMatch(/"humour_level":20\b/);
  });

  it('a coerced number above its maximum is refused on the coerced value', async () => {
    const r = await sim.api('callgenius', 'POST', '/api/agents', { body: { name: 'x', voice: 'aria', language: 'en-AU', humour_level: '31' } });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual({ humour_level: ['The humour level field must not be greater than 30.'] });
  });

  it('a page size of 0 or a negative page is still an error (only sizes above the maximum clamp)', async () => {
    expect((await sim.api('jagcall', 'GET', '/v1/calls?per_page=0')).status).toBe(422);
    expect((await sim.api('jagcall', 'GET', '/v1/calls?page=-1')).status).toBe(422);
  });

  it('any well-formed BCP-47 tag is a language; a malformed one is not', async () => {
    for (const language of ['es-419', 'zh-Hant-TW', 'sr-Latn', 'en-AU', 'EN-au', 'de-CH-1996']) {
      const r = await sim.api('callgenius', 'POST', '/api/agents', { body: { name: 'x', voice: 'aria', language } });
      expect(r.status, `${language}: ${r.text}`).toBeLessThan(300);
    }
    for (const language of ['englishlanguage', 'e', 'en_US', 'en-', '419']) {
      const r = await sim.api('callgenius', 'POST', '/api/agents', { body: { name: 'x', voice: 'aria', language } });
      expect(r.status, language).toBe(422);
    }
  });
});

describe('nested metadata within sane bounds', () => {
  it('keeps nested metadata up to 16 KB a value, and refuses a larger one with the validation error', async () => {
    const small = await sim.api('jagcall', 'POST', '/v1/calls', {
      body: { agent_id: 'agt_xxx', to: '+14155559876', metadata: { crm: { notes: 'x'.repeat(10_000) } } },
    });
    expect(small.status).toBe(201);
    expect(small.body.metadata.crm.notes).toHaveLength(10_000);
    const big = await sim.api('jagcall', 'POST', '/v1/calls', {
      body: { agent_id: 'agt_xxx', to: '+14155559876', metadata: { crm: { notes: 'x'.repeat(20_000) } } },
    });
    expect(big.status).toBe(422);
    expect(big.text).toContain('metadata.crm');
  });
});
