import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { closeAndCheck, type Guarded, guardedPage, launchChromium, openDashboard, screenshot } from './browser.js';

/** The page's controls, keyboard use, the phone layout, and a server on the real clock. */
let browser: Browser;
let sim: TestSim;
let g: Guarded;
const VENDOR = 'jagcall';

beforeAll(async () => {
  browser = await launchChromium();
  sim = await startTestSim();
});
afterAll(async () => {
  await browser?.close();
  await sim?.stop();
});
beforeEach(async () => {
  await sim.reset();
  await sim.admin('PUT', '/config', { faults: [], media: { latencyMs: 0, jitterMs: 0, lossPercent: 0, agentDelayMs: 300 } });
  g = await guardedPage(browser);
});
afterEach(() => closeAndCheck(g));

const msg = (page: Page, form: string) => page.locator(`${form} .msg`);

describe('controls', () => {
  it('set audio conditions and fault rules through PUT /__sim/config', async () => {
    const { page } = g;
    await openDashboard(page, sim.url);
    await expect.poll(() => page.getByLabel('Agent delay (ms)').inputValue()).toBe('300');
    await page.getByLabel('Latency (ms)').fill('120');
    await page.getByLabel('Jitter (ms)').fill('30');
    await page.getByLabel('Packet loss (%)').fill('2.5');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => msg(page, '#media-form').getAttribute('data-kind')).toBe('ok');
    expect((await sim.admin('GET', '/config')).body.media).toEqual({ latencyMs: 120, jitterMs: 30, lossPercent: 2.5, agentDelayMs: 300, playoutMs: 60 });

    await page.locator('#fault-form').getByLabel('Vendor', { exact: true }).selectOption(VENDOR);
    await page.getByLabel('Path (optional, e.g. /v1/calls)').fill('/v1/agents');
    await page.getByLabel('Status', { exact: true }).fill('503');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await expect.poll(() => page.locator('#fault-list li').textContent()).toContain(`${VENDOR} any /v1/agents → HTTP 503`);
    expect((await sim.admin('GET', '/config')).body.faults).toEqual([{ vendor: VENDOR, path: '/v1/agents', status: 503, probability: 1 }]);
    expect((await sim.api(VENDOR, 'GET', '/v1/agents', { skipContract: true })).status).toBe(503);
    await page.getByRole('button', { name: /^Remove fault rule 1/ }).click();
    await expect.poll(async () => (await sim.admin('GET', '/config')).body.faults).toEqual([]);
    await expect.poll(() => page.locator('#fault-list').textContent()).toContain('No fault rules');

    // A rule that would do nothing is refused before it is sent.
    await page.getByLabel('Status', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await expect.poll(() => msg(page, '#fault-form').textContent()).toMatch(/does nothing/);
    expect((await sim.admin('GET', '/config')).body.faults).toEqual([]);
    // One the server refuses (its vendor is not served): the server's reason is shown.
    await page.locator('#f-vendor').evaluate((s: HTMLSelectElement) => s.add(new Option('nope', 'nope'), 0));
    await page.locator('#f-vendor').selectOption('nope');
    await page.getByLabel('Status', { exact: true }).fill('500');
    g.expectHttpError(400);
    await page.getByRole('button', { name: 'Add rule' }).click();
    await expect.poll(() => msg(page, '#fault-form').textContent()).toMatch(/^faults\.0\.vendor must be one of/);
  });

  it('start an outbound call, simulate an inbound call and SMS, advance the clock, reset', async () => {
    const { page } = g;
    await openDashboard(page, sim.url);
    const before = await page.locator('#calls-table tbody tr').count();
    await expect.poll(() => page.locator('#call-form').getByLabel('Agent').locator('option').count()).toBeGreaterThan(0);
    await page.getByLabel('To (E.164)', { exact: true }).fill('+14155550177');
    await page.getByRole('button', { name: 'Start call' }).click();
    await expect.poll(() => msg(page, '#call-form').textContent()).toMatch(/^Call \S+ is queued\. Open it$/);
    await expect.poll(() => page.locator('#calls-table tbody tr').count()).toBe(before + 1);
    expect(await page.locator('#calls-table tbody tr').first().textContent()).toContain('+14155550177');

    await page.locator('#inbound-form').getByLabel('Vendor', { exact: true }).selectOption(VENDOR);
    const to = await page.getByLabel("To (one of the vendor's numbers)").inputValue();
    expect(to).toMatch(/^\+\d+$/);
    await page.getByRole('button', { name: 'Ring the number' }).click();
    await expect.poll(() => msg(page, '#inbound-form').textContent()).toMatch(/^Inbound call \S+ is (queued|ringing)\.$/);
    await expect.poll(() => page.locator('#calls-table tbody tr', { hasText: `+14155550100 → ${to}` }).count()).toBe(1);
    await page.getByRole('button', { name: 'Send the SMS' }).click();
    await expect.poll(() => msg(page, '#inbound-form').textContent()).toMatch(/^SMS \S+ received by /);

    await page.getByLabel('Advance by (seconds)').fill('45');
    await page.getByRole('button', { name: 'Advance', exact: true }).click();
    await expect.poll(() => page.locator('#clock-msg').textContent()).toMatch(/^Advanced 45 s;/);
    await expect.poll(() => page.locator('#calls-table tbody tr .badge.s-queued').count()).toBe(0);

    await msg(page, '#call-form').getByRole('link', { name: 'Open it' }).click();
    await expect.poll(() => page.locator('#call-h').textContent()).toMatch(/^Call /);
    g.expectHttpError(404);
    await page.getByRole('button', { name: 'Reset the world' }).click();
    await expect.poll(() => page.locator('#view-call .msg').textContent()).toMatch(/No call \S+ any more/);
    await page.getByRole('link', { name: '← All calls' }).click();
    await expect.poll(() => page.locator('#calls-table tbody tr').count()).toBe(before);
  });
});

