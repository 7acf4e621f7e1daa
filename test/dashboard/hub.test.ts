import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Callsim } from '../../src/app.js';
import { EventHub, HEARTBEAT_MS } from '../../src/dashboard/hub.js';
import { assetsDir } from '../../src/dashboard/index.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';

/** A stand-in for the event stream's body: records what the hub writes. */
function fakeRes(buffered = 0) {
  const res = Object.assign(new EventEmitter(), {
    out: '' as string,
    ended: false,
    writableLength: buffered,
    readableLength: 0,
    write(s: string) {
      res.out += s;
      return true;
    },
    end() {
      res.ended = true;
      res.emit('close');
    },
    destroy() {
      res.end();
    },
  });
  return res;
}

describe('EventHub', () => {
  afterEach(() => vi.useRealTimers());
  const vendors = process.env.CALLSIM_TEST_VENDORS?.split(',');

  it('sends a heartbeat comment after 15 s of silence, and stops its timer when the last page goes', () => {
    vi.useFakeTimers();
    const sim = new Callsim({ clock: 'virtual', seed: 1, vendors });
    const hub = new EventHub(sim);
    const res = fakeRes();
    hub.add(res as unknown as PassThrough);
    expect(res.out).toMatch(/^event: snapshot\ndata: \{/);
    vi.advanceTimersByTime(HEARTBEAT_MS - 1000);
    expect(res.out).not.toContain(': heartbeat');
    vi.advanceTimersByTime(1000);
    expect(res.out).toContain(': heartbeat\n\n');
    expect(vi.getTimerCount()).toBe(1);
    res.end();
    expect(hub.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cuts off a page that does not read (it reconnects to a fresh snapshot)', async () => {
    const sim = new Callsim({ clock: 'virtual', seed: 1, vendors });
    const hub = new EventHub(sim);
    const res = fakeRes(64 * 1024 * 1024);
    hub.add(res as unknown as PassThrough);
    expect(res.ended).toBe(true);
    expect(hub.size).toBe(0);
  });

  it('costs nothing while no page is open: no listener work, no timers', async () => {
    vi.useFakeTimers();
    const sim = new Callsim({ clock: 'virtual', seed: 1, vendors });
    new EventHub(sim);
    await sim.world.scheduler.advance(1000);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('GET / and its assets', () => {
  let sim: TestSim;
  beforeAll(async () => {
    sim = await startTestSim();
  });
  afterAll(() => sim.stop());

  it('serves the page with a policy that lets it reach only this server', async () => {
    const res = await fetch(`${sim.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).toContain('<script type="module" src="assets/app.js">');
  });

  it('serves every asset with its type, and none of them names another host', async () => {
    const files = readdirSync(assetsDir());
    expect(files).toEqual(expect.arrayContaining(['index.html', 'app.js', 'app.css', 'listen.js']));
    for (const f of files) {
      const res = await fetch(`${sim.url}/assets/${f}`);
      expect(res.status, f).toBe(200);
      const type = res.headers.get('content-type') ?? '';
      if (f.endsWith('.js')) expect(type, f).toMatch(/javascript/);
      if (f.endsWith('.css')) expect(type, f).toMatch(/^text\/css/);
      const text = readFileSync(join(assetsDir(), f), 'utf8');
      expect(text, f).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
      expect(text, f).not.toMatch(/@import|url\(\s*['"]?(https?:|\/\/)/i);
    }
    expect((await fetch(`${sim.url}/assets/nope.js`)).status).toBe(404);
  });
});
