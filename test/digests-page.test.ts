import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { value } from './helpers/db-rows.ts';
import { CHROMIUM, noChromium } from './helpers/tools.ts';
import { PASSWORD, startHarness, type Harness } from './http-fixture.ts';

// A digest person's lead in the page (headless Chromium, phone and desktop): the email view says
// which person of the email the lead is, and the source is the whole digest.

describe.skipIf(noChromium())('a digest person in the page', () => {
  let h: Harness;
  let browser: Browser;
  let ids: number[] = [];
  beforeAll(async () => {
    h = await startHarness();
    const r = await h.app.ingestor.ingest(fs.readFileSync('fixtures/digests/01-text-digest-three.eml'), { source: 'file' });
    ids = await Promise.all([0, 1, 2].map((k) => value(h.app, 'select id from leads where raw_email_id = ? and part_index = ?', [r.rawEmailId, k])));
    await h.addUser('gerente@inmo.cl', 'gerente', { name: 'Gabriela Gerente' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  for (const viewport of [{ width: 390, height: 844 }, { width: 1440, height: 900 }]) {
    it(`at ${viewport.width}x${viewport.height} the second person's lead says "Persona 2 / 3 de este correo" and shows the digest`, async () => {
      const page = await browser.newPage({ viewport, locale: 'es-CL', timezoneId: 'America/Santiago' });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      try {
        await page.goto(h.base);
        await page.fill('#login-email', 'gerente@inmo.cl');
        await page.fill('#login-password', PASSWORD);
        await page.click('#login-form button[type=submit]');
        await page.waitForSelector(`[data-id="${ids[1]}"]`);
        await page.locator(`[data-id="${ids[1]}"]`).first().click();
        await page.waitForSelector('#detail[open]');
        expect(await page.locator('#d-title').innerText()).toBe('Matías Herrera');
        await expect.poll(() => page.locator('#d-raw-meta').innerText()).toContain('Persona 2 / 3 de este correo');
        await page.click('#d-source');
        await expect.poll(() => page.locator('#d-raw').innerText()).toContain('Josefa Morales');
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }
});
