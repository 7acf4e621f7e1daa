import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { adminSurface } from './admin/surface.js';
import { type CallsimOptions, type OptionsInput, resolveOptions } from './config.js';
import { loadContract } from './contract/load.js';
import type { SimRequest } from './contract/types.js';
import { CoverageCounter } from './coverage/counter.js';
import type { GateOptions } from './engine/gate.js';
import { type Outcome, type PipelineOptions, runPipeline } from './engine/pipeline.js';
import type { AnySurface, Surface } from './engine/surface.js';
import { loadInventory, loadLibrary } from './fixtures/index.js';
import { faultGuard, rateLimitGuard, roleGuard } from './guards.js';
import { Journal, journalEntry } from './journal.js';
import { CallerLibrary } from './media/callers.js';
import { RealClock, VirtualClock } from './sim/clock.js';
import { World } from './sim/world.js';
import { VENDORS } from './vendors/registry.js';
import { mapSimError, type VendorSurface, vendorSurface } from './vendors/surface.js';
import type { RecordingFormat, VendorAdapter, VendorServices, WebhookMessage } from './vendors/types.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import { selfRefusal } from './webhooks/self.js';
import { SubscriptionStore } from './webhooks/subscriptions.js';

/** Fixture call ids must be unique across vendors: media streams and recording links find a call by id alone. */
function checkFixtureIds(adapters: VendorAdapter[]): void {
  const owner = new Map<string, string>();
  for (const a of adapters) {
    for (const id of a.fixtures().callIds) {
      const other = owner.get(id);
      if (other) throw new Error(`fixture call id ${id} is used by both ${other} and ${a.name}: call ids must be unique across vendors`);
      owner.set(id, a.name);
    }
  }
}

export type OutcomeListener = (surface: AnySurface, req: SimRequest, outcome: Outcome, ms: number) => void;

/**
 * One callsim instance without its transport: the world, the surfaces (the vendors and the admin
 * API), the services they share. The HTTP server (server.ts) and tests drive it.
 */
export class Callsim {
  readonly options: CallsimOptions;
  readonly world: World;
  readonly vendors: VendorSurface[];
  readonly admin: Surface<'admin'>;
  readonly subscriptions: SubscriptionStore;
  /** The key recording links are signed with: random at first start, kept in snapshots and the state file. */
  signingKey: Buffer = randomBytes(32);
  readonly seed: number;
  readonly webhooks: WebhookDispatcher;
  readonly journal: Journal;
  readonly gate: GateOptions;
  baseUrl = '';
  /** Run before the server closes: long-lived responses (event streams) end so close() can finish. */
  readonly shutdownListeners: Array<() => void> = [];
  /** Told after a reset or a snapshot restore: the whole state changed at once. */
  readonly resetListeners: Array<() => void> = [];
  /** Where work no request answers for (media streams, dial-outs) is logged; the CLI sets its logger. */
  logger: Logger = pino({ level: 'silent' });
  /** Told about every vendor request once answered (journal, logs, dashboard, coverage). */
  readonly outcomeListeners: OutcomeListener[] = [];
  /** Something the answer must wait for (a cluster recording what the request made), or undefined. */
  beforeAnswer?: () => Promise<void> | undefined;
  /** What the run exercised of each spec, as counts (GET /__sim/coverage, reports). */
  readonly coverage = new CoverageCounter();
  /** OpenAPI documents mounted with `--spec` (see mountSpecs), served like the vendors. */
  readonly mounts: AnySurface[] = [];
  /** Simulated callers users wrote (`--callers`, `PUT /__sim/callers/{name}`); configuration, so a reset keeps them. */
  readonly callers: CallerLibrary;

