import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

const CHROMIUM = process.env.CALLSIM_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

/**
 * The dashboard tests need a real browser. Without one they fail, loudly: a skipped browser test
 * would let a broken page pass CI quietly.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    const banner = '#'.repeat(78);
    throw new Error(
      [
        '',
        banner,
        `#  The dashboard tests need Chromium at ${CHROMIUM}, and it is missing.`,
        '#  Install it:   sudo apt-get update && sudo apt-get install -y chromium',
        '#  (or point CALLSIM_CHROMIUM at another Chromium binary). .ci/run installs it.',
        banner,
        '',
      ].join('\n'),
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The machine's network is closed; these keep Chromium from trying to reach Google on its own.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Guarded {
  context: BrowserContext;
  page: Page;
  /** Every problem seen: page errors, console errors, requests that tried to leave the machine. */
  problems: string[];
  /**
   * The test provokes an API refusal on purpose: Chromium logs any 4xx fetch as a console error, so
   * that one message (once per call) is expected rather than a problem.
   */
  expectHttpError(status: number): void;
  /** Expected refusals that never came: the test meant to provoke them, so that is a failure too. */
  unmet(): number[];
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A page that records every page error and console error, and aborts (and records) any request to
 * a host other than this machine: the dashboard must load nothing from the internet.
 */
export async function guardedPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<Guarded> {
  const context = await browser.newContext({ viewport, serviceWorkers: 'block' });
  const page = await context.newPage();
  const problems: string[] = [];
  const expected: number[] = [];
  await page.route('**', (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && !LOCAL_HOSTS.has(url.hostname)) {
      problems.push(`request left the machine: ${route.request().method()} ${url.href}`);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const status = /^Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text());
    const i = status ? expected.indexOf(Number(status[1])) : -1;
    if (i !== -1) expected.splice(i, 1);
    else problems.push(`console error: ${msg.text()}`);
  });
  page.on('websocket', (ws) => {
    const host = new URL(ws.url()).hostname;
    if (!LOCAL_HOSTS.has(host)) problems.push(`websocket left the machine: ${ws.url()}`);
  });
  return { context, page, problems, expectHttpError: (status) => expected.push(status), unmet: () => [...expected] };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Opens the dashboard and waits until its event stream is live. */
export async function openDashboard(page: Page, url: string, hash = ''): Promise<void> {
  await page.goto(`${url}/${hash}`);
  await page.locator('#conn[data-state="live"]').waitFor({ timeout: 10_000 });
}

/**
 * Stands in for callsim's media stream (src/media, built separately): speaks the Twilio Media
 * Streams messages the page must understand, with `frames` 20 ms μ-law frames per track, then stop.
 * Returns the URLs the page opened.
 */
export async function fakeMediaStream(page: Page, frames = 25): Promise<string[]> {
  const opened: string[] = [];
  await page.routeWebSocket(/\/__sim\/media\//, (ws) => {
    opened.push(ws.url());
    ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    ws.send(
      JSON.stringify({
        event: 'start',
        sequenceNumber: '1',
        start: { streamSid: 'MZtest', tracks: ['inbound', 'outbound'], mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
      }),
    );
    let n = 0;
    const timer = setInterval(() => {
      n++;
      // A square-ish wave: alternating loud positive and negative μ-law codes.
      const payload = Buffer.from(Array.from({ length: 160 }, (_, i) => (i % 16 < 8 ? 0x10 : 0x90))).toString('base64');
      for (const track of ['inbound', 'outbound']) {
        ws.send(JSON.stringify({ event: 'media', sequenceNumber: String(n), media: { track, chunk: String(n), timestamp: String(n * 20), payload } }));
      }
      if (n >= frames) {
        clearInterval(timer);
        ws.send(JSON.stringify({ event: 'stop', stop: { callSid: 'x' } }));
      }
    }, 20);
    ws.onClose(() => clearInterval(timer));
  });
  return opened;
}

/** After each test: close its page and fail on page errors, off-machine requests or unmet refusals. */
export async function closeAndCheck(g: Guarded): Promise<void> {
  await g.context.close();
  expect(g.problems, 'no page errors, console errors or requests leaving the machine').toEqual([]);
  expect(g.unmet(), 'every refusal the test provoked happened').toEqual([]);
}
