import type { Redis } from 'ioredis';

/**
 * What the processes of a cluster share in Redis: who they are, which process owns each account,
 * key, login token and call, and which process may sell each number. Owners are node indexes;
 * `callsim:nodes` maps an index to the node's base URL, and a node is alive while its
 * `callsim:alive:<index>` key is (a heartbeat). Mappings never change owner while their owner is
 * alive, so each process caches what it has looked up.
 */
export const KEYS = {
  seq: 'callsim:node-seq',
  nodes: 'callsim:nodes',
  alive: (node: number) => `callsim:alive:${node}`,
  owners: 'callsim:owner:account',
  tokens: 'callsim:owner:token',
  calls: 'callsim:owner:call',
  numbers: (vendor: string) => `callsim:numbers:${vendor}`,
  bus: 'callsim:bus',
  ack: (id: string) => `callsim:ack:${id}`,
};

/** A node is declared dead this long after its last heartbeat. */
const ALIVE_TTL_SEC = 10;
const HEARTBEAT_MS = 3000;

/**
 * `field` of hash KEYS[1] for node ARGV[1], unless a live node holds it: the claimant or the live
 * holder. What a process that died held goes to the next one to claim it.
 */
const CLAIM = `
local cur = redis.call('HGET', KEYS[1], ARGV[2])
if cur and cur ~= ARGV[1] and redis.call('EXISTS', 'callsim:alive:' .. cur) == 1 then return cur end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[1])
return ARGV[1]`;

/**
 * Leases up to ARGV[2] numbers of one inventory block (ARGV[3..]) to node ARGV[1] in hash KEYS[1]:
 * the ones it already holds, then free ones or ones a dead node held. Returns the node's numbers.
 */
const LEASE = `
local mine, want = {}, tonumber(ARGV[2])
for i = 3, #ARGV do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  if cur == ARGV[1] then table.insert(mine, ARGV[i]) end
end
for i = 3, #ARGV do
  if #mine >= want then break end
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  if not cur or (cur ~= ARGV[1] and redis.call('EXISTS', 'callsim:alive:' .. cur) == 0) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[1])
    table.insert(mine, ARGV[i])
  end
end
return mine`;

export class Directory {
  readonly node: number;
  private urls = new Map<number, string>();
  private cache = new Map<string, number | null>();
  private heartbeat?: NodeJS.Timeout;

  private constructor(
    readonly redis: Redis,
    node: number,
    readonly url: string,
  ) {
    this.node = node;
    this.urls.set(node, url);
  }

  /** Joins: a node index of its own (INCR), its URL published, its heartbeat started. */
  static async join(redis: Redis, url: string): Promise<Directory> {
    const node = await redis.incr(KEYS.seq);
    const d = new Directory(redis, node, url);
    await redis.hset(KEYS.nodes, String(node), url);
    await d.beat();
    d.heartbeat = setInterval(() => void d.beat().catch(() => {}), HEARTBEAT_MS);
    d.heartbeat.unref();
    return d;
  }

  private beat(): Promise<unknown> {
    return this.redis.set(KEYS.alive(this.node), this.url, 'EX', ALIVE_TTL_SEC);
  }

  /** The node that holds `field` of `hash` after this node claimed it (itself, or a live earlier claimant). */
  async claim(hash: string, field: string): Promise<number> {
    const owner = Number(await this.redis.eval(CLAIM, 1, hash, String(this.node), field));
    this.cache.set(`${hash} ${field}`, owner);
    return owner;
  }

  /** Records this node as the owner of each field (accounts, keys, calls it made). */
  async record(hash: string, fields: string[]): Promise<void> {
    if (!fields.length) return;
    await this.redis.hset(hash, Object.fromEntries(fields.map((f) => [f, String(this.node)])));
    for (const f of fields) this.cache.set(`${hash} ${f}`, this.node);
  }

  /** The owner of `field`, or null; a miss is not cached (the owner may record it any moment). */
  async owner(hash: string, field: string): Promise<number | null> {
    const key = `${hash} ${field}`;
    const known = this.cache.get(key);
    if (known !== undefined && known !== null) return known;
    const v = await this.redis.hget(hash, field);
    const owner = v === null ? null : Number(v);
    if (owner !== null) this.cache.set(key, owner);
    return owner;
  }

  /** Numbers of one block this node may sell, at most `want` (see LEASE). */
  async lease(vendor: string, want: number, numbers: string[]): Promise<string[]> {
    if (!numbers.length) return [];
    return (await this.redis.eval(LEASE, 1, KEYS.numbers(vendor), String(this.node), String(want), ...numbers)) as string[];
  }

  /** A node's base URL. */
  async urlOf(node: number): Promise<string | undefined> {
    let url = this.urls.get(node);
    if (url === undefined) {
      url = (await this.redis.hget(KEYS.nodes, String(node))) ?? undefined;
      if (url !== undefined) this.urls.set(node, url);
    }
    return url;
  }

  /** Forgets cached owners (after a reset: minted accounts and their calls are gone everywhere). */
  forget(): void {
    this.cache.clear();
  }

  async leave(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.redis.del(KEYS.alive(this.node)).catch(() => {});
  }
}
