import type { PassThrough } from 'node:stream';
import type { Callsim } from '../app.js';
import { type JournalEntry, journalEntry } from '../journal.js';
import { callSummaryJson, clockJson } from '../presenters.js';
import type { SimEvent } from '../sim/events.js';
import type { Delivery } from '../webhooks/dispatcher.js';
import { deliveryRow, snapshotJson } from './views.js';

export const HEARTBEAT_MS = 15_000;
/** A client this far behind is cut off; it reconnects and starts again from a fresh snapshot. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Journal rows sent per flush at most: under a load test the page wants a sample, not every row. */
const MAX_JOURNAL_PER_FLUSH = 200;

interface Client {
  /** The event stream's body: the transport pipes it to the response and destroys it when the page goes. */
  out: PassThrough;
  lastWrite: number;
}

type JournalRow = Omit<JournalEntry, 'id'>;

/**
 * Everything the event stream needs to know about one Callsim, observed once however many pages are
 * open. Work happens only while a page is connected, and changes are coalesced into one flush per
 * event-loop turn, so a load test against the vendor APIs pays almost nothing for an open dashboard.
 */
export class EventHub {
  private clients = new Set<Client>();
  private dirtyCalls = new Set<string>();
  private journal: JournalRow[] = [];
  private seenDeliveries = new Map<string, string>();
  private clockDirty = false;
  private snapshotDirty = false;
  private flushQueued = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private sim: Callsim) {
    sim.world.bus.on((e) => this.onEvent(e));
    sim.outcomeListeners.push((surface, req, outcome, ms) => {
      if (!this.clients.size) return;
      // Built from the same facts as the journal's own row: reading it back would scan the whole ring.
      this.journal.push(journalEntry(surface.name, req, outcome, ms, sim.world.now()));
      if (this.journal.length > MAX_JOURNAL_PER_FLUSH) this.journal.shift();
      this.schedule();
    });
    this.observeSim();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Resets and restores replace everything; clock moves and delivery attempts have their own hooks. */
  private observeSim(): void {
    const sim = this.sim;
    sim.world.scheduler.advanceListeners.push(() => {
      this.clockDirty = true;
      this.schedule();
    });
    sim.resetListeners.push(() => {
      this.snapshotDirty = true;
      this.schedule();
    });
    sim.webhooks.changeListeners.push(() => {
      if (this.clients.size) this.schedule();
    });
  }

  private onEvent(e: SimEvent): void {
    if (!this.clients.size) return;
    if ('call' in e) this.dirtyCalls.add(e.call.id);
    // Any event may have queued webhook deliveries: the flush diffs them.
    this.schedule();
  }

  add(out: PassThrough): void {
    // Earlier changes go to the pages already open first, so the new page's snapshot is the cut.
    this.flush();
    // A reset or restore seen while no page was open needs no snapshot of its own, but the restore
    // may have swapped the call index.
    this.snapshotDirty = false;
    const client: Client = { out, lastWrite: Date.now() };
    this.clients.add(client);
    out.on('close', () => this.remove(client));
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), 1000);
      this.timer.unref();
    }
    this.markDeliveriesSeen();
    this.write(client, 'snapshot', snapshotJson(this.sim));
  }

  private remove(client: Client): void {
    this.clients.delete(client);
    if (!this.clients.size) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.dirtyCalls.clear();
      this.journal = [];
    }
  }

  /** Ends every stream: an open page must not keep the server from shutting down. */
  closeAll(): void {
    for (const c of [...this.clients]) c.out.end();
  }

  private tick(): void {
    const now = Date.now();
    for (const c of [...this.clients]) if (now - c.lastWrite >= HEARTBEAT_MS) this.send(c, ': heartbeat\n\n');
  }

  private schedule(): void {
    if (this.flushQueued || !this.clients.size) return;
    this.flushQueued = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    if (!this.clients.size) return;
    const sim = this.sim;
    if (this.snapshotDirty) {
      this.snapshotDirty = false;
      this.dirtyCalls.clear();
      this.journal = [];
      this.clockDirty = false;
      this.markDeliveriesSeen();
      return this.broadcast('snapshot', snapshotJson(sim));
    }
    for (const id of this.dirtyCalls) {
      const call = sim.world.findCall(id);
      if (call) this.broadcast('call', callSummaryJson(sim, call));
    }
    this.dirtyCalls.clear();
    for (const d of this.changedDeliveries()) this.broadcast('delivery', deliveryRow(d));
    for (const row of this.journal) this.broadcast('journal', row);
    this.journal = [];
    if (this.clockDirty) {
      this.clockDirty = false;
      this.broadcast('clock', clockJson(sim));
    }
  }

  private signature(d: Delivery): string {
    return `${d.state}|${d.attempts.length}|${d.nextAttemptAt}`;
  }

  private markDeliveriesSeen(): void {
    this.seenDeliveries = new Map([...this.sim.webhooks.deliveries.values()].map((d) => [d.id, this.signature(d)]));
  }

  private changedDeliveries(): Delivery[] {
    const out: Delivery[] = [];
    const live = this.sim.webhooks.deliveries;
    for (const d of live.values()) {
      const sig = this.signature(d);
      if (this.seenDeliveries.get(d.id) === sig) continue;
      this.seenDeliveries.set(d.id, sig);
      out.push(d);
    }
    // Forget deliveries the dispatcher trimmed from its log, so the map does not grow forever.
    if (this.seenDeliveries.size > live.size) for (const id of this.seenDeliveries.keys()) if (!live.has(id)) this.seenDeliveries.delete(id);
    return out;
  }

  private broadcast(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of [...this.clients]) this.send(c, frame);
  }

  private write(client: Client, event: string, data: unknown): void {
    this.send(client, `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private send(client: Client, frame: string): void {
    if (client.out.writableLength + client.out.readableLength > MAX_BUFFERED_BYTES) {
      client.out.destroy();
      return this.remove(client);
    }
    client.out.write(frame);
    client.lastWrite = Date.now();
  }
}

const hubs = new WeakMap<Callsim, EventHub>();

/** One hub per Callsim, created when the first page connects. */
export function hubFor(sim: Callsim): EventHub {
  let hub = hubs.get(sim);
  if (!hub) {
    const created = (hub = new EventHub(sim));
    hubs.set(sim, created);
    sim.shutdownListeners.push(() => created.closeAll());
  }
  return hub;
}
