import { adminContract } from './contract/load.js';
import { type Doc, resolvePointer } from './contract/spec.js';
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

/** An OpenAPI document served under `/<name>` through Prism (`--spec name=FILE`). */
export interface SpecMount {
  name: string;
  file: string;
  mode?: 'static' | 'dynamic';
}

interface SubscriptionConfig {
  vendor: string;
  account?: string;
  url: string;
  events?: string[];
  secret?: string;
}

/**
 * Options of one callsim instance, defaults filled. The config file, environment variables, flags,
 * `startSimulator()` and `PUT /__sim/config` all end up here, each checked against one schema:
 * `Options` in specs/admin.yaml.
 */
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
  /** Host names the control plane accepts besides localhost, *.localhost and IP addresses. */
  allowedHosts: string[];
  stateFile?: string;
  /** With a state file, also save it every this many seconds. */
  saveEvery?: number;
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
  /** Timeouts and the connection cap of the HTTP server. */
  limits: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number; maxConnections: number };
  /** Keep at most this many finished calls per account; older ones leave the store (their ids answer 404). */
  retainCalls?: number;
  /** Redis URL of a cluster of callsim processes serving one world (src/cluster, docs/scaling.md). */
  cluster?: string;
  /** Count coverage from every vendor request and webhook delivery (the benchmark measures its cost). */
  coverage: boolean;
  /** Report file(s) written at shutdown, SIGTERM and POST /__sim/report; the extension picks the format. */
  report?: string | string[];
  /** When the client under test broke the contract, exit non-zero at shutdown. */
  failOn: 'violations' | 'warnings' | 'never';
  /** OpenAPI documents to mount, each under `/<name>`. */
  specs: SpecMount[];
  /** Post-call processing: a call's transcript is ready this long after it ends (0 = at once). */
  transcriptDelayMs: number;
  /** … and its recording this long after it ends. */
  recordingDelayMs: number;
  /** A folder of simulated callers (YAML or JSON `Caller` documents), loaded and checked at start. */
  callers?: string;
}

const DEFAULT_OPTIONS: CallsimOptions = {
  port: 4010,
  host: '127.0.0.1',
  clock: 'real',
  speed: 1,
  strict: false,
  allowedHosts: [],
  logLevel: 'info',
  media: { latencyMs: 0, jitterMs: 0, lossPercent: 0, agentDelayMs: 300, playoutMs: 60 },
  faults: [],
  rateLimits: {},
  scenarios: [],
  webhooks: [],
  journalSize: 1000,
  journal: true,
  webhookTimeoutMs: 5000,
  transcriptDelayMs: 1500,
  recordingDelayMs: 2500,
  limits: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 10_000, maxConnections: 4096 },
  coverage: true,
  failOn: 'never',
  specs: [],
};

/** What a caller may give: any option, plus `latency`, the shorthand for `media.latencyMs`. */
export type OptionsInput = Partial<Omit<CallsimOptions, 'media' | 'limits'>> & {
  limits?: Partial<CallsimOptions['limits']>;
  media?: Partial<MediaConditions> & { authToken?: string };
  latency?: number;
};

export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    source = 'options',
  ) {
    super(`invalid ${source}: ${problems.join('; ')}`);
  }
}

const OPTIONS_SCHEMA = '#/components/schemas/Options';

/** Each way the input breaks the `Options` schema, as `key: what is wrong` (empty when it is fine). */
export function optionProblems(input: unknown): string[] {
  const copy = input && typeof input === 'object' ? structuredClone(stripUndefined(input as Record<string, unknown>)) : input;
  return adminContract()
    .validator.validateAt(OPTIONS_SCHEMA, copy)
    .map((v) => {
      if (!v.field) return v.message;
      const hint = v.rule === 'pattern' ? problemHint(v.field) : undefined;
      const what = hint ?? (v.message.startsWith(v.field) ? v.message.slice(v.field.length + 1) : v.message);
      const given = valueAt(input, v.field);
      return `${v.field}: ${what}${given !== undefined && v.rule !== 'additionalProperties' ? ` (got ${JSON.stringify(given)?.slice(0, 80)})` : ''}`;
    });
}

/**
 * "has an invalid format" says little about a file name or a mount name: a property of `Options`
 * may carry `x-problem`, the words to use instead when its pattern refuses a value.
 */
function problemHint(dotted: string): string | undefined {
  const doc = adminContract().spec.doc;
  const deref = (n: Doc | undefined): Doc | undefined => (typeof n?.$ref === 'string' ? deref(resolvePointer(doc, n.$ref)) : n);
  let node = deref(resolvePointer(doc, OPTIONS_SCHEMA));
  for (const key of dotted.split('.')) {
    node = deref(/^\d+$/.test(key) && node?.items ? node.items : node?.properties?.[key]);
  }
  return typeof node?.['x-problem'] === 'string' ? node['x-problem'] : undefined;
}

const valueAt = (root: unknown, dotted: string): unknown =>
  dotted.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), root);

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Checks options against the schema and fills the defaults; throws a ConfigError naming each bad key. */
export function resolveOptions(input: OptionsInput = {}, source?: string): CallsimOptions {
  const problems = optionProblems(input);
  if (problems.length) throw new ConfigError(problems, source);
  const { latency, media, ...rest } = stripUndefined(input) as OptionsInput;
  // media.authToken is a secret, not a condition: kept apart, so GET /__sim/config never shows it.
  const { authToken, ...conditions } = media ?? {};
  return {
    ...DEFAULT_OPTIONS,
    ...structuredClone(rest),
    ...(authToken !== undefined && rest.mediaAuthToken === undefined && { mediaAuthToken: authToken }),
    media: { ...DEFAULT_OPTIONS.media, ...conditions, ...(latency !== undefined && { latencyMs: latency }) },
    limits: { ...DEFAULT_OPTIONS.limits, ...rest.limits },
  };
}
