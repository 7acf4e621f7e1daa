import alawmulaw from 'alawmulaw';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { closeAndCheck, fakeMediaStream, type Guarded, guardedPage, launchChromium, openDashboard } from './browser.js';

/**
 * A server on the real clock at speed 1, as `npm start` runs it: the only mode in which callsim
 * streams call audio. Calls to +1415555… ring for 1 s and talk for 9 s, so a test takes seconds.
 */
let browser: Browser;
let sim: TestSim;
let g: Guarded;
const VENDOR = 'jagcall';

beforeAll(async () => {
  browser = await launchChromium();
  sim = await startTestSim({ clock: 'real', scenarios: [{ toPrefix: '+1415555', outcome: 'answered', ringSec: 1, durationSec: 9 }] });
});
afterAll(async () => {
  await browser?.close();
  await sim?.stop();
});
beforeEach(async () => {
  await sim.reset();
  g = await guardedPage(browser);
});
afterEach(() => closeAndCheck(g));

async function talkingCall(): Promise<string> {
  const call = (await sim.admin('POST', '/calls', { vendor: VENDOR, to: '+14155550123' })).body;
  await openDashboard(g.page, sim.url, `#/calls/${call.id}`);
  await g.page.locator('#call-h + span .s-in-progress').waitFor({ timeout: 10_000 });
  return call.id;
}

describe('real clock', () => {
  it("listens live to callsim's media stream, the transcript grows, then the recording plays", { timeout: 60_000 }, async () => {
    const { page } = g;
    await openDashboard(page, sim.url);
    expect(await page.locator('#clock').textContent()).toMatch(/^real clock · /);
    expect(await page.locator('#clock-virtual').isVisible()).toBe(false);
    expect(await page.locator('#clock-mode').textContent()).toBe(
      'Real clock at 1× speed. The speed is fixed when callsim starts (--speed); restart it to change.',
    );

    const id = await talkingCall();
    await page.getByRole('button', { name: 'Listen live' }).click();
    await expect.poll(() => page.locator('#listen-state').textContent()).toBe('Listening (audio/x-mulaw, 8000 Hz)');
    await expect.poll(async () => Number(await page.locator('#meter-out').getAttribute('data-frames'))).toBeGreaterThan(25);
    expect(Number(await page.locator('#meter-in').getAttribute('data-frames'))).toBeGreaterThan(25);
    await page.getByRole('button', { name: 'Stop listening' }).click();
    await expect.poll(() => page.locator('#listen-state').textContent()).toBe('Stopped.');

    // No clock event moves a real clock: the page's own timer for the next turn brings it.
    expect(await page.locator('#transcript-h .note').textContent()).toBe('(live, so far)');
    const early = await page.locator('#transcript li.turn').count();
    await expect.poll(() => page.locator('#transcript li.turn').count(), { timeout: 10_000 }).toBeGreaterThan(early);
    await expect.poll(() => page.locator('#transcript-h .note').textContent(), { timeout: 15_000 }).toBe('(final)');
    const audio = page.locator('#recording-audio');
    await audio.waitFor({ timeout: 10_000 });
    await audio.evaluate((a: HTMLAudioElement) => a.play());
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => !a.paused && a.currentTime > 0.1 && !a.error), { timeout: 10_000 }).toBe(true);
    const row = page.locator(`#calls-table tr[data-key="${id}"]`);
    expect(await row.locator('.badge').textContent()).toBe('completed');
  });

  it('decodes μ-law exactly, plays both tracks and stops when the stream says stop', { timeout: 30_000 }, async () => {
    const { page } = g;
    const opened = await fakeMediaStream(page, 25);
    const id = await talkingCall();
    await page.getByRole('button', { name: 'Listen live' }).click();
    await expect.poll(async () => Number(await page.locator('#meter-out').getAttribute('data-frames'))).toBe(25);
    expect(Number(await page.locator('#meter-in').getAttribute('data-frames'))).toBe(25);
    await expect.poll(() => page.locator('#listen-state').textContent()).toBe('The stream ended (the call is over).');
    expect(await page.getByRole('button', { name: 'Listen live' }).isVisible()).toBe(true);
    expect(opened).toEqual([`${sim.url.replace('http', 'ws')}/__sim/media/${VENDOR}/${id}?role=listen&tracks=both`]);
    // A string, so the test runner does not rewrite the browser's import().
    const table = await page.evaluate<number[]>("import('/assets/listen.js').then((m) => Array.from(m.MULAW))");
    expect(table).toEqual(Array.from({ length: 256 }, (_, i) => alawmulaw.mulaw.decodeSample(i) / 32768));
  });
});
