import { generateSync, type JsonSchema } from 'json-schema-faker';
import { type Doc, type OperationDef, resolvePointer } from '../contract/spec.js';
import { declaredKey } from '../coverage/view.js';
import { Random } from '../sim/random.js';

/**
 * The schema at `pointer` with every local `$ref` inlined (json-schema-faker resolves no pointers
 * into an OpenAPI document); a cycle becomes `{}` at its second visit, and write-only properties
 * leave, as they never appear in an answer.
 */
function inline(doc: Doc, node: unknown, seen: string[] = []): unknown {
  if (Array.isArray(node)) return node.map((n) => inline(doc, n, seen));
  if (!node || typeof node !== 'object') return node;
  const n = node as Doc;
  if (typeof n.$ref === 'string') {
    if (seen.includes(n.$ref)) return {};
    const { $ref, ...rest } = n;
    return inline(doc, { ...resolvePointer(doc, $ref), ...rest }, [...seen, $ref]);
  }
  const out: Doc = {};
  for (const [k, v] of Object.entries(n)) {
    if (k === 'properties' && v && typeof v === 'object') {
      out.properties = Object.fromEntries(
        Object.entries<Doc>(v)
          .filter(([, p]) => !p?.writeOnly)
          .map(([name, p]) => [name, inline(doc, p, seen)]),
      );
    } else out[k] = inline(doc, v, seen);
  }
  return out;
}

/**
 * Answer bodies generated from the document's schemas (`mode: dynamic`). One seeded stream per
 * mount: the same seed and the same requests give the same bodies, and two creates still differ.
 */
export class BodyFaker {
  private rng: Random;
  private schemas = new Map<string, unknown>();

  constructor(
    private doc: Doc,
    seed: number,
  ) {
    this.rng = new Random(seed);
  }

  /** A body for the response `op` declares for `status`, or undefined when it declares no JSON schema. */
  body(op: OperationDef, status: number): unknown {
    const key = declaredKey(op.responses, status);
    const pointer = key === undefined ? null : op.responses[key];
    if (!pointer) return undefined;
    let schema = this.schemas.get(pointer);
    if (schema === undefined) this.schemas.set(pointer, (schema = inline(this.doc, resolvePointer(this.doc, pointer)) ?? {}));
    try {
      return generateSync(schema as JsonSchema, { seed: this.rng.int(1, 2 ** 31 - 1), optionalsProbability: 0.8, maxDefaultItems: 3, maxDepth: 6 });
    } catch {
      // A schema json-schema-faker cannot satisfy: Prism's static body stays.
      return undefined;
    }
  }
}