  constructor(opts: OptionsInput = {}, deps: { adapters?: VendorAdapter[]; timeSource?: () => number } = {}) {
    this.options = resolveOptions(opts);
    const timeSource = deps.timeSource ?? Date.now;
    const adapters = (deps.adapters ?? VENDORS).filter((v) => !this.options.vendors || this.options.vendors.includes(v.name));
    checkFixtureIds(adapters);
    this.seed = this.options.seed ?? randomInt(1, 2 ** 31);
    const start = this.options.startTime ?? timeSource();
    const clock = this.options.clock === 'virtual' ? new VirtualClock(start) : new RealClock(timeSource, this.options.speed);
    const inventory = loadInventory();
    this.world = new World({
      clock,
      seed: this.seed,
      library: loadLibrary(),
      prices: Object.fromEntries(adapters.map((a) => [a.name, a.fixtures().prices])),
      inventory: Object.fromEntries(adapters.map((a) => [a.name, inventory])),
      seeders: adapters.map((a) => (world: World) => a.fixtures().seed(world)),
      rules: this.options.scenarios,
      retainCalls: this.options.retainCalls,
      timings: { transcriptDelayMs: this.options.transcriptDelayMs, recordingDelayMs: this.options.recordingDelayMs },
    });
    this.callers = new CallerLibrary(this.world.library, this.options.callers);
    this.subscriptions = new SubscriptionStore(this.seed);
    this.gate = { token: this.options.adminToken, hosts: new Set(this.options.allowedHosts.map((h) => h.toLowerCase())) };
    const guards = [
      roleGuard,
      rateLimitGuard(
        () => this.world,
        () => this.options.rateLimits,
      ),
      faultGuard(this.seed, () => this.options.faults),
    ];
    this.vendors = adapters.map((adapter) =>
      vendorSurface(adapter, loadContract(adapter.specFile, adapter.name), {
        world: () => this.world,
        services: this.servicesFor(adapter.name, adapter.recordingFormat),
        guards,
      }),
    );
    this.admin = adminSurface(this);
    this.webhooks = new WebhookDispatcher(() => this.world, this.subscriptions, this.vendors, this.seed, {
      timeoutMs: this.options.webhookTimeoutMs,
      refuse: selfRefusal(() => this.port),
      inspect: (vendor, accountId, m) => this.checkWebhook(vendor, accountId, m),
    });
    this.setWebhookTimeout(this.options.webhookTimeoutMs);
    this.webhooks.attach();
    this.addConfigSubscriptions();
    this.journal = new Journal(this.options.journalSize);
    this.outcomeListeners.push((surface, req, outcome, ms) => {
      if (this.options.journal) this.journal.add(journalEntry(surface.name, req, outcome, ms, this.world.now()));
    });
    if (this.options.coverage) {
      this.outcomeListeners.push((surface, req, outcome) => this.coverage.request(surface.name, req, outcome));
      this.webhooks.changeListeners.push((d) => this.coverage.delivery(d));
    }
  }

  /** The port this server listens on, once it does. */
  get port(): number | undefined {
    return this.baseUrl ? Number(new URL(this.baseUrl).port) : undefined;
  }

  /**
   * How long a webhook attempt waits, and so how long a clock advance waits for attempts it
   * started: one attempt's window, whatever a hanging receiver does.
   */
  setWebhookTimeout(ms: number): void {
    this.options.webhookTimeoutMs = this.webhooks.opts.timeoutMs = ms;
    this.world.scheduler.waitBudgetMs = ms + 1000;
  }

  /** Every surface this server answers: the vendors, the mounted documents and the admin API. */
  get surfaces(): AnySurface[] {
    return [...this.vendors, ...this.mounts, this.admin] as AnySurface[];
  }

  /**
   * Mounts the `specs` documents (`--spec name=FILE`), each under `/<name>`. Prism and the mount code
   * are imported only here, so a server without `--spec` never loads them (start-up time).
   */
  async mountSpecs(): Promise<void> {
    if (!this.options.specs.length || this.mounts.length) return;
    const { mountSurfaces } = await import('./mounts/index.js');
    this.mounts.push(...(await mountSurfaces(this)));
  }

  /** What the server lends one vendor's handlers, bound to that vendor. */
  private servicesFor(vendor: string, format: RecordingFormat = 'wav'): VendorServices {
    const subs = () => this.subscriptions;
    return {
      baseUrl: () => this.baseUrl,
      recordingUrl: (callId, expiresAt) => this.signRecordingUrl(vendor, callId, expiresAt, format),
      secretToken: (bytes = 16) => randomBytes(bytes).toString('hex'),
      webhooks: {
        subscribe: (accountId, url, events) =>
          subs().add({ vendor, accountId, url, events: events?.length ? events : null, source: 'api', createdAt: this.world.now() }),
        list: (accountId) =>
          subs()
            .all()
            .filter((s) => s.vendor === vendor && s.accountId === accountId),
        remove: (accountId, id) => {
          const s = subs().get(id);
          return !!s && s.vendor === vendor && s.accountId === accountId && subs().remove(id);
        },
      },
    };
  }

  /** Subscriptions from the config file: they survive resets, like the rest of the config. */
  private addConfigSubscriptions(): void {
    for (const w of this.options.webhooks) {
      if (!this.vendor(w.vendor)) throw new Error(`config webhooks: vendor ${w.vendor} is not served`);
      const accountId = this.resolveAccount(w.vendor, w.account) ?? '*';
      this.subscriptions.add({
        vendor: w.vendor,
        accountId,
        url: w.url,
        events: w.events ?? null,
        source: 'config',
        secret: w.secret,
        createdAt: this.world.now(),
      });
    }
  }

