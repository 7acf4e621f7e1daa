import type { OperationDef } from '../contract/spec.js';
import type { SimRequest, SimResponse, Violation } from '../contract/types.js';
import type { SimEvent } from '../sim/events.js';
import type { Account, Session } from '../sim/types.js';
import type { World } from '../sim/world.js';

export type ApiErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'malformed_json'
  | 'validation'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'upstream'
  | 'internal'
  | 'fault';

/** Everything a vendor needs to write one of its error answers. */
export interface ApiError {
  kind: ApiErrorKind;
  message: string;
  violations?: Violation[];
  /** Forced status (fault injection). */
  status?: number;
  retryAfterSec?: number;
  allowed?: string[];
}

/** Services the server lends to handlers that are not part of the neutral sim. */
export interface Services {
  /** A signed, expiring URL for a call's recording. */
  recordingUrl(vendor: string, callId: string, expiresAt: number): string;
  /** Absolute base URL this server answers on (`http://127.0.0.1:4010`). */
  baseUrl(): string;
  /** Webhook subscriptions (Calleague's API registers them). */
  webhooks: {
    subscribe(input: { vendor: string; accountId: string; url: string; events?: string[] }): {
      id: string;
      secret: string;
      url: string;
      events: string[] | null;
      createdAt: number;
    };
    list(vendor: string, accountId: string): Array<{ id: string; url: string; events: string[] | null; createdAt: number }>;
    remove(vendor: string, accountId: string, id: string): boolean;
  };
}

export interface HandlerContext {
  world: World;
  account: Account;
  session: Session;
  op: OperationDef;
  params: Record<string, any>;
  query: Record<string, any>;
  body: any;
  req: SimRequest;
  services: Services;
}

export type Handler = (ctx: HandlerContext) => SimResponse | Promise<SimResponse>;

export interface WebhookMessage {
  /** The vendor's event name. */
  event: string;
  payload: Record<string, unknown>;
  /** Pointer of the payload schema in the vendor spec's `webhooks` section. */
  schemaPointer?: string;
  /** Deliveries of the same key keep their order (one call's events). */
  orderKey: string;
}

export interface VendorAdapter {
  name: string;
  title: string;
  /** Mount point, e.g. `/jagcall`. */
  prefix: string;
  specFile: string;
  /** The documented base URL the prefix stands for. */
  docsBase: string;
  demoKey: string;
  otherKey: string;
  handlers: Record<string, Handler>;
  /** The one function that writes this vendor's error envelope. */
  error(e: ApiError, req: SimRequest): SimResponse;
  /** Seeds this vendor's demo and second accounts from its fixtures. */
  makeSeeder(fixturesDir: string): (world: World) => void;
  /** Mints an isolated account (admin API); returns its key and extra login details. */
  mintAccount(world: World, fixtures: 'demo' | 'empty'): { accountId: string; key: string; extra?: Record<string, unknown> };
  /** Translates a neutral sim event into this vendor's webhook events. */
  webhooks(event: SimEvent, world: World, services: Services): WebhookMessage[];
  /** Event names a subscription may ask for. */
  webhookEvents: string[];
  /** Signature headers for a delivery (default: callsim's Stripe-style header). */
  signatureHeaders?(rawBody: string, secret: string, timestampSec: number): Record<string, string>;
  /** Default fair-use limit per token/workspace, or undefined for none. */
  rateLimit?: { requests: number; perMs: number; scope: 'token' | 'account' };
}
