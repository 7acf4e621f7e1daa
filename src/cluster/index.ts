import type http from 'node:http';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import type { Callsim } from '../app.js';
import type { SimRequest } from '../contract/types.js';
import { sendSimResponse } from '../engine/transport.js';
import { BROADCAST, Broadcast } from './broadcast.js';
import { Directory, KEYS } from './directory.js';
import { FORWARDED, forwardRequest, forwardUpgrade } from './forward.js';
import { type Place, Router } from './route.js';

export interface ClusterHandle {
  node: number;
  close(): Promise<void>;
}

/** Why these options cannot run in a cluster, or undefined. */
export function clusterRefusal(o: { clock: string }): string | undefined {
  if (o.clock === 'virtual')
    return 'a cluster runs on the real clock only: a virtual clock is moved by one process (POST /__sim/clock/advance) and cannot be shared; run virtual-clock tests on a single process';
  return undefined;
}

/** Integer ids of node n start n million higher, so no two nodes hand out the same one. */
const ID_BLOCK = 1_000_000;

/** The URL other nodes reach this one at: its own, or this host's name when it listens on every interface. */
function advertised(server: http.Server, baseUrl: string): string {
  const addr = server.address();
  if (addr && typeof addr === 'object' && (addr.address === '0.0.0.0' || addr.address === '::')) return `http://${hostname()}:${addr.port}`;
  return baseUrl;
}

type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse) => void;
type UpgradeListener = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

