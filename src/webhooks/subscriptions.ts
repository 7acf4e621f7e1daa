import { createHash } from 'node:crypto';

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

  /** Ids and secrets derive from the seed, so a seeded run answers the same bytes twice. */
  constructor(private seed: number) {}

  add(input: Omit<Subscription, 'id' | 'secret' | 'createdAt'> & { secret?: string; createdAt: number }): Subscription {
    const sub: Subscription = {
      ...input,
      id: `wh_${derive(this.seed, 'id', ++this.seq).slice(0, 12)}`,
      secret: input.secret ?? `whsec_${derive(this.seed, 'secret', this.seq).slice(0, 48)}`,
    };
    this.subs.set(sub.id, sub);
    return sub;
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

  restore(list: Subscription[]): void {
    this.subs = new Map(list.map((s) => [s.id, s]));
  }
}