  /** An account named by id or by one of its keys; undefined means none given. */
  resolveAccount(vendor: string, ref: string | undefined): string | undefined {
    if (!ref) return undefined;
    if (this.world.accounts.get(ref)?.namespace === vendor) return ref;
    const session = this.world.sessions.get(ref);
    const account = session && this.world.accounts.get(session.accountId);
    if (account?.namespace === vendor && !account.revokedKeys.includes(ref)) return account.id;
    return undefined;
  }

  /** Back to the fixtures; vendor-API subscriptions go with the state, admin/config ones stay. */
  reset(): void {
    this.world.reset();
    this.subscriptions.clear((s) => s.source !== 'api');
    this.webhooks.clear();
    this.journal.clear();
    this.coverage.clear();
    this.notifyReset();
  }

  notifyReset(): void {
    for (const l of this.resetListeners) l();
  }

  vendor(name: string): VendorSurface | undefined {
    return this.vendors.find((r) => r.name === name);
  }

  private readonly pipeline: PipelineOptions = {
    strict: () => this.options.strict,
    mapError: mapSimError,
    onCrash: (err, op) => process.emitWarning(`callsim handler ${op.operationId} failed: ${(err as Error)?.stack ?? err}`),
  };

  /**
   * One request through its surface's pipeline; vendor requests are then told to the listeners.
   * Synchronous when the handler is (a promise only when it answers with one).
   */
  handle(surface: AnySurface, req: SimRequest): Outcome | Promise<Outcome> {
    const started = performance.now();
    const outcome = runPipeline(surface, req, this.pipeline);
    if (outcome instanceof Promise) return outcome.then((settled) => this.settled(surface, req, settled, started));
    return this.settled(surface, req, outcome, started);
  }

  private settled(surface: AnySurface, req: SimRequest, outcome: Outcome, started: number): Outcome | Promise<Outcome> {
    this.told(surface, req, outcome, started);
    const wait = this.beforeAnswer?.();
    return wait ? wait.then(() => outcome) : outcome;
  }

  private told(surface: AnySurface, req: SimRequest, outcome: Outcome, started: number): Outcome {
    if (surface !== (this.admin as AnySurface)) {
      const ms = performance.now() - started;
      for (const l of this.outcomeListeners) l(surface, req, outcome, ms);
    }
    return outcome;
  }

  /**
   * With `--strict`, every webhook payload is checked against its schema in the vendor spec's
   * `webhooks` before it is sent; a violation is a journal row (`method: WEBHOOK`, `path:
   * webhooks/<event>`, in `/__sim/journal/violations`) and a log line. It is still delivered.
   */
  private checkWebhook(vendor: VendorSurface, accountId: string, m: WebhookMessage): void {
    if (!this.options.strict) return;
    const violations = m.schemaPointer
      ? vendor.validator.validateAt(m.schemaPointer, m.payload)
      : [{ location: 'body' as const, field: '', rule: 'declared', message: `event ${m.event} has no schema in the spec's webhooks` }];
    if (!violations.length) return;
    const shown = violations.slice(0, 20);
    this.journal.add({
      at: new Date(this.world.now()).toISOString(),
      vendor: vendor.name,
      accountId,
      method: 'WEBHOOK',
      path: `webhooks/${m.event}`,
      operationId: null,
      status: 0,
      latencyMs: 0,
      violations: [],
      violationCount: 0,
      responseViolations: shown,
      warnings: [],
      warningCount: 0,
    });
    this.logger.info({ vendor: vendor.name, event: m.event, responseViolations: shown }, 'webhook payload violates its spec');
  }

  signRecordingUrl(vendor: string, callId: string, expiresAt: number, format: RecordingFormat = 'wav'): string {
    const exp = Math.floor(expiresAt / 1000);
    const path = `/__sim/recordings/${vendor}/${encodeURIComponent(callId)}.${format}`;
    return `${this.baseUrl}${path}?expires=${exp}&sig=${this.sign(path, exp)}`;
  }

  private sign(path: string, exp: number): string {
    return createHmac('sha256', this.signingKey).update(`${path}\n${exp}`).digest('hex');
  }

  /** 'ok', or why the link is refused: a bad signature (403) or a passed expiry (410). */
  checkRecordingSignature(path: string, expires: string | undefined, sig: string | undefined): 'ok' | 'forbidden' | 'expired' {
    const exp = Number(expires);
    if (!Number.isInteger(exp) || !sig || !/^[0-9a-f]{64}$/.test(sig)) return 'forbidden';
    const want = Buffer.from(this.sign(path, exp), 'hex');
    if (!timingSafeEqual(want, Buffer.from(sig, 'hex'))) return 'forbidden';
    return exp * 1000 < this.world.now() ? 'expired' : 'ok';
  }
}
