import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { documentedStatus, type LoadedSpec, type OperationDef } from './spec.js';
import type { Violation } from './types.js';

// ajv and ajv-formats are loaded on first compile: a server whose validators were all precompiled
// at build time never loads them (~150 ms of start-up).
const require = createRequire(import.meta.url);

/** The most violations one request is reported with; the rest are counted. */
const MAX_VIOLATIONS = 200;

export function makeAjv(coerce: boolean, code?: object): Ajv2020 {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const addFormats = require('ajv-formats') as (a: Ajv2020) => void;
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    useDefaults: true,
    coerceTypes: coerce ? 'array' : false,
    validateFormats: true,
    discriminator: false,
    allowUnionTypes: true,
    validateSchema: false,
    ...(code ? { code } : {}),
  });
  addFormats(ajv);
  return ajv;
}

/**
 * The checks that a response fits its compiled serialiser (shape.ts): the first failure is enough,
 * and numbers must be finite, as the serialiser writes them.
 */
export function makeFitsAjv(code?: object): Ajv2020 {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  return new Ajv2020({ strict: false, strictNumbers: true, allErrors: false, validateSchema: false, allowUnionTypes: true, ...(code ? { code } : {}) });
}

type Validators = Record<string, ValidateFunction>;

/**
 * Validators generated at build time (`ajv` standalone code): request bodies and parameters by
 * `validatorNames`, schemas checked by pointer by `pointerName`. Each module is loaded when first
 * needed, so start-up reads none of a vendor's until its first request.
 */
export interface Precompiled {
  body: () => Validators;
  params: () => Validators;
  /** The validator of a schema checked by pointer, by `pointerName`, if the build made one. */
  at: (name: string) => ValidateFunction | undefined;
}

/** The one naming of an operation's request validators, shared by build and run time. */
export const validatorNames = (op: OperationDef) => ({
  path: `${op.operationId}__path`,
  query: `${op.operationId}__query`,
  body: (ct: string) => `${op.operationId}__body__${ct.replace(/[^a-z0-9]/gi, '_')}`,
});

/**
 * Schemas the code checks by pointer at start-up and on admin requests (options from every source,
 * a call's media settings, snapshots): precompiled with the request validators, by `pointerName`.
 */
export const POINTERS_CHECKED = ['#/components/schemas/Options', '#/components/schemas/CallMediaPatch', '#/components/schemas/SnapshotInput'];
export const pointerName = (pointer: string): string => `at__${pointer.replace(/^#\/components\/schemas\//, '').replace(/[^a-z0-9]/gi, '_')}`;

export interface OperationValidators {
  params?: ValidateFunction;
  query?: ValidateFunction;
  body: Record<string, ValidateFunction>;
}

/** Parameters → one object schema, with `$ref`s pointed into the spec document. */
export function paramsSchema(specId: string, op: OperationDef, where: 'path' | 'query'): object | undefined {
  const params = op.params.filter((p) => p.in === where);
  if (!params.length) return undefined;
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, rewriteRefs(p.schema, specId)])),
    required: params.filter((p) => p.required).map((p) => p.name),
  };
}

function rewriteRefs(node: any, specId: string): any {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, specId));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? specId + v : rewriteRefs(v, specId);
  return out;
}

/**
 * Each operation's request validators, precompiled ones taken on the operation's first request
 * (compiled at start-up when the build did not precompile this spec); response validators are
 * compiled on first use (tests and `--strict` only), so plain serving never pays for them.
 */
export class ContractValidator {
  private ajvs: { body?: Ajv2020; param?: Ajv2020 } = {};
  private ops = new Map<string, OperationValidators>();
  private responses = new Map<string, ValidateFunction | null>();

  constructor(
    readonly spec: LoadedSpec,
    private precompiled?: Precompiled,
  ) {
    if (!precompiled) for (const op of spec.operations) this.ops.set(op.operationId, this.compileOperation(op));
  }

  private validatorsOf(op: OperationDef): OperationValidators {
    let v = this.ops.get(op.operationId);
    if (!v) this.ops.set(op.operationId, (v = this.compileOperation(op, this.precompiled)));
    return v;
  }

  /** The ajv instances with the whole document, made on first compile (never, when the build precompiled everything asked). */
  private get bodyAjv(): Ajv2020 {
    return (this.ajvs.body ??= makeAjv(false).addSchema(this.spec.doc, this.spec.id) as Ajv2020);
  }

  private get paramAjv(): Ajv2020 {
    return (this.ajvs.param ??= makeAjv(true).addSchema(this.spec.doc, this.spec.id) as Ajv2020);
  }

  private compileOperation(op: OperationDef, pre?: Precompiled): OperationValidators {
    const names = validatorNames(op);
    const path = paramsSchema(this.spec.id, op, 'path');
    const query = paramsSchema(this.spec.id, op, 'query');
    const body: Record<string, ValidateFunction> = {};
    for (const [ct, pointer] of Object.entries(op.body?.pointers ?? {})) {
      if (ct.includes('json')) body[ct] = pre?.body()[names.body(ct)] ?? this.bodyAjv.compile({ $ref: this.spec.id + pointer });
    }
    return {
      params: path ? (pre?.params()[names.path] ?? this.paramAjv.compile(path)) : undefined,
      query: query ? (pre?.params()[names.query] ?? this.paramAjv.compile(query)) : undefined,
      body,
    };
  }

