import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Callsim } from '../app.js';
import { checkWorldSnapshot, restoreWorld, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, snapshotWorld } from '../sim/snapshot.js';
import type { Subscription } from '../webhooks/subscriptions.js';

export function snapshot(sim: Callsim) {
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    savedAt: new Date(sim.world.now()).toISOString(),
    seed: sim.seed,
    vendors: sim.vendors.map((v) => v.name),
    world: snapshotWorld(sim.world),
    subscriptions: sim.subscriptions.all(),
  };
}

/** Refuses a bad snapshot with the reason and leaves the current state untouched. */
export function restore(sim: Callsim, s: any): string | undefined {
  if (!s || typeof s !== 'object' || Array.isArray(s)) return 'A snapshot is a JSON object from GET /__sim/state';
  if (s.format !== SNAPSHOT_FORMAT) return `format must be "${SNAPSHOT_FORMAT}"`;
  if (s.version !== SNAPSHOT_VERSION) return `version ${JSON.stringify(s.version)} is not supported; this callsim reads version ${SNAPSHOT_VERSION}`;
  const problem = checkWorldSnapshot(
    s.world,
    sim.vendors.map((v) => v.name),
  );
  if (problem) return problem;
  if (!Array.isArray(s.subscriptions) || s.subscriptions.some((x: Subscription) => !x || typeof x.id !== 'string' || typeof x.url !== 'string')) {
    return 'subscriptions must be an array of subscriptions';
  }
  // Round-trip through JSON so the restored world shares nothing with the request body.
  const copy = JSON.parse(JSON.stringify(s));
  const backup = snapshot(sim);
  try {
    restoreWorld(sim.world, copy.world);
    sim.subscriptions.restore(copy.subscriptions);
  } catch (err) {
    // All or nothing: whatever the checks missed, the state before the request comes back.
    restoreWorld(sim.world, backup.world);
    sim.subscriptions.restore(backup.subscriptions);
    return `the snapshot could not be restored: ${(err as Error).message}`;
  }
  sim.webhooks.clear();
  sim.options.scenarios = sim.world.rules;
  sim.notifyReset();
  return undefined;
}

/** Atomic: write a temp file next to the target, then rename over it. */
export function saveStateFile(sim: Callsim, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(snapshot(sim)));
  renameSync(tmp, path);
}

export function loadStateFile(sim: Callsim, path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `cannot read ${path}: ${(err as Error).message}`;
  }
  try {
    return restore(sim, JSON.parse(text));
  } catch (err) {
    return `${path} is not valid JSON: ${(err as Error).message}`;
  }
}
