import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { documentedStatus, type OperationDef } from './spec.js';

/** Writes one answer's JSON body. */
export type Stringify = (body: unknown) => string;

interface Compiled {
  fits: (value: unknown) => boolean;
  write: (value: unknown) => string;
}

const require = createRequire(import.meta.url);

/**
 * The compiled serialisers of one spec's responses (build-serializers.ts), by operation and status,
 * each loaded on first use. A body that fits its serialiser's shape is written by it (the same JSON
 * as JSON.stringify, keys in the schema's order); any other body by JSON.stringify, so an answer
 * that breaks its own schema is still sent whole.
 */
export class ResponseSerializers {
  private index?: Record<string, number>;
  private modules = new Map<number, Stringify>();
  private byOp = new Map<OperationDef, Map<number, Stringify | undefined>>();

  /** `dir`: the build's folder for this spec, or undefined (nothing precompiled: JSON.stringify throughout). */
  constructor(private dir: string | undefined) {}

  /** The writer of this operation's answer with this status, or undefined for JSON.stringify. */
  for(op: OperationDef, status: number): Stringify | undefined {
    let statuses = this.byOp.get(op);
    if (!statuses) this.byOp.set(op, (statuses = new Map()));
    if (statuses.has(status)) return statuses.get(status);
    const key = documentedStatus(op, status);
    const i = key === undefined ? undefined : this.indexOf()[`${op.operationId} ${key}`];
    const writer = i === undefined ? undefined : this.module(i);
    statuses.set(status, writer);
    return writer;
  }

  private indexOf(): Record<string, number> {
    if (!this.index) {
      const file = this.dir && join(this.dir, 'index.json');
      this.index = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : {};
    }
    return this.index;
  }

  private module(i: number): Stringify {
    let writer = this.modules.get(i);
    if (!writer) {
      const { fits, write } = require(join(this.dir!, `${i}.cjs`)) as Compiled;
      writer = (body) => (fits(body) ? write(body) : JSON.stringify(body));
      this.modules.set(i, writer);
    }
    return writer;
  }
}
