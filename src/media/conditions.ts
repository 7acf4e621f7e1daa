import type { Callsim } from '../app.js';
import type { MediaConditions } from '../config.js';
import { adminContract } from '../contract/load.js';
import type { Call } from '../sim/types.js';

/** How the simulated callee takes turns with a live agent. */
interface TurnSettings {
  /** Quiet after the agent's speech that ends its turn (the VAD's end-of-turn threshold). */
  silenceMs: number;
  /** How long the callee waits for a silent agent before "Hello? Is anyone there?". */
  nudgeMs: number;
}

export type MediaSettings = MediaConditions & TurnSettings;
export type SettingKey = keyof MediaSettings;

const TURN_DEFAULTS: TurnSettings = { silenceMs: 700, nudgeMs: 5000 };

export const SETTING_KEYS: SettingKey[] = ['latencyMs', 'jitterMs', 'lossPercent', 'agentDelayMs', 'playoutMs', 'silenceMs', 'nudgeMs'];

/**
 * Per-call settings from the upgrade's query parameters, checked against the same schema as
 * `PUT /__sim/calls/{id}/media` (`CallMediaPatch` in specs/admin.yaml): a bad value changes nothing.
 */
export function parseSettings(query: Record<string, string>): Partial<MediaSettings> | string {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const raw = query[key];
    if (raw !== undefined) out[key] = raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  const problems = adminContract().validator.validateAt('#/components/schemas/CallMediaPatch', out);
  return problems.length ? problems.map((p) => p.message).join('; ') : (out as Partial<MediaSettings>);
}

/**
 * One setting as it stands now: the call's own value, else the server's (PUT /__sim/config changes
 * it live), else the default. Read on every use, so a change applies from the next frame on.
 */
export function setting(sim: Callsim, call: Call, key: SettingKey): number {
  const own = call.media[key];
  if (typeof own === 'number') return own;
  if (key === 'silenceMs' || key === 'nudgeMs') return TURN_DEFAULTS[key];
  return sim.options.media[key];
}

export function settingsFor(sim: Callsim, call: Call): MediaSettings {
  return Object.fromEntries(SETTING_KEYS.map((k) => [k, setting(sim, call, k)])) as unknown as MediaSettings;
}
