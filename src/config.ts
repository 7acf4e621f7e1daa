import type { ScenarioRule } from './sim/scenarios.js';

export interface MediaConditions {
  latencyMs: number;
  jitterMs: number;
  lossPercent: number;
  agentDelayMs: number;
  /** Depth of the jitter buffer agent audio waits in before it plays (docs/media.md). */
  playoutMs: number;
}

export interface FaultRule {
  vendor: string;
  method?: string;
  path?: string;
  status?: number;
  probability?: number;
  delayMs?: number;
  drop?: boolean;
}

export interface RateLimitRule {
  requests: number;
  perSec: number;
}

export interface SubscriptionConfig {
  vendor: string;
  account?: string;
  url: string;
  events?: string[];
  secret?: string;
}

/** Options of one callsim instance: CLI flags, env vars and the config file all end up here. */
export interface CallsimOptions {
  port: number;
  host: string;
  clock: 'real' | 'virtual';
  speed: number;
  seed?: number;
  strict: boolean;
  adminToken?: string;
  /** Signs media-stream dial-outs with X-Twilio-Signature, as Twilio does with an account's auth token. */
  mediaAuthToken?: string;
  stateFile?: string;
  logLevel: string;
  /** Serve only these vendors (default: all). */
  vendors?: string[];
  media: MediaConditions;
  faults: FaultRule[];
  /** Per vendor; `false` switches a vendor's limit off. */
  rateLimits: Record<string, RateLimitRule | false>;
  scenarios: ScenarioRule[];
  webhooks: SubscriptionConfig[];
  journalSize: number;
  /** Record requests in the journal (on by default; the benchmark measures its cost). */
  journal: boolean;
  /** Start time of the virtual clock (epoch ms). */
  startTime?: number;
  webhookTimeoutMs: number;
}

export const DEFAULT_OPTIONS: CallsimOptions = {
  port: 4010,
  host: '127.0.0.1',
  clock: 'real',
  speed: 1,
  strict: false,
  logLevel: 'info',
  media: { latencyMs: 0, jitterMs: 0, lossPercent: 0, agentDelayMs: 300, playoutMs: 60 },
  faults: [],
  rateLimits: {},
  scenarios: [],
  webhooks: [],
  journalSize: 1000,
  journal: true,
  webhookTimeoutMs: 5000,
};
