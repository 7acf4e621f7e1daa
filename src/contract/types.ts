/** Transport-free request and response: every pipeline stage takes and returns these. */

export type Query = Record<string, string | string[]>;
export type Headers = Record<string, string | string[] | undefined>;

export interface SimRequest {
  method: string;
  /** Path below the vendor prefix, e.g. `/v1/agents`. */
  path: string;
  query: Query;
  /** Lower-case names. */
  headers: Headers;
  /** Raw body bytes as received. */
  body?: Buffer;
  /** Set by the transport when the body passed the size limit. */
  bodyTooLarge?: boolean;
  /** The client's address, for access checks (loopback or not). */
  remote?: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialisable value, a Buffer sent as is, or a Readable streamed as is. */
  body?: unknown;
  /** With a Buffer body: the same body parsed, for the response self-check (the proxy). */
  parsed?: unknown;
  /** Writes a JSON body (the operation's compiled serialiser); JSON.stringify when absent. */
  stringify?: (body: unknown) => string;
  /** Close the connection without answering (fault injection). */
  drop?: boolean;
  /** Hold the answer this long (fault injection), in real milliseconds. */
  delayMs?: number;
}

export interface Violation {
  location: 'path' | 'query' | 'header' | 'body' | 'response';
  /** Dotted field path (`targets.0.phone_number`), empty for the whole body. */
  field: string;
  /** JSON Schema keyword that failed (`required`, `maximum`, `format`…). */
  rule: string;
  message: string;
  /** With `minimum`/`maximum`, the bound; with `type`, the type wanted (for the engine's tolerance). */
  limit?: number;
  expected?: string;
}

export const header = (headers: Headers, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};
