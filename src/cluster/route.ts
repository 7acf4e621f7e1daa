import type http from 'node:http';
import type { Callsim } from '../app.js';
import { type Directory, KEYS } from './directory.js';

/** Where a request is answered: here, or by another node (its index). */
export type Place = 'here' | number;

/** Admin requests addressed to one call, by its id (detail, hangup, media settings, recording). */
const CALL_PATH = /^\/__sim\/(?:calls\/([^/?]+)|recordings\/[^/]+\/([^/?]+)\.wav)/;
const MEDIA_PATH = /^\/__sim\/media\/[^/]+\/([^/?]+)/;
const ACCOUNT_PATH = /^\/__sim\/accounts\/([^/?]+)$/;
/** Admin requests whose account is named in the body: a call started on it, inbound traffic to one of its numbers. */
const BODY_ROUTED = new Set(['/__sim/calls', '/__sim/inbound-call', '/__sim/inbound-sms']);

const bearer = (h: string | string[] | undefined): string | undefined => {
  const v = Array.isArray(h) ? h[0] : h;
  return v ? /^Bearer\s+(\S+)\s*$/i.exec(v)?.[1] : undefined;
};
const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/**
 * Finds the node that owns what a request is about. The cut is the account: a vendor request goes
 * to the owner of its key's account; an admin request about one call or account to their owner;
 * anything else (the admin API at large, the dashboard) is answered where it lands.
 */
export class Router {
  constructor(
    private sim: Callsim,
    private dir: Directory,
    /** Accounts this node owns: the fixture accounts it claimed and those it made. */
    readonly owned: Set<string>,
    /** Per vendor, the node that owns its fixture (demo) accounts. */
    readonly fixtureOwner: Map<string, number>,
  ) {}

  private here = (node: number | null | undefined): Place => (node === null || node === undefined || node === this.dir.node ? 'here' : node);

  /** The owner of an account, by id: this node, the fixture owner, or the directory's word. */
  async ofAccount(accountId: string): Promise<Place> {
    if (this.owned.has(accountId)) return 'here';
    const vendor = this.sim.world.accounts.get(accountId)?.namespace;
    const fixture = vendor !== undefined && this.fixtureOwner.get(vendor);
    if (typeof fixture === 'number' && this.isFixture(accountId)) return this.here(fixture);
    return this.here(await this.dir.owner(KEYS.owners, accountId));
  }

  /** The owner of the account a key or login token acts for. */
  async ofToken(token: string): Promise<Place> {
    const session = this.sim.world.sessions.get(token);
    if (session && this.owned.has(session.accountId)) return 'here';
    if (session && this.isFixture(session.accountId)) return this.ofAccount(session.accountId);
    return this.here(await this.dir.owner(KEYS.tokens, token));
  }

  async ofCall(callId: string): Promise<Place> {
    const local = this.sim.world.findCall(callId);
    // Fixture calls are on every node alike; a call this node made is its own.
    if (local && (this.owned.has(local.accountId) || this.isFixture(local.accountId))) return 'here';
    return this.here(await this.dir.owner(KEYS.calls, callId));
  }

  private fixtures = new Set<string>();
  /** Marks the accounts every node seeds from the fixtures (claimed by one of them at join). */
  setFixtures(ids: Iterable<string>): void {
    this.fixtures = new Set(ids);
  }
  isFixture(accountId: string): boolean {
    return this.fixtures.has(accountId);
  }

  /** The node for a request, from its path and headers alone; undefined: it needs its body (BODY_ROUTED). */
  place(req: http.IncomingMessage, path: string): Promise<Place> | Place | undefined {
    const vendor = this.sim.vendors.find((v) => path === v.prefix || path.startsWith(`${v.prefix}/`));
    if (vendor) {
      const token = bearer(req.headers.authorization);
      // No credentials (a login, a hosted checkout page): the node that owns the demo accounts.
      if (!token) return this.here(this.fixtureOwner.get(vendor.name));
      return this.ofToken(token);
    }
    const call = CALL_PATH.exec(path) ?? MEDIA_PATH.exec(path);
    if (call) return this.ofCall(decode(call[1] ?? call[2]));
    const account = ACCOUNT_PATH.exec(path);
    if (account && req.method !== 'POST') return this.ofAccount(decode(account[1]));
    if (req.method === 'POST' && BODY_ROUTED.has(path)) return undefined;
    return 'here';
  }

  /** The node for a body-routed admin request: the account named (or the vendor's demo), or the owner of the number dialled. */
  async placeByBody(path: string, body: Buffer): Promise<Place> {
    let b: { vendor?: string; account?: string; to?: string };
    try {
      b = JSON.parse(body.toString('utf8'));
    } catch {
      return 'here';
    }
    const vendor = b && typeof b.vendor === 'string' ? this.sim.vendor(b.vendor) : undefined;
    if (!vendor) return 'here';
    if (path === '/__sim/calls') {
      const ref = typeof b.account === 'string' ? b.account : vendor.adapter.demoKey;
      if (this.sim.world.accounts.has(ref)) return this.ofAccount(ref);
      return this.ofToken(ref);
    }
    if (typeof b.to !== 'string') return 'here';
    // A number some node sold is that node's; any other (the fixtures') is the demo owner's.
    const seller = await this.dir.owner(KEYS.numbers(vendor.name), b.to);
    for (const [accountId, store] of this.sim.world.stores) {
      for (const n of store.numbers.values()) if (n.e164 === b.to && this.owned.has(accountId)) return 'here';
    }
    return this.here(seller ?? this.fixtureOwner.get(vendor.name));
  }
}
