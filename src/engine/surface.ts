import type { Router } from '../contract/router.js';
import type { ResponseSerializers } from '../contract/serializers.js';
import type { LoadedSpec, OperationDef } from '../contract/spec.js';
import type { SimRequest, SimResponse } from '../contract/types.js';
import type { ContractValidator } from '../contract/validator.js';
import type { ApiError } from './errors.js';

/** One spec, loaded: its operations, their router, their validators and their answers' serialisers. */
export interface Contract {
  spec: LoadedSpec;
  validator: ContractValidator;
  router: Router;
  /** Compiled writers of documented JSON answers; absent: every answer is written by JSON.stringify. */
  serializers?: ResponseSerializers;
}

/** Who is calling, or why they may not (answered in the surface's own error shape). */
type Auth<P> = { principal: P } | { refusal: ApiError };

/** What every handler gets besides its surface's own context, before the spec types it. */
export interface RawInput {
  op: OperationDef;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  req: SimRequest;
}

interface GuardInput<P> {
  surface: Surface<P>;
  req: SimRequest;
  op: OperationDef;
  principal: P;
  /** Guards may add latency (fault injection) without refusing the request. */
  delayMs?: number;
}

/** Runs after auth and before the body is read: rate limits, fault injection. */
export type Guard<P> = (input: GuardInput<P>) => ApiError | SimResponse | undefined;

/**
 * One HTTP surface served from one spec: a vendor's API, the admin API, a proxied API. The engine
 * routes, authenticates, guards, parses and validates every request by the spec, then hands it to
 * `dispatch` (a handler by operationId, or a forward upstream) and answers errors through `error`.
 */
export interface Surface<P = unknown> extends Contract {
  name: string;
  /** Requests whose path is this prefix or below it belong to this surface. */
  prefix: string;
  /** true: the spec's paths are relative to the prefix (vendors); false: they include it (admin). */
  routeBelowPrefix: boolean;
  /** Largest request body read, in bytes; past it the answer is 413. */
  bodyLimit: number;
  authenticate(req: SimRequest): Auth<P>;
  guards: Array<Guard<P>>;
  /** Answers a request that passed every check. `principal` is absent on an unsecured operation called anonymously. */
  dispatch(op: OperationDef, principal: P | undefined, input: RawInput): SimResponse | Promise<SimResponse>;
  /** The one function that writes this surface's error envelope. */
  error(e: ApiError, req: SimRequest): SimResponse;
  /** 'report': a request that breaks the contract still goes on, its violations recorded (the proxy). */
  onInvalid?: 'refuse' | 'report';
  /** The account a principal acts for, for the journal. */
  accountOf?(principal: P): string | undefined;
  /**
   * Values this principal's key reads differently, applied to path, query and body strings before
   * validation (the docs key reads the vendor pages' placeholders as seeded values).
   */
  aliasesOf?(principal: P): Record<string, string> | undefined;
}

/**
 * A surface of any principal, for the code that routes between them. Surface is invariant in its
 * principal (guards and dispatch take it), so no narrower type holds both the vendors and the admin API.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type AnySurface = Surface<any>;

// -------------------------------------------------------------------------------------------
// Handlers typed from a spec's generated `operations` (scripts/gen-types.mjs)
// -------------------------------------------------------------------------------------------

type Defined<T> = [T] extends [undefined] ? Record<string, never> : Exclude<T, undefined>;
type JsonOr<C> = 'application/json' extends keyof C ? C['application/json'] : Buffer;
type WithRequired<T, K extends PropertyKey> = [K] extends [never] ? T : Omit<T, K> & Required<Pick<T, K & keyof T>>;

type PathOf<O> = O extends { parameters: { path?: infer P } } ? Defined<P> : Record<string, never>;
type QueryOf<O, D extends PropertyKey = never> = O extends { parameters: { query?: infer Q } } ? WithRequired<Defined<Q>, D> : Record<string, never>;
type BodyOf<O> = O extends { requestBody?: never }
  ? undefined
  : O extends { requestBody: { content: infer C } }
    ? JsonOr<C>
    : O extends { requestBody?: { content: infer C } }
      ? JsonOr<C> | undefined
      : undefined;

/** A handler's input with its operation's body, path params and query (defaults filled) typed. */
export interface TypedInput<O, D extends PropertyKey = never> extends Omit<RawInput, 'params' | 'query' | 'body'> {
  params: PathOf<O>;
  query: QueryOf<O, D>;
  body: BodyOf<O>;
}

type HandlerOf<Ctx, O, D extends PropertyKey = never> = (ctx: Ctx & TypedInput<O, D>) => SimResponse | Promise<SimResponse>;

/** One handler per operation of a spec, each typed by it. */
export type Handlers<Ops, Ctx, Defaults = Record<string, never>> = {
  [K in keyof Ops]: HandlerOf<Ctx, Ops[K], K extends keyof Defaults ? Defaults[K] & PropertyKey : never>;
};

/**
 * Exactly the handlers `T` asks for: a missing operation fails to compile (not assignable), and so
 * does an extra one (its type becomes `never`), even when the table is spread from several files.
 */
export const exactly =
  <T>() =>
  <U extends T>(handlers: U & Record<Exclude<keyof U, keyof T>, never>): T =>
    handlers;

/** The engine's untyped view of a handler table. */
export type AnyHandler<Ctx> = (ctx: Ctx & RawInput) => SimResponse | Promise<SimResponse>;

/** A spec operation without a handler is a start-up error, never a silent mock. */
export function missingHandlers(spec: LoadedSpec, handlers: object): string[] {
  return spec.operations.map((o) => o.operationId).filter((id) => typeof (handlers as Record<string, unknown>)[id] !== 'function');
}

/**
 * `dispatch` for a surface answered by handlers: the surface's context (a fresh object per request),
 * plus the request's input. Object.assign, not `{...a, ...b}`: Node 20's V8 builds a spread followed
 * by more keys slowly (~8 µs here against 0.5 µs), and this runs on every request.
 */
export function handlerDispatch<P, Ctx extends object>(handlers: object, context: (principal: P | undefined) => Ctx): Surface<P>['dispatch'] {
  const table = handlers as Record<string, AnyHandler<Ctx>>;
  return (op, principal, input) => table[op.operationId](Object.assign(context(principal), input));
}
