import type { Callsim } from '../../app.js';
import type { FaultRule, RateLimitRule } from '../../config.js';
import { noContent, ok } from '../../engine/respond.js';
import { configJson } from '../../presenters.js';
import { servedVendor } from './common.js';
import type { AdminHandlers, AdminSchemas } from './types.js';

/** Applies a patch the spec already checked; the one rule it cannot state is which vendors this server runs. */
function applyConfig(sim: Callsim, patch: AdminSchemas['ConfigPatch']): void {
  // The generated type cannot express FaultRule's anyOf (status, drop or delay); the validator did.
  const faults = patch.faults as FaultRule[] | undefined;
  // Fault rules may also name a mounted document.
  for (const [i, f] of (faults ?? []).entries()) if (!sim.mounts.some((m) => m.name === f.vendor)) servedVendor(sim, f.vendor, `faults.${i}.vendor`);
  for (const v of Object.keys(patch.rateLimits ?? {})) servedVendor(sim, v, `rateLimits.${v}`);
  const o = sim.options;
  if (patch.media) o.media = { ...o.media, ...patch.media };
  if (faults) o.faults = faults;
  if (patch.rateLimits) {
    const merged: Record<string, RateLimitRule | false> = { ...o.rateLimits };
    // `null` puts the vendor's documented default back.
    for (const [v, rule] of Object.entries(patch.rateLimits)) {
      if (rule === null) delete merged[v];
      else merged[v] = rule as RateLimitRule | false;
    }
    o.rateLimits = merged;
  }
  if (patch.scenarios) o.scenarios = sim.world.rules = patch.scenarios;
  if (patch.strict !== undefined) o.strict = patch.strict;
  if (patch.journalSize !== undefined) sim.journal.resize((o.journalSize = patch.journalSize));
  if (patch.webhookTimeoutMs !== undefined) sim.setWebhookTimeout(patch.webhookTimeoutMs);
  // Calls already ended keep the readiness times they were given; later ones use the new delays.
  if (patch.transcriptDelayMs !== undefined) sim.world.timings.transcriptDelayMs = o.transcriptDelayMs = patch.transcriptDelayMs;
  if (patch.recordingDelayMs !== undefined) sim.world.timings.recordingDelayMs = o.recordingDelayMs = patch.recordingDelayMs;
}

/** config and journal. */
export const configHandlers = {
  getConfig: ({ sim }) => ok(configJson(sim)),

  updateConfig: ({ sim, body }) => {
    applyConfig(sim, body);
    return ok(configJson(sim));
  },

  listJournal: ({ sim, query: q }) => {
    const data = sim.journal.entries({ vendor: q.vendor, operation: q.operation, status: q.status, violationsOnly: q.violations === 'true', limit: q.limit });
    return ok({ data, total: data.length });
  },

  listViolations: ({ sim, query }) => {
    const data = sim.journal.entries({ vendor: query.vendor, violationsOnly: true });
    return ok({ data, total: data.length });
  },

  clearJournal: ({ sim }) => {
    sim.journal.clear();
    return noContent();
  },
} satisfies Partial<AdminHandlers>;
