import { createHash, randomBytes } from 'node:crypto';

const derive = (...parts: Array<string | number>): string => createHash('sha256').update(parts.join(':')).digest('hex');

export interface Subscription {
  id: string;
  vendor: string;
  accountId: string;
  url: string;
  /** null = every event. */
  events: string[] | null;
  secret: string;
  createdAt: number;
  /** Where it came from: the vendor's own API, the admin API or the config file. */
  source: 'api' | 'admin' | 'config';
}

export class SubscriptionStore {
  private subs = new Map<string, Subscription>();
  private seq = 0;

  /**
   * Ids follow the seed (a seeded run names its subscriptions the same way twice); secrets come from
   * a cryptographic source, never from the seed, which is printed at start.
   */
  constructor(private seed: number) {}

  add(input: Omit<Subscription, 'id' | 'secret' | 'createdAt'> & { secret?: string; createdAt: number }): Subscription {
    let id: string;
    // The sequence is part of the state; an id in use (a restored world) is skipped, never overwritten.
    do id = `wh_${derive(this.seed, 'id', ++this.seq).slice(0, 12)}`;
    while (this.subs.has(id));
    const sub: Subscription = { ...input, id, secret: input.secret ?? `whsec_${randomBytes(24).toString('hex')}` };
    this.subs.set(sub.id, sub);
    return sub;
  }

  /** Where the id sequence stands, for snapshots. */
  get sequence(): number {
    return this.seq;
  }

  remove(id: string): boolean {
    return this.subs.delete(id);
  }

  get(id: string): Subscription | undefined {
    return this.subs.get(id);
  }

  all(): Subscription[] {
    return [...this.subs.values()];
  }

  /** Whether any subscription could want this account's events: when none does, no payload is built. */
  any(vendor: string, accountId: string): boolean {
    for (const s of this.subs.values()) if (s.vendor === vendor && (s.accountId === '*' || s.accountId === accountId)) return true;
    return false;
  }

  /** Subscriptions that want this vendor event for this account (or for every account). */
  matching(vendor: string, accountId: string, event: string): Subscription[] {
    return this.all().filter((s) => s.vendor === vendor && (s.accountId === '*' || s.accountId === accountId) && (!s.events || s.events.includes(event)));
  }

  clear(keep?: (s: Subscription) => boolean): void {
    for (const [id, s] of this.subs) if (!keep?.(s)) this.subs.delete(id);
    if (!this.subs.size) this.seq = 0;
  }

  restore(list: Subscription[], sequence = this.seq): void {
    this.subs = new Map(list.map((s) => [s.id, s]));
    this.seq = sequence;
  }
}

/** A receiver URL as listings show it: credentials in it (`https://user:pass@…`) are never echoed back. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '***';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}
