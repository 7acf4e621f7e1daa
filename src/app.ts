import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { type CallsimOptions, DEFAULT_OPTIONS } from './config.js';
import { readSpec } from './contract/precompile.js';
import { Router } from './contract/router.js';
import { loadSpecDoc } from './contract/spec.js';
import type { SimRequest } from './contract/types.js';
import { ContractValidator } from './contract/validator.js';
import { FIXTURES_DIR, loadInventory, loadLibrary, loadPrices, PACKAGE_ROOT, SPECS_DIR } from './fixtures/index.js';
import { faultGuard, rateLimitGuard } from './guards.js';
import { Journal, journalEntry } from './journal.js';
import { type Guard, type Outcome, runPipeline, type VendorRuntime } from './pipeline/index.js';
import { RealClock, VirtualClock } from './sim/clock.js';
import { World } from './sim/world.js';
import { VENDORS } from './vendors/registry.js';
import type { Services } from './vendors/types.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import { SubscriptionStore } from './webhooks/subscriptions.js';

/** A spec operation without a handler is a start-up error, never a silent mock. */
export function missingHandlers(runtime: VendorRuntime): string[] {
  return runtime.spec.operations.map((o) => o.operationId).filter((id) => !runtime.adapter.handlers[id]);
}

export function loadRuntimes(names?: string[]): VendorRuntime[] {
  return VENDORS.filter((v) => !names || names.includes(v.name)).map((adapter) => {
    const cached = readSpec(join(SPECS_DIR, adapter.specFile), join(PACKAGE_ROOT, 'dist', 'validators'), adapter.name);
    const spec = loadSpecDoc(cached.doc, adapter.name);
    const runtime = { adapter, spec, validator: new ContractValidator(spec, cached.precompiled), router: new Router(spec.operations) };
    const missing = missingHandlers(runtime);
    if (missing.length) throw new Error(`${adapter.name}: no handler for operation(s) ${missing.join(', ')}`);
    return runtime;
  });
}

/**
 * One callsim instance without its transport: the world, the vendors, the services they share.
 * The HTTP server (server.ts) and tests drive it.
 */
export class Callsim {
  readonly options: CallsimOptions;
  readonly world: World;
  readonly runtimes: VendorRuntime[];
  readonly subscriptions: SubscriptionStore;
  readonly services: Services;
  readonly guards: Guard[] = [];
  readonly signingKey: Buffer;
  readonly seed: number;
  readonly webhooks: WebhookDispatcher;
  readonly journal: Journal;
  baseUrl = '';
  /** Run before the server closes: long-lived responses (event streams) end so close() can finish. */
  readonly shutdownListeners: Array<() => void> = [];
  /** Told after a reset or a snapshot restore: the whole state changed at once. */
  readonly resetListeners: Array<() => void> = [];
  /** Where work no request answers for (media streams, dial-outs) is logged; the CLI sets its logger. */
  logger: Logger = pino({ level: 'silent' });
  outcomeListeners: Array<(vendor: VendorRuntime, req: SimRequest, outcome: Outcome, ms: number) => void> = [];

  constructor(opts: Partial<CallsimOptions> = {}, timeSource: () => number = Date.now) {
    this.options = { ...DEFAULT_OPTIONS, ...opts, media: { ...DEFAULT_OPTIONS.media, ...opts.media } };
    this.seed = this.options.seed ?? randomInt(1, 2 ** 31);
    this.signingKey = createHmac('sha256', 'callsim-recordings').update(String(this.seed)).digest();
    const start = this.options.startTime ?? timeSource();
    const clock = this.options.clock === 'virtual' ? new VirtualClock(start) : new RealClock(timeSource, this.options.speed);
    this.runtimes = loadRuntimes(this.options.vendors);
    const inventory = loadInventory();
    this.world = new World({
      clock,
      seed: this.seed,
      library: loadLibrary(),
      prices: loadPrices(),
      inventory: Object.fromEntries(this.runtimes.map((r) => [r.adapter.name, inventory])),
      seeders: this.runtimes.map((r) => r.adapter.makeSeeder(FIXTURES_DIR)),
      rules: this.options.scenarios,
    });
    this.subscriptions = new SubscriptionStore(this.seed);
    const subs = this.subscriptions;
    const world = this.world;
    this.services = {
      baseUrl: () => this.baseUrl,
      recordingUrl: (vendor, callId, expiresAt) => this.signRecordingUrl(vendor, callId, expiresAt),
      webhooks: {
        subscribe: (i) => subs.add({ vendor: i.vendor, accountId: i.accountId, url: i.url, events: i.events ?? null, source: 'api', createdAt: world.now() }),
        list: (vendor, accountId) => subs.all().filter((s) => s.vendor === vendor && s.accountId === accountId),
        remove: (vendor, accountId, id) => {
          const s = subs.get(id);
          return !!s && s.vendor === vendor && s.accountId === accountId && subs.remove(id);
        },
      },
    };
    this.webhooks = new WebhookDispatcher(() => this.world, subs, this.runtimes, this.services, this.seed, { timeoutMs: this.options.webhookTimeoutMs });
    this.webhooks.attach();
    this.addConfigSubscriptions();
    this.journal = new Journal(this.options.journalSize);
    this.guards.push(
      rateLimitGuard(
        () => this.world,
        () => this.options.rateLimits,
      ),
    );
    this.guards.push(faultGuard(this.seed, () => this.options.faults));
    this.outcomeListeners.push((runtime, req, outcome, ms) => {
      if (!this.options.journal) return;
      this.journal.add(journalEntry(runtime.adapter.name, req, outcome, ms, this.world.now()));
    });
  }

  /** Subscriptions from the config file: they survive resets, like the rest of the config. */
  private addConfigSubscriptions(): void {
    for (const w of this.options.webhooks) {
      const runtime = this.runtime(w.vendor);
      if (!runtime) throw new Error(`config webhooks: unknown vendor ${w.vendor}`);
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
    this.notifyReset();
  }

  notifyReset(): void {
    for (const l of this.resetListeners) l();
  }

  runtime(name: string): VendorRuntime | undefined {
    return this.runtimes.find((r) => r.adapter.name === name);
  }

  async handle(runtime: VendorRuntime, req: SimRequest): Promise<Outcome> {
    const started = performance.now();
    const outcome = await runPipeline(runtime, req, { world: this.world, services: this.services, guards: this.guards, strict: () => this.options.strict });
    const ms = performance.now() - started;
    for (const l of this.outcomeListeners) l(runtime, req, outcome, ms);
    return outcome;
  }

  signRecordingUrl(vendor: string, callId: string, expiresAt: number): string {
    const exp = Math.floor(expiresAt / 1000);
    const path = `/__sim/recordings/${vendor}/${encodeURIComponent(callId)}.wav`;
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
