import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Callsim } from '../app.js';
import { adminContract } from '../contract/load.js';
import { depthExceeds } from '../engine/body.js';
import { restoreWorld, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, snapshotWorld, type WorldSnapshot, worldConflicts } from '../sim/snapshot.js';
import type { Delivery } from '../webhooks/dispatcher.js';
import type { Subscription } from '../webhooks/subscriptions.js';

/** A snapshot as `GET /__sim/state` answers it (specs/admin.yaml `Snapshot`). */
interface SnapshotDoc {
  format: string;
  version: number;
  world: WorldSnapshot;
  subscriptions: Subscription[];
  deliveries?: Delivery[];
  sequences?: { subscriptions: number; deliveries: number };
  secrets?: { recordingKey: string };
}

export function snapshot(sim: Callsim) {
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    savedAt: new Date(sim.world.now()).toISOString(),
    seed: sim.seed,
    vendors: sim.vendors.map((v) => v.name),
    world: snapshotWorld(sim.world),
    subscriptions: sim.subscriptions.all(),
    deliveries: sim.webhooks.pending(),
    sequences: { subscriptions: sim.subscriptions.sequence, deliveries: sim.webhooks.sequence },
    secrets: { recordingKey: sim.signingKey.toString('hex') },
  };
}

/** What breaks the snapshot schema (`SnapshotInput` in specs/admin.yaml), as the engine would report it. */
function snapshotProblems(s: unknown): string | undefined {
  if (depthExceeds(s)) return 'the snapshot is nested too deeply to be one of callsim';
  const violations = adminContract().validator.validateAt('#/components/schemas/SnapshotInput', s);
  if (!violations.length) return undefined;
  const more = violations.length > 5 ? ` (and ${violations.length - 5} more)` : '';
  return (
    violations
      .slice(0, 5)
      .map((v) => v.message)
      .join('; ') + more
  );
}

/**
 * Restores a snapshot that matches the schema (the engine checked it, or `loadStateFile` did).
 * Refuses one whose records do not fit together, with the reason, and leaves the state untouched.
 */
export function restore(sim: Callsim, input: unknown): string | undefined {
  const s = input as SnapshotDoc;
  const conflict = worldConflicts(
    s.world,
    sim.vendors.map((v) => v.name),
  );
  if (conflict) return conflict;
  // Round-trip through JSON so the restored world shares nothing with the request body.
  const copy = JSON.parse(JSON.stringify(s)) as SnapshotDoc;
  const backup = JSON.parse(JSON.stringify(snapshot(sim))) as SnapshotDoc;
  const apply = (doc: SnapshotDoc) => {
    restoreWorld(sim.world, doc.world);
    sim.subscriptions.restore(doc.subscriptions, doc.sequences?.subscriptions);
    if (doc.secrets) sim.signingKey = Buffer.from(doc.secrets.recordingKey, 'hex');
    sim.webhooks.restore(doc.deliveries ?? [], doc.sequences?.deliveries ?? 0);
  };
  try {
    apply(copy);
  } catch (err) {
    // All or nothing: whatever the checks missed, the state before the request comes back.
    apply(backup);
    return `the snapshot could not be restored: ${(err as Error).message}`;
  }
  sim.options.scenarios = sim.world.rules;
  sim.notifyReset();
  return undefined;
}

/**
 * Atomic: the snapshot goes to a temporary file next to the target, then is renamed over it, so a
 * crash mid-write leaves the previous file whole. A failed save says why and keeps the previous one.
 */
export function saveStateFile(sim: Callsim, path: string): string | undefined {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, JSON.stringify(snapshot(sim)));
    renameSync(tmp, path);
    return undefined;
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Whatever stands there is not ours to remove.
    }
    return `cannot save the state to ${path}: ${(err as Error).message}`;
  }
}

/** Temporary files a crashed save left beside the state file (`<file>.<pid>.tmp`). */
export function cleanStaleTemps(path: string): string[] {
  const dir = dirname(path);
  const name = basename(path);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const stale = entries.filter((f) => f.startsWith(`${name}.`) && /\.\d+\.tmp$/.test(f));
  for (const f of stale) rmSync(join(dir, f), { force: true });
  return stale;
}

export function loadStateFile(sim: Callsim, path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `cannot read ${path}: ${(err as Error).message}`;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return `${path} is not valid JSON: ${(err as Error).message}`;
  }
  const problem = snapshotProblems(doc);
  if (problem) return `${path} is not a callsim snapshot: ${problem}`;
  const refused = restore(sim, doc);
  return refused && `${path}: ${refused}`;
}
