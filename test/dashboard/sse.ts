/** A test client for GET /__sim/events: collects events and waits for the one a test expects. */
interface SseEvent {
  event: string;
  data: any;
}

export interface SseClient {
  events: SseEvent[];
  /** Raw text seen, comments included (heartbeats). */
  raw: () => string;
  /** Resolves with the first event (from the start of the stream) matching `pred`. */
  next(pred: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Only events arriving after this call. */
  after(pred: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
  closed: Promise<void>;
}

export async function openEvents(url: string): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(`${url}/__sim/events`, { signal: controller.signal });
  if (res.status !== 200) throw new Error(`GET /__sim/events → ${res.status}`);
  const events: SseEvent[] = [];
  let text = '';
  let waiters: Array<{ from: number; pred: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }> = [];
  const check = () => {
    waiters = waiters.filter((w) => {
      const hit = events.slice(w.from).find(w.pred);
      if (hit) w.resolve(hit);
      return !hit;
    });
  };
  const closed = (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const s = decoder.decode(chunk, { stream: true });
        text += s;
        buf += s;
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) !== -1) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const lines = block.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
        check();
      }
    } catch {
      /* aborted by close() */
    }
  })();
  const wait = (from: number, pred: (e: SseEvent) => boolean, timeoutMs = 5000) =>
    new Promise<SseEvent>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; got: ${events.map((e) => e.event).join(', ')}`)), timeoutMs);
      waiters.push({
        from,
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
      check();
    });
  return {
    events,
    raw: () => text,
    next: (pred, timeoutMs) => wait(0, pred, timeoutMs),
    after: (pred, timeoutMs) => wait(events.length, pred, timeoutMs),
    close: () => controller.abort(),
    closed,
  };
}
