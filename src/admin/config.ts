import { Router } from 'express';
import type { Callsim } from '../app.js';
import type { CallsimOptions, FaultRule, MediaConditions, RateLimitRule } from '../config.js';
import { type ScenarioRule, validateRule } from '../sim/scenarios.js';
import { adminError } from './basics.js';

const FAULT_KEYS = ['vendor', 'method', 'path', 'status', 'probability', 'delayMs', 'drop'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

type Patch = Partial<Pick<CallsimOptions, 'media' | 'faults' | 'rateLimits' | 'scenarios' | 'strict' | 'journalSize' | 'webhookTimeoutMs'>>;

const num = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

/** Checks a config patch whole before applying any of it: a bad key changes nothing. */
export function checkConfigPatch(sim: Callsim, b: any): string | Patch {
  if (!b || typeof b !== 'object' || Array.isArray(b)) return 'Send a JSON object';
  const known = ['media', 'faults', 'rateLimits', 'scenarios', 'strict', 'journalSize', 'webhookTimeoutMs'];
  const unknown = Object.keys(b).filter((k) => !known.includes(k));
  if (unknown.length) return `Unknown config key(s) ${unknown.join(', ')}; known: ${known.join(', ')}`;
  const out: Patch = {};
  if (b.media !== undefined) {
    const limits: Record<keyof MediaConditions, [number, number]> = {
      latencyMs: [0, 10_000],
      jitterMs: [0, 5_000],
      lossPercent: [0, 100],
      agentDelayMs: [0, 30_000],
      playoutMs: [0, 1000],
    };
    if (!b.media || typeof b.media !== 'object') return 'media must be an object';
    for (const [k, v] of Object.entries(b.media)) {
      const lim = limits[k as keyof MediaConditions];
      if (!lim) return `media.${k} is not known; known: ${Object.keys(limits).join(', ')}`;
      if (!num(v, lim[0], lim[1])) return `media.${k} must be a number from ${lim[0]} to ${lim[1]}`;
    }
    out.media = { ...sim.options.media, ...b.media };
  }
  if (b.faults !== undefined) {
    if (!Array.isArray(b.faults)) return 'faults must be an array of rules';
    for (const [i, f] of (b.faults as FaultRule[]).entries()) {
      if (!f || typeof f !== 'object' || !sim.runtime(f.vendor))
        return `faults[${i}].vendor must be one of: ${sim.runtimes.map((r) => r.adapter.name).join(', ')}`;
      const unknownKeys = Object.keys(f).filter((k) => !FAULT_KEYS.includes(k));
      if (unknownKeys.length) return `faults[${i}]: unknown key(s) ${unknownKeys.join(', ')}; known: ${FAULT_KEYS.join(', ')}`;
      if (f.drop !== undefined && typeof f.drop !== 'boolean') return `faults[${i}].drop must be true or false`;
      if (f.method !== undefined && (typeof f.method !== 'string' || !METHODS.includes(f.method.toUpperCase())))
        return `faults[${i}].method must be one of ${METHODS.join(', ')}`;
      if (f.status !== undefined && !(Number.isInteger(f.status) && f.status >= 400 && f.status <= 599))
        return `faults[${i}].status must be an HTTP error status (400–599)`;
      if (f.probability !== undefined && !num(f.probability, 0, 1)) return `faults[${i}].probability must be from 0 to 1`;
      if (f.delayMs !== undefined && !num(f.delayMs, 0, 120_000)) return `faults[${i}].delayMs must be from 0 to 120000`;
      if (f.path !== undefined && (typeof f.path !== 'string' || !f.path.startsWith('/'))) return `faults[${i}].path must start with /`;
      if (f.status === undefined && !f.drop && !f.delayMs) return `faults[${i}] does nothing: give status, drop or delayMs`;
    }
    out.faults = b.faults;
  }
  if (b.rateLimits !== undefined) {
    if (!b.rateLimits || typeof b.rateLimits !== 'object') return 'rateLimits must be an object keyed by vendor';
    for (const [v, rule] of Object.entries(b.rateLimits)) {
      if (!sim.runtime(v)) return `rateLimits.${v}: unknown vendor`;
      const r = rule as RateLimitRule | false | null;
      if (r === null || r === false) continue;
      if (
        !(r && typeof r === 'object' && Object.keys(r).every((k) => k === 'requests' || k === 'perSec') && num(r.requests, 1, 1e9) && num(r.perSec, 1, 86_400))
      ) {
        return `rateLimits.${v} must be false (off), null (the documented default) or {requests, perSec}`;
      }
    }
    const merged: Record<string, RateLimitRule | false> = { ...sim.options.rateLimits };
    for (const [v, rule] of Object.entries(b.rateLimits)) {
      if (rule === null) delete merged[v];
      else merged[v] = rule as RateLimitRule | false;
    }
    out.rateLimits = merged;
  }
  if (b.scenarios !== undefined) {
    if (!Array.isArray(b.scenarios)) return 'scenarios must be an array of rules';
    for (const [i, s] of b.scenarios.entries()) {
      const problem = validateRule(s);
      if (problem) return `scenarios[${i}]: ${problem}`;
    }
    out.scenarios = b.scenarios as ScenarioRule[];
  }
  if (b.strict !== undefined) {
    if (typeof b.strict !== 'boolean') return 'strict must be true or false';
    out.strict = b.strict;
  }
  if (b.journalSize !== undefined) {
    if (!Number.isInteger(b.journalSize) || !num(b.journalSize, 1, 1_000_000)) return 'journalSize must be an integer from 1 to 1000000';
    out.journalSize = b.journalSize;
  }
  if (b.webhookTimeoutMs !== undefined) {
    if (!num(b.webhookTimeoutMs, 100, 120_000)) return 'webhookTimeoutMs must be from 100 to 120000';
    out.webhookTimeoutMs = b.webhookTimeoutMs;
  }
  return out;
}

export function applyConfig(sim: Callsim, patch: Patch): void {
  Object.assign(sim.options, patch);
  if (patch.scenarios) sim.world.rules = patch.scenarios;
  if (patch.journalSize) sim.journal.resize(patch.journalSize);
  if (patch.webhookTimeoutMs) sim.webhooks.opts.timeoutMs = patch.webhookTimeoutMs;
}

export function configJson(sim: Callsim) {
  const o = sim.options;
  return {
    clock: o.clock,
    speed: o.speed,
    seed: sim.seed,
    strict: o.strict,
    media: o.media,
    faults: o.faults,
    rateLimits: o.rateLimits,
    scenarios: o.scenarios,
    journalSize: o.journalSize,
    webhookTimeoutMs: o.webhookTimeoutMs,
  };
}

export function configRouter(sim: Callsim): Router {
  const r = Router();
  r.get('/config', (_req, res) => res.json(configJson(sim)));
  r.put('/config', (req, res) => {
    const patch = checkConfigPatch(sim, req.body);
    if (typeof patch === 'string') return adminError(res, 400, 'invalid_config', patch);
    applyConfig(sim, patch);
    res.json(configJson(sim));
  });
  r.get('/journal', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const limit = q.limit !== undefined ? Number(q.limit) : undefined;
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) return adminError(res, 400, 'invalid_limit', 'limit must be a positive integer');
    const status = q.status !== undefined ? Number(q.status) : undefined;
    if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599))
      return adminError(res, 400, 'invalid_status', 'status must be an HTTP status code');
    const data = sim.journal.entries({ vendor: q.vendor, operation: q.operation, status, violationsOnly: q.violations === 'true', limit });
    res.json({ data, total: data.length });
  });
  r.get('/journal/violations', (req, res) => {
    const data = sim.journal.entries({ vendor: req.query.vendor as string | undefined, violationsOnly: true });
    res.json({ data, total: data.length });
  });
  r.delete('/journal', (_req, res) => {
    sim.journal.clear();
    res.status(204).end();
  });
  return r;
}