const readAll = (req: http.IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/**
 * Makes this server one node of a cluster (docs/scaling.md): joins through Redis, claims the
 * fixture accounts unless a live node holds them, leases its share of the number inventory, records
 * what it makes, and puts a router in front of the server's own listeners that forwards what
 * another node owns to it.
 */
export async function joinCluster(sim: Callsim, server: http.Server, redisUrl: string): Promise<ClusterHandle> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await redis.connect().catch((err: Error) => {
    throw new Error(`cannot reach the cluster's Redis at ${redisUrl}: ${err.message}`);
  });
  // ioredis reconnects by itself; a dropped connection is worth a log line, not a crash.
  redis.on('error', (err: Error) => sim.logger.warn({ err: err.message }, 'cluster: Redis connection trouble'));
  const sub = redis.duplicate();
  const waiter = redis.duplicate();
  for (const c of [sub, waiter]) c.on('error', () => {});
  const dir = await Directory.join(redis, advertised(server, sim.baseUrl));
  const world = sim.world;
  world.idTag = (dir.node % 256).toString(16).padStart(2, '0');
  world.idOffset = dir.node * ID_BLOCK;

  // Every node seeds the fixture accounts alike; the first live one to claim them owns them.
  const router = new Router(sim, dir, new Set(), new Map());
  const fixtures = [...world.accounts.values()];
  router.setFixtures(fixtures.map((a) => a.id));
  const claimed = new Set<string>();
  for (const a of fixtures) {
    const owner = await dir.claim(KEYS.owners, a.id);
    if (owner === dir.node) claimed.add(a.id);
    if (!router.fixtureOwner.has(a.namespace)) router.fixtureOwner.set(a.namespace, owner);
  }
  const resetOwned = () => {
    router.owned.clear();
    for (const id of claimed) router.owned.add(id);
  };
  resetOwned();

  // A number is sold by one node: each leases a share of every inventory block, and sells only those.
  const leases = new Map<string, Set<string>>();
  for (const vendor of sim.vendors) {
    const pool = world.inventory.get(vendor.name);
    if (!pool) continue;
    const blocks = new Map<string, string[]>();
    for (const n of pool.values()) {
      const key = `${n.country}|${n.type}|${n.areaCode}`;
      blocks.set(key, [...(blocks.get(key) ?? []), n.e164]);
    }
    const mine = new Set<string>();
    for (const numbers of blocks.values()) for (const e164 of await dir.lease(vendor.name, Math.max(2, Math.ceil(numbers.length / 4)), numbers)) mine.add(e164);
    leases.set(vendor.name, mine);
  }
  const applyLeases = () => {
    for (const [vendor, mine] of leases) {
      const pool = world.inventory.get(vendor);
      for (const e164 of [...(pool?.keys() ?? [])]) if (!mine.has(e164)) pool!.delete(e164);
    }
  };
  applyLeases();

  // What this node makes is recorded before the answer that reveals it goes out.
  let pending: Array<Promise<unknown>> = [];
  world.observer = {
    accountCreated: (a) => {
      if (router.isFixture(a.id)) return;
      router.owned.add(a.id);
      pending.push(dir.record(KEYS.owners, [a.id]), dir.record(KEYS.tokens, a.keys));
    },
    sessionCreated: (token, accountId) => {
      if (router.owned.has(accountId)) pending.push(dir.record(KEYS.tokens, [token]));
    },
    callCreated: (id, accountId) => {
      if (router.owned.has(accountId)) pending.push(dir.record(KEYS.calls, [id]));
    },
  };
  sim.beforeAnswer = () => {
    if (!pending.length) return undefined;
    const now = pending;
    pending = [];
    return Promise.all(now).then(() => undefined);
  };
  const afterReset = () => {
    resetOwned();
    applyLeases();
    dir.forget();
  };
  sim.resetListeners.push(afterReset);

  const broadcast = new Broadcast(sim, redis, waiter, sub, dir.node);
  await broadcast.start();

  const inner = server.listeners('request') as RequestListener[];
  const innerUpgrade = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('request');
  server.removeAllListeners('upgrade');
  const local = (req: http.IncomingMessage, res: http.ServerResponse) => {
    for (const l of inner) l(req, res);
  };
  const failed = (res: http.ServerResponse, err: Error) => {
    if (res.headersSent) return void res.destroy();
    sendSimResponse(res, { status: 502, body: { error: { code: 'cluster_unavailable', message: `callsim cluster: ${err.message}` } } });
  };
  const go = async (req: http.IncomingMessage, res: http.ServerResponse, place: Place, body?: Buffer) => {
    if (place === 'here') return body ? answerHere(req, res, body) : local(req, res);
    const url = await dir.urlOf(place);
    if (!url) throw new Error(`node ${place} is not in the directory`);
    forwardRequest(req, res, url, dir.node, body);
  };
  /** A request whose body was read already (to route it) is answered here through its surface. */
  const answerHere = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
    const q = (req.url ?? '/').indexOf('?');
    const simReq: SimRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: q === -1 ? (req.url ?? '/') : (req.url ?? '/').slice(0, q),
      query: Object.fromEntries(new URLSearchParams(q === -1 ? '' : (req.url ?? '').slice(q + 1))),
      headers: req.headers,
      body,
      remote: req.socket.remoteAddress,
    };
    const outcome = await sim.handle(sim.admin, simReq);
    const key = `${simReq.method} ${simReq.path}`;
    if (BROADCAST.has(key) && outcome.response.status < 300) await broadcast.publish(simReq.method, simReq.path, body);
    sendSimResponse(res, outcome.response);
  };

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    // Forwarded once already: answered here, whatever this node thinks (no loops).
    if (req.headers[FORWARDED] !== undefined) return local(req, res);
    const path = (req.url ?? '/').split('?')[0];
    const method = (req.method ?? 'GET').toUpperCase();
    let place: Place | Promise<Place> | undefined;
    try {
      if (BROADCAST.has(`${method} ${path}`)) place = 'here';
      else place = router.place(req, path);
    } catch (err) {
      return failed(res, err as Error);
    }
    if (place === 'here' && !BROADCAST.has(`${method} ${path}`)) return local(req, res);
    const routed =
      place === undefined || BROADCAST.has(`${method} ${path}`)
        ? readAll(req).then(async (body) => go(req, res, place === 'here' ? 'here' : await router.placeByBody(path, body), body))
        : Promise.resolve(place).then((p) => go(req, res, p));
    routed.catch((err: Error) => failed(res, err));
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    const answerHere = () => {
      for (const l of innerUpgrade) l(req, socket, head);
    };
    if (req.headers[FORWARDED] !== undefined) return answerHere();
    Promise.resolve(router.place(req, path) ?? 'here')
      .then(async (p) => {
        if (p === 'here') return answerHere();
        const url = await dir.urlOf(p);
        if (!url) return answerHere();
        forwardUpgrade(req, socket, head, url, dir.node);
      })
      .catch(() => socket.destroy());
  });

  return {
    node: dir.node,
    close: async () => {
      await dir.leave();
      for (const c of [sub, waiter, redis]) c.disconnect();
    },
  };
}
