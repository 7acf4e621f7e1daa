import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { closeAndCheck, type Guarded, guardedPage, launchChromium, openDashboard, screenshot } from './browser.js';

/**
 * The dashboard in a real headless Chromium against a real callsim (virtual clock): the page must
 * load only from callsim, never log an error, and show what the world does as it does it.
 */
let browser: Browser;
let sim: TestSim;
let g: Guarded;
let receiver: http.Server;
let receiverUrl: string;
const VENDOR = 'jagcall';

beforeAll(async () => {
  browser = await launchChromium();
  sim = await startTestSim();
  receiver = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end('ok')));
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await browser?.close();
  await sim?.stop();
  await new Promise((r) => receiver?.close(r));
});
beforeEach(async () => {
  expect(sim.running.sim.vendor(VENDOR), `these tests drive ${VENDOR}; run with CALLSIM_TEST_VENDORS including it`).toBeDefined();
  await sim.reset();
  g = await guardedPage(browser);
});
afterEach(() => closeAndCheck(g));

describe('dashboard (virtual clock)', () => {
  it('shows a call appear and progress, then its page: timeline, transcript as it grows, summary, recording', { timeout: 60_000 }, async () => {
    const { page } = g;
    await openDashboard(page, sim.url);
    await expect.poll(() => page.locator('#calls-table tbody tr').count()).toBeGreaterThan(0);

    const call = (await sim.api(VENDOR, 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155550123' } })).body;
    const row = page.locator(`#calls-table tr[data-key="${call.id}"]`);
    await expect.poll(() => row.locator('.badge').textContent()).toBe('queued');
    await expect.poll(() => row.textContent()).toContain('+14155550123');
    // Time moves only through the page's clock controls here.
    await page.getByRole('button', { name: 'Next event' }).click();
    await expect.poll(() => row.locator('.badge').textContent()).toBe('ringing');
    await page.getByRole('button', { name: '+10 s' }).click();
    await expect.poll(() => row.locator('.badge').textContent()).toBe('in-progress');
    await expect.poll(() => page.locator('#count-calls').textContent()).toBe('1 live');
    await screenshot(page, 'dashboard.png');

    await row.getByRole('link', { name: call.id }).click();
    await expect.poll(() => page.locator('#call-h').textContent()).toBe(`Call ${call.id}`);
    await expect.poll(() => page.locator('.timeline li').count()).toBe(3);
    await expect.poll(() => page.locator('#transcript-h .note').textContent()).toBe('(live, so far)');
    const early = await page.locator('#transcript li.turn').count();
    expect(early).toBeGreaterThan(0);

    // callsim's media streams play in real time only: on a virtual clock the page says so up front.
    expect(await page.getByRole('button', { name: 'Listen live' }).isDisabled()).toBe(true);
    expect(await page.locator('#listen-state').textContent()).toMatch(/^Not on this server: media streams need --clock real/);

    await page.getByRole('button', { name: '+10 s' }).click();
    await expect.poll(() => page.locator('#transcript li.turn').count()).toBeGreaterThan(early);
    // The player asks for the WAV as soon as it appears (preload=metadata).
    const wav = page.waitForResponse((r) => r.url().includes(`/__sim/recordings/${VENDOR}/${call.id}.wav`) && r.status() < 300);
    await page.getByRole('button', { name: '+1 min' }).click();
    await expect.poll(() => page.locator('#call-h + span .badge').textContent()).toBe('completed');
    await expect.poll(() => page.locator('#transcript-h .note').textContent()).toBe('(final)');
    const final = (await sim.admin('GET', `/calls/${call.id}`)).body;
    await expect.poll(() => page.locator('#transcript li.turn').count()).toBe(final.transcript.length);
    expect(await page.locator('#transcript').textContent()).toContain(final.transcript[1].text);
    expect(await page.locator('#summary').textContent()).toBe(final.summary);
    expect(await page.locator('#sentiment').textContent()).toContain(final.sentiment.toFixed(2));
    expect(await page.getByRole('button', { name: 'Listen live' }).isDisabled()).toBe(true);

    const audio = page.locator('#recording-audio');
    await audio.waitFor();
    await audio.evaluate((a: HTMLAudioElement) => a.play());
    expect((await wav).headers()['content-type']).toBe('audio/wav');
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => !a.paused && a.currentTime > 0.1 && !a.error), { timeout: 10_000 }).toBe(true);
    expect(await audio.evaluate((a: HTMLAudioElement) => Math.round(a.duration))).toBe(final.duration_sec);
    await audio.evaluate((a: HTMLAudioElement) => a.pause());
    await screenshot(page, 'dashboard-call.png');
  });

  it('shows webhook deliveries with attempts and next retry, and redelivers one', async () => {
    const { page } = g;
    await sim.admin('POST', '/webhooks/subscriptions', { vendor: VENDOR, url: receiverUrl, events: ['call.ended'] });
    await sim.admin('POST', '/webhooks/subscriptions', { vendor: VENDOR, url: 'http://127.0.0.1:9/refused', events: ['call.ended'] });
    await openDashboard(page, sim.url, '#/webhooks');
    await expect.poll(() => page.locator('#webhooks-empty').isVisible()).toBe(true);
    await sim.admin('POST', '/calls', { vendor: VENDOR, to: '+14155550123' });
    // The call ends about 31 s in (fixed seed); the first retry comes 4–6 s after the failed attempt.
    await sim.advance(33_000);

    const ok = page.locator('#deliveries-table tbody tr[data-state="succeeded"]');
    const retrying = page.locator('#deliveries-table tbody tr[data-state="retrying"]');
    await expect.poll(() => ok.count()).toBe(1);
    await expect.poll(() => retrying.count()).toBe(1);
    expect(await ok.locator('td[data-label="Attempts"]').textContent()).toMatch(/^1 · last: HTTP 200 \(\d+ ms\)$/);
    expect(await retrying.locator('td[data-label="Attempts"]').textContent()).toMatch(/^1 · last: connection refused/);
    expect(await retrying.locator('td[data-label="Next retry"]').textContent()).toMatch(/^\d\d:\d\d:\d\d \(in \d+ s\)$/);
    await expect.poll(() => page.locator('#count-webhooks').textContent()).toBe('1 failing');

    const id = await ok.getAttribute('data-key');
    await ok.getByRole('button', { name: `Redeliver ${id}` }).click();
    const again = page.locator('#deliveries-table tbody tr', { hasText: `redelivery of ${id}` });
    await expect.poll(() => again.getAttribute('data-state')).toBe('succeeded');
    // The failing one retries when the clock reaches its next attempt.
    await page.getByRole('button', { name: '+1 min' }).click();
    await expect.poll(() => retrying.locator('td[data-label="Attempts"]').textContent()).toMatch(/^2 · /);
    await screenshot(page, 'dashboard-webhooks.png');
  });

  it("shows a live agent's report on its call's page: the simulated caller line by line, expectations and verdict", async () => {
    const { page } = g;
    const { callMedia } = await import('../../src/media/info.js');
    const { CallerRun } = await import('../../src/media/caller.js');
    const { TurnLog } = await import('../../src/media/turns.js');
    const { SILENCE_FRAME } = await import('../../src/media/codec.js');
    // The report of a caller whose agent never spoke, put on a finished call (streams need a real clock).
    const run = new CallerRun(
      {
        name: 'reschedule',
        persona: 'Moves an appointment',
        language: 'en',
        lines: [{ text: 'Hello?', audio: SILENCE_FRAME, after: 0, keys: '', silentMs: 0, hangup: true, expect: { speaks: true } }],
        expect: null,
        prompts: null,
      },
      { silenceMs: () => 500, nudgeMs: () => 1000 },
    );
    run.frame(0, { buf: SILENCE_FRAME, off: 0 }, 0, '', { buf: SILENCE_FRAME, off: 0 }, []);
    const info = callMedia(sim.running.sim.world.findCall('call_xxx')!);
    Object.assign(info, { mode: 'agent', log: new TurnLog(), caller: run.report('caller', 0, 0) });
    await openDashboard(page, sim.url, '#/calls/call_xxx');
    const card = page.locator('#agent-report');
    await card.waitFor();
    expect(await page.locator('#caller-verdict').textContent()).toBe('FAIL');
    expect(await card.locator('tbody tr').count()).toBe(1);
    expect(await card.locator('td[data-label="Agent answered after"]').textContent()).toBe('did not answer');
    expect(await card.locator('.expectations li.bad').textContent()).toBe('✗ line 1: speaks true — got false');
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'dashboard-agent-report.png');
  });

  it('shows the journal with contract violations highlighted, and filters them', async () => {
    const { page } = g;
    await openDashboard(page, sim.url, '#/journal');
    await sim.api(VENDOR, 'GET', '/v1/agents');
    await sim.api(VENDOR, 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: 42, surprise: true }, skipContract: true });
    const rows = page.locator('#journal-table tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const bad = page.locator('#journal-table tbody tr.violation');
    expect(await bad.count()).toBe(1);
    expect(await bad.locator('td[data-label="Request"]').textContent()).toBe('POST /v1/calls');
    expect(await bad.locator('.violations li').count()).toBeGreaterThan(0);
    expect(await bad.evaluate((tr) => getComputedStyle(tr).backgroundColor)).not.toBe(await rows.last().evaluate((tr) => getComputedStyle(tr).backgroundColor));
    expect(await rows.last().locator('td[data-label="Contract"]').textContent()).toBe('ok');
    await expect.poll(() => page.locator('#count-journal').textContent()).toBe('1 violation');
    await screenshot(page, 'dashboard-journal.png');
    await page.getByLabel('Only requests with contract violations').check();
    await expect.poll(() => rows.count()).toBe(1);
  });
});
