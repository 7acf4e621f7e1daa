import type { SimRequest, SimResponse } from '../contract/types.js';
import type { ApiError } from '../engine/errors.js';
import type { RawRoute } from '../engine/listener.js';
import type { Handlers } from '../engine/surface.js';
import type { SimEvent } from '../sim/events.js';
import type { Account, Session } from '../sim/types.js';
import type { Prices, World } from '../sim/world.js';

export type RecordingFormat = 'wav' | 'mp3';

export interface WebhookSubscriptionView {
  id: string;
  url: string;
  events: string[] | null;
  createdAt: number;
}

/** What the server lends a vendor's handlers beyond the neutral sim, bound to that vendor. */
export interface VendorServices {
  /** Absolute base URL this server answers on (`http://127.0.0.1:4010`). */
  baseUrl(): string;
  /** A signed link to one of this vendor's call recordings (in its `recordingFormat`), valid until `expiresAt` (epoch ms). */
  recordingUrl(callId: string, expiresAt: number): string;
  /** Webhook subscriptions of this vendor's accounts (Calleague registers them through its API). */
  webhooks: {
    subscribe(accountId: string, url: string, events?: string[]): WebhookSubscriptionView & { secret: string };
    list(accountId: string): WebhookSubscriptionView[];
    remove(accountId: string, id: string): boolean;
  };
  /** An unguessable token (checkout sessions): from a cryptographic source, never from the seed. */
  secretToken(bytes?: number): string;
}

/** Who a vendor request acts for: the key's account and session (a login token or an API key). */
export interface VendorPrincipal {
  account: Account;
  session: Session;
}

/** A vendor handler's context. On an unsecured operation (a login) account and session are absent at run time. */
export interface VendorContext extends VendorPrincipal {
  world: World;
  services: VendorServices;
}

/** A vendor's handler table, typed by its spec's generated `operations` and `defaults`. */
export type VendorHandlers<Ops, Defaults = Record<string, never>> = Handlers<Ops, VendorContext, Defaults>;

export interface WebhookMessage {
  /** The vendor's event name. */
  event: string;
  payload: Record<string, unknown>;
  /** Pointer of the payload schema in the vendor spec's `webhooks` section. */
  schemaPointer?: string;
  /** Deliveries of the same key keep their order (one call's events). */
  orderKey: string;
}

/** What a vendor's fixture file gives the world: its accounts (seeded on start and reset), minting, prices. */
export interface VendorFixturesApi {
  seed(world: World): void;
  /** Mints an isolated account (admin API); returns its key and extra login details. */
  mint(world: World, fixtures: 'demo' | 'empty'): { accountId: string; key: string; extra?: Record<string, unknown> };
  /** What the simulated carrier charges this vendor's accounts. */
  prices: Prices;
  /** Every call id the fixtures seed: call ids are global (media and recording links), so they may not collide across vendors. */
  callIds: string[];
}

/** Adding a vendor: one spec, one folder with one of these, one line in the registry. */
export interface VendorAdapter {
  name: string;
  title: string;
  /** Mount point, e.g. `/jagcall`. */
  prefix: string;
  /** Where the documented base URL points below the prefix (`/v1/` for JagCall), for the start banner. */
  basePath: string;
  /** Absolute path of the vendor's spec. */
  specFile: string;
  /** The documented base URL the prefix stands for. */
  docsBase: string;
  demoKey: string;
  otherKey: string;
  /** operationId → handler, exactly the spec's operations (see `exactly`). */
  handlers: object;
  /** The one function that writes this vendor's error envelope. */
  error(e: ApiError, req: SimRequest): SimResponse;
  /** Read lazily: the fixture file is parsed when the world is first seeded. */
  fixtures(): VendorFixturesApi;
  /** Translates a neutral sim event into this vendor's webhook events. */
  webhooks(event: SimEvent, world: World, services: VendorServices): WebhookMessage[];
  /** Event names a subscription may ask for. */
  webhookEvents: string[];
  /** Signature headers for a delivery (default: callsim's Stripe-style header). */
  signatureHeaders?(rawBody: string, secret: string, timestampSec: number): Record<string, string>;
  /** The audio file its recording links serve: what its pages say (CallGeni.us MP3); default WAV. */
  recordingFormat?: RecordingFormat;
  /** Whether its keys can be limited (its error table documents 403): a read-only key's writes then answer 403. */
  keyRoles?: boolean;
  /** Default fair-use limit per token/workspace, or undefined for none. */
  rateLimit?: { requests: number; perMs: number; scope: 'token' | 'account' };
  /** Answers that are not served from the spec (a status page, a file download), routed before it. */
  raw?: RawRoute[];
}
