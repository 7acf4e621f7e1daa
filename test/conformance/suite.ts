import { describe, expect, it } from 'vitest';
import type { TestSim } from '../helpers/sim.js';
import type { Probe } from './probes.js';

/** A key of some other vendor: each vendor's gateway must refuse it like any unknown key. */
const someoneElsesKey = (vendor: string) => (vendor === 'jagcall' ? 'sk_test_demo' : 'jc_test_demo');

/**
 * The shared conformance suite: what every vendor must do the same way (auth, isolation, 404s, bad
 * JSON, validation status, odd bodies, pagination edges, 405). Run over the built-in vendors and
 * over a toy vendor added the way a contributor adds one.
 */
export function conformanceSuite(probes: Probe[], getSim: () => TestSim): void {
  describe.each(probes)('$vendor conformance', (p) => {
    const sim = () => getSim();
    const api = (method: string, path: string, o: Parameters<TestSim['api']>[3] = {}) => sim().api(p.vendor, method, path, o);

    it("answers 401 in its own shape without a key, with a wrong key, and with another vendor's key", async () => {
      for (const key of [null, 'nope_123', someoneElsesKey(p.vendor)]) {
        const r = await api('GET', p.list, { key });
        expect(r.status, `key ${key}`).toBe(401);
        expect(p.isError(r.body), r.text).toBe(true);
      }
      const basic = await api('GET', p.list, { key: null, headers: { authorization: 'Basic abc' } });
      expect(basic.status).toBe(401);
    });

    it("keeps accounts apart: another account's id is 404, and its list shows none of the demo records", async () => {
      expect((await api('GET', p.own)).status).toBe(200);
      const foreign = await api('GET', p.foreign);
      expect(foreign.status).toBe(404);
      expect(p.isError(foreign.body)).toBe(true);
      expect((await api('GET', p.own, { key: p.otherKey })).status).toBe(404);
      const otherList = await api('GET', p.list, { key: p.otherKey });
      expect(otherList.text).not.toContain(p.own.split('/').pop());
    });

    it('answers 404 in its own shape for unknown ids and unknown paths', async () => {
      for (const path of [p.unknown, '/definitely/not/here', '/v1/calls/..%2F..%2Fetc%2Fpasswd', '/v1/calls/%00', '/v1/calls/%E0%A4%A']) {
        const r = await api('GET', path);
        expect(r.status, path).toBe(404);
        expect(p.isError(r.body), r.text).toBe(true);
      }
    });

    it('rejects malformed JSON with 400, wrong types with its validation status naming the field', async () => {
      const bad = await api('POST', p.create.path, { raw: '{"to": "+1', headers: { 'content-type': 'application/json' } });
      expect(bad.status).toBe(400);
      expect(p.isError(bad.body)).toBe(true);
      const wrong = await api('POST', p.create.path, { body: p.create.wrongTypes });
      expect(wrong.status).toBe(p.validationStatus);
      expect(wrong.text).toContain(p.create.field);
      const ok = await api('POST', p.create.path, { body: p.create.body });
      expect(ok.status).toBeLessThan(300);
    });

    it("refuses odd content types (the vendor's documented status), huge bodies (413) and prototype-polluting keys, never a 5xx", async () => {
      const text = await api('POST', p.create.path, { raw: 'to=+1415', headers: { 'content-type': 'text/plain' } });
      expect(text.status).toBe(p.contentTypeStatus);
      expect(p.isError(text.body)).toBe(true);
      // Valid JSON without the header is the same mistake ("or header missing").
      const bare = await api('POST', p.create.path, { raw: Buffer.from(JSON.stringify(p.create.body)) });
      expect(bare.status).toBe(p.contentTypeStatus);
      expect(p.isError(bare.body)).toBe(true);
      const huge = await api('POST', p.create.path, {
        raw: JSON.stringify({ ...p.create.body, pad: 'x'.repeat(1_100_000) }),
        headers: { 'content-type': 'application/json' },
      });
      expect(huge.status).toBe(413);
      expect(p.isError(huge.body)).toBe(true);
      const proto = await api('POST', p.create.path, {
        raw: `{"__proto__": {"polluted": true}, ${JSON.stringify(p.create.body).slice(1)}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(proto.status).toBeGreaterThanOrEqual(400);
      expect(proto.status).toBeLessThan(500);
      expect(({} as any).polluted).toBeUndefined();
      const deep = await api('POST', p.create.path, { raw: '['.repeat(50_000) + ']'.repeat(50_000), headers: { 'content-type': 'application/json' } });
      expect(deep.status).toBeGreaterThanOrEqual(400);
      expect(deep.status).toBeLessThan(500);
      const unicode = await api('POST', p.create.path, { body: { ...p.create.body, metadata: { note: 'şğü 日本 🎉' } } });
      expect(unicode.status).toBeLessThan(500);
    });

    it.runIf(!!p.page)('handles pagination edges: page 0, negative, zero sizes are 4xx; too large clamps or is 4xx; past the end is empty', async () => {
      const { page, size, max } = p.page!;
      for (const q of [`${page}=0`, `${page}=-1`, `${size}=0`, `${page}=abc`, `${page}=1e999`]) {
        const r = await api('GET', `${p.list}?${q}`);
        expect(r.status, q).toBeGreaterThanOrEqual(400);
        expect(r.status, q).toBeLessThan(500);
        expect(p.isError(r.body)).toBe(true);
      }
      // A size above the maximum is what a tolerant API clamps (with a warning) where the spec says so.
      const clamps = sim()
        .running.sim.vendors.find((v) => v.adapter.name === p.vendor)
        ?.spec.tolerance.clampQuery?.includes(size);
      const huge = await api('GET', `${p.list}?${size}=${max + 1}`);
      if (clamps) {
        expect(huge.status, huge.text).toBe(200);
        expect(huge.headers.get('x-callsim-warnings')).toMatch(new RegExp(`^1; ${size} above ${max} was taken as ${max}`));
      } else {
        expect(huge.status).toBeGreaterThanOrEqual(400);
        expect(p.isError(huge.body)).toBe(true);
      }
      const far = await api('GET', `${p.list}?${page}=99999`);
      expect(far.status).toBe(200);
      expect(JSON.stringify(far.body)).toMatch(/\[\]/);
      expect((await api('GET', `${p.list}?${size}=1`)).status).toBe(200);
    });

    it('answers an unsupported method on a known path with 405 and Allow, in its own shape', async () => {
      const r = await api('PATCH', p.list, { body: {} });
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toContain('GET');
      expect(p.isError(r.body)).toBe(true);
    });
  });
}