describe('keyboard, labels, phone', () => {
  it('every control has a label, and a call opens with the keyboard alone', async () => {
    const { page } = g;
    await openDashboard(page, sim.url);
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button, meter')]
        .filter((el) => {
          const labels = (el as HTMLInputElement).labels;
          const name = el.getAttribute('aria-label') || (labels?.length ? labels[0].textContent : '') || (el.tagName === 'BUTTON' ? el.textContent : '');
          return !name?.trim();
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);

    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    let onCall = false;
    for (let i = 0; i < 40 && !onCall; i++) {
      await page.keyboard.press('Tab');
      onCall = await page.evaluate(() => document.activeElement?.getAttribute('href')?.startsWith('#/calls/') ?? false);
    }
    expect(onCall, 'a call link is reachable with Tab').toBe(true);
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('call-h');
    let onAdvance = false;
    for (let i = 0; i < 60 && !onAdvance; i++) {
      await page.keyboard.press('Tab');
      onAdvance = await page.evaluate(() => document.activeElement?.textContent === '+1 min');
    }
    expect(onAdvance, 'the clock controls are reachable with Tab').toBe(true);
    const clock = await page.locator('#clock').textContent();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#clock').textContent()).not.toBe(clock);
  });

  it('reads on a phone: no sideways scrolling, controls one tab away', async () => {
    const { page } = g;
    await page.setViewportSize({ width: 390, height: 844 });
    await sim.admin('POST', '/calls', { vendor: VENDOR, to: '+14155550123' });
    await sim.advance(12_000);
    await openDashboard(page, sim.url);
    await expect.poll(() => page.locator('#calls-table tbody tr').count()).toBeGreaterThan(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await page.locator('#controls').isVisible()).toBe(false);
    await screenshot(page, 'dashboard-phone.png');
    await page.getByRole('link', { name: 'Controls' }).click();
    await expect.poll(() => page.locator('#controls').isVisible()).toBe(true);
    expect(await page.locator('#main').isVisible()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'dashboard-phone-controls.png');
    await page.getByRole('link', { name: 'Calls' }).click();
    await page.locator('#calls-table tbody tr .badge.s-in-progress').first().waitFor();
    await page
      .locator('#calls-table tbody tr', { has: page.locator('.s-in-progress') })
      .getByRole('link')
      .click();
    await expect.poll(() => page.locator('#transcript li.turn').count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'dashboard-phone-call.png');
  });
});
