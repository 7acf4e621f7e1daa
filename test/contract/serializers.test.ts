/**
 * Compiled response serialisers: a body that fits its shape is written with the same JSON as
 * JSON.stringify (no field dropped, no value coerced); any other body is JSON.stringify's.
 */
import { readdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import fastJson from 'fast-json-stringify';
import { describe, expect, it } from 'vitest';
import { loadContract, VALIDATORS_DIR } from '../../src/contract/load.js';
import { fitsSchema, type Shape, shapeAt } from '../../src/contract/shape.js';
import { resolvePointer } from '../../src/contract/spec.js';
import { makeFitsAjv } from '../../src/contract/validator.js';
import { specPath } from '../../src/fixtures/index.js';

const compile = (shape: Shape) => {
  const fits = makeFitsAjv().compile(fitsSchema(shape));
  const write = fastJson(shape as object);
  return (v: unknown) => (fits(v) ? { fast: true, text: write(v) } : { fast: false, text: JSON.stringify(v) });
};

/** Shapes of every kind shape.ts makes: scalars and their unions, objects closed or with extra keys, arrays. */
const shapes: fc.Arbitrary<Shape> = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<Shape>({}),
    fc.constantFrom<Shape>(
      { type: 'string' },
      { type: 'integer' },
      { type: 'number' },
      { type: 'boolean' },
      { type: 'null' },
      { type: ['string', 'null'] },
      { type: ['integer', 'null'] },
      { type: ['boolean', 'string'] },
    ),
    fc.record({
      type: fc.constantFrom<string | string[]>('object', ['object', 'null']),
      properties: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'id', 'toJSON', 'x y'), tie('shape'), { maxKeys: 4 }),
      additionalProperties: fc.oneof(fc.constant<false>(false), tie('shape')),
    }),
    fc.record({ type: fc.constantFrom<string | string[]>('array', ['array', 'null']), items: tie('shape') }),
  ),
})).shape;

/** Values of every JSON kind and a few that are not JSON (undefined, NaN, a Date, a function). */
const values: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(
      null,
      true,
      false,
      0,
      -0,
      1,
      -7,
      2.5,
      1e21,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      undefined,
      '',
      'é"\\\n\u2028',
      '\ud800',
      new Date(0),
      () => 1,
    ),
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'id', 'toJSON', 'x y', 'z'), tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('compiled serialisers', () => {
  it('write a value that fits exactly as JSON.stringify does, and leave every other value to it', () => {
    let fast = 0;
    fc.assert(
      fc.property(shapes, fc.array(values, { minLength: 8, maxLength: 8 }), (shape, vs) => {
        const write = compile(shape);
        for (const v of vs) {
          const out = write(v);
          const want = JSON.stringify(v);
          if (out.fast) fast++;
          if (want === undefined) expect(out.fast).toBe(false);
          else expect(isDeepStrictEqual(JSON.parse(out.text), JSON.parse(want))).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
    // The property means little if the fast path never ran.
    expect(fast).toBeGreaterThan(200);
  });

  it('send a body with a key its schema does not know whole, through JSON.stringify', () => {
    const contract = loadContract(specPath('jagcall'), 'jagcall');
    const op = contract.spec.operations.find((o) => o.operationId === 'getAgent')!;
    const write = contract.serializers!.for(op, 200)!;
    expect(write).toBeTypeOf('function');
    const agent = {
      id: 'agt_1',
      name: 'A',
      status: 'active',
      phone_number: null,
      voice_id: 'rachel',
      language: 'en',
      system_prompt: null,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: null,
    };
    expect(write(agent)).toBe(JSON.stringify(agent));
    const extra = { ...agent, surprise: { nested: [1, 2] } };
    expect(JSON.parse(write(extra))).toEqual(extra);
    // A value of the wrong type is not coerced (a compiled serialiser alone would write "5").
    const wrong = { ...agent, name: 5 };
    expect(write(wrong)).toBe(JSON.stringify(wrong));
  });

  it("write every documented example of every spec as JSON.stringify does, through the build's modules", () => {
    const specs = readdirSync(VALIDATORS_DIR)
      .filter((f) => f.endsWith('.serializers'))
      .map((f) => f.split('.')[0]);
    expect(specs.sort()).toEqual(['admin', 'calleague', 'callgenius', 'callingbox', 'jagcall']);
    let checked = 0;
    for (const id of specs) {
      const contract = loadContract(specPath(id), id);
      for (const op of contract.spec.operations) {
        for (const [status, pointer] of Object.entries(op.responses)) {
          const examples = pointer && resolvePointer(contract.spec.doc, pointer.replace(/\/schema$/, ''))?.examples;
          const write = Number(status) ? contract.serializers!.for(op, Number(status)) : undefined;
          if (!examples || !write) continue;
          for (const ex of Object.values<{ value?: unknown }>(examples)) {
            if (ex.value === undefined) continue;
            expect(JSON.parse(write(ex.value)), `${id} ${op.operationId} ${status}`).toEqual(ex.value);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('reduce nullable references and single-branch allOf to one typed shape', () => {
    const contract = loadContract(specPath('jagcall'), 'jagcall');
    const op = contract.spec.operations.find((o) => o.operationId === 'createAgent')!;
    const shape = shapeAt(contract.spec.doc, op.responses['201']!);
    expect(shape.type).toBe('object');
    expect(shape.additionalProperties).toBe(false);
    expect(shape.properties?.phone_number).toEqual({ type: ['string', 'null'] });
    expect(shape.properties?.name).toEqual({ type: 'string' });
  });
});