  /** Coerces and defaults `params` and `query` in place; returns what broke the contract. */
  /**
   * What the request got wrong, at most MAX_VIOLATIONS of it (a body with 90,000 unknown keys must
   * not cost 90,000 rows downstream); `counter.total` gets how many there were in all.
   */
  validateRequest(
    op: OperationDef,
    params: Record<string, unknown>,
    query: Record<string, unknown>,
    body: unknown,
    contentType?: string,
    counter?: { total: number; unknown?: number },
  ): Violation[] {
    const v = this.validatorsOf(op);
    const out: Violation[] = [];
    let total = 0;
    let unknown = 0;
    const take = (errors: ErrorObject[] | null | undefined, where: Violation['location']) => {
      total += errors?.length ?? 0;
      for (const e of errors ?? []) if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') unknown++;
      out.push(...toViolations(errors?.slice(0, MAX_VIOLATIONS - out.length), where));
    };
    if (v.params && !v.params(params)) take(v.params.errors, 'path');
    if (v.query && !v.query(query)) take(v.query.errors, 'query');
    if (contentType && body !== undefined) {
      const fn = v.body[contentType];
      if (fn && !fn(body)) take(fn.errors, 'body');
    }
    if (counter) {
      counter.total = Math.max(total, out.length);
      counter.unknown = unknown;
    }
    return out;
  }

  /**
   * The answer against the spec: its status documented, its media type documented (when given), and
   * a JSON body valid for that status.
   */
  validateResponse(op: OperationDef, status: number, body: unknown, contentType?: string): Violation[] {
    const r = op.responses;
    const key = documentedStatus(op, status);
    if (key === undefined) return [{ location: 'response', field: '', rule: 'status', message: `status ${status} is not documented for ${op.operationId}` }];
    const media = contentType?.split(';')[0].trim().toLowerCase();
    if (media && !media.includes('json')) {
      if (op.responseTypes[key]?.includes(media)) return [];
      return [{ location: 'response', field: '', rule: 'content-type', message: `${media} is not documented for ${op.operationId} ${key}` }];
    }
    let fn = this.responses.get(`${op.operationId} ${key}`);
    if (fn === undefined) {
      const pointer = r[key];
      fn = pointer ? this.bodyAjv.compile({ $ref: this.spec.id + pointer }) : null;
      this.responses.set(`${op.operationId} ${key}`, fn);
    }
    // A documented response without a JSON body (204, a WAV) has nothing to check.
    if (!fn) return [];
    return fn(body) ? [] : this.notEchoes(toViolations(fn.errors, 'response'));
  }

  /**
   * A free-form field the spec's tolerance lets nest (`metadata`) comes back as the client sent it:
   * its nested values were warned about on the request, so the answer echoing them is no violation.
   */
  private notEchoes(vs: Violation[]): Violation[] {
    const free = this.spec.tolerance.freeForm;
    if (!free?.length) return vs;
    return vs.filter((v) => {
      if (v.rule !== 'type') return true;
      const field = `.${v.field}.`;
      return !free.some((f) => field.includes(`.${f}.`) && !field.endsWith(`.${f}.`));
    });
  }

  /** Any schema in the document, by pointer (webhook payloads). */
  validateAt(pointer: string, value: unknown): Violation[] {
    const fn =
      this.precompiled?.at(pointerName(pointer)) ?? this.bodyAjv.getSchema(this.spec.id + pointer) ?? this.bodyAjv.compile({ $ref: this.spec.id + pointer });
    return fn(value) ? [] : this.notEchoes(toViolations(fn.errors, 'body'));
  }
}

function toViolations(errors: ErrorObject[] | null | undefined, location: Violation['location']): Violation[] {
  const seen = new Set<string>();
  const out: Violation[] = [];
  for (const e of errors ?? []) {
    let field = e.instancePath.slice(1).replace(/\//g, '.').replace(/~1/g, '/').replace(/~0/g, '~');
    if (e.keyword === 'required') field = field ? `${field}.${e.params.missingProperty}` : String(e.params.missingProperty);
    if (e.keyword === 'additionalProperties') field = field ? `${field}.${e.params.additionalProperty}` : String(e.params.additionalProperty);
    if (e.keyword === 'unevaluatedProperties') field = field ? `${field}.${e.params.unevaluatedProperty}` : String(e.params.unevaluatedProperty);
    const message = describe(e, field);
    const key = `${field}|${e.keyword}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const v: Violation = { location, field, rule: e.keyword, message };
    if (typeof e.params.limit === 'number') v.limit = e.params.limit;
    if (e.keyword === 'type') v.expected = String(e.params.type);
    out.push(v);
  }
  return out;
}

function describe(e: ErrorObject, field: string): string {
  const name = field || 'body';
  switch (e.keyword) {
    case 'required':
      return `${name} is required`;
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return `${name} is not a known field`;
    case 'type':
      return `${name} must be ${e.params.type}`;
    case 'enum':
      return `${name} must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `${name} must be ${JSON.stringify(e.params.allowedValue)}`;
    case 'pattern':
      return `${name} has an invalid format`;
    case 'format':
      return `${name} must be a valid ${e.params.format}`;
    default:
      return `${name} ${e.message ?? 'is invalid'}`;
  }
}
