import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Callsim } from '../app.js';
import type { Outcome } from '../engine/pipeline.js';
import { KEYS } from './directory.js';

/** Admin requests that change every node's world or settings: run on one, then on all the others. */
export const BROADCAST = new Set(['POST /__sim/reset', 'PUT /__sim/config']);

/** How long the node that took a broadcast request waits for the others to have applied it. */
const ACK_TIMEOUT_SEC = 5;

interface Message {
  id: string;
  from: number;
  method: string;
  path: string;
  body: string;
}

/**
 * Reset and config changes through Redis pub/sub. The node a client asked applies the request
 * itself, publishes it, and answers once every other subscribed node has applied it too (each
 * pushes an acknowledgement), so a test that resets through one process and goes on through another
 * sees the reset everywhere.
 */
export class Broadcast {
  constructor(
    private sim: Callsim,
    private redis: Redis,
    /** A connection of its own: a blocking pop would hold up every other command. */
    private waiter: Redis,
    private sub: Redis,
    private node: number,
  ) {}

  async start(): Promise<void> {
    await this.sub.subscribe(KEYS.bus);
    this.sub.on('message', (_channel: string, text: string) => {
      const m = JSON.parse(text) as Message;
      if (m.from === this.node) return;
      void this.apply(m).finally(() => this.redis.rpush(KEYS.ack(m.id), String(this.node)).then(() => this.redis.expire(KEYS.ack(m.id), 60)));
    });
  }

  /** Runs the request here as a client's would be, through the admin surface. */
  private async apply(m: Message): Promise<Outcome> {
    const token = this.sim.options.adminToken;
    const outcome = await this.sim.handle(this.sim.admin, {
      method: m.method,
      path: m.path,
      query: {},
      headers: { 'content-type': 'application/json', host: 'localhost', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: Buffer.from(m.body),
      remote: '127.0.0.1',
    });
    return outcome;
  }

  /** Tells the others to apply a request this node answered; resolves once they have (or the wait ran out). */
  async publish(method: string, path: string, body: Buffer): Promise<void> {
    const m: Message = { id: randomUUID(), from: this.node, method, path, body: body.toString('utf8') };
    // PUBLISH answers how many subscribers got it, this node's own among them.
    const others = Number(await this.redis.publish(KEYS.bus, JSON.stringify(m))) - 1;
    for (let i = 0; i < others; i++) if (!(await this.waiter.blpop(KEYS.ack(m.id), ACK_TIMEOUT_SEC))) break;
    await this.redis.del(KEYS.ack(m.id));
  }
}
