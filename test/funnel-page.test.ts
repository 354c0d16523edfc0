// The "Embudo" view in headless Chromium against a real server, real SQLite and real counts.
import { column } from './helpers/db-rows.ts';
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, rut, seed, startHarness, type Harness } from './http-fixture.ts';

import { CHROMIUM, noChromium } from './helpers/tools.ts';
/** The one line app.js's show() needs (until it is there, the test serves app.js with it). */
const SHOW_LINE = "  if (await (await import('./funnel.js')).showFunnel(view)) return;\n";

describe.skipIf(noChromium())('Embudo view in headless Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    h = await startHarness();
    await seed(h.app);
    await h.addUser('gerente@inmo.cl', 'gerente', { name: 'Gabriela Gerente' });
    const clients = await column<string>(h.app, 'SELECT national_id FROM clients WHERE national_id IS NOT NULL ORDER BY id LIMIT 3');
    const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
    const res = await h.post('/api/interactions', [
      { tipo: 'cotizacion', rut: clients[0], proyecto: 'Parque Los Robles', fecha: day(3), producto: 'Depto 101', id: 'Q1' },
      { tipo: 'cotizacion', rut: clients[1], proyecto: 'Mirador del Valle', fecha: day(2), producto: 'Depto 202', id: 'Q2' },
      { tipo: 'separacion', rut: clients[0], proyecto: 'Parque Los Robles', fecha: day(1), estado: 'aprobada', producto: 'Depto 101', id: 'S1' },
    ]);
    expect(res.status).toBe(200);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, locale: 'es-CL', timezoneId: 'America/Santiago' });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error' && !/401|Unauthorized/.test(m.text())) problems.push(`console: ${m.text()}`); });
    await page.route('**/app.js', async (route) => {
      const original = await (await route.fetch()).text();
      const anchor = /^ {2}for \(const b of document\.querySelectorAll\('#views \[data-view\]'\)\) b\.setAttribute\('aria-current'.*\n/m;
      if (!original.includes('funnel.js') && !anchor.test(original)) throw new Error('app.js changed: cannot place the Embudo line');
      await route.fulfill({ body: original.includes('funnel.js') ? original : original.replace(anchor, (m) => m + SHOW_LINE), contentType: 'text/javascript; charset=utf-8' });
    });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const stageCount = (s: string) => page.locator(`#funnel-stages .stage-${s} .n`).innerText();

  it('shows the stages with the API\'s counts and conversions, and the return per portal', async () => {
    await page.goto(h.base);
    await page.fill('#login-email', 'gerente@inmo.cl');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#views:not([hidden])');
    await page.click('#views [data-view=embudo]');
    await page.waitForSelector('#funnel-stages .count');
    expect(await page.locator('#main').isVisible()).toBe(false);
    const api = await h.json('/api/funnel');
    expect(api.stages.map((s: { count: number }) => s.count)).toEqual([30, 2, 1, 0, 0]);
    for (const s of api.stages) expect(await stageCount(s.stage)).toBe(s.count.toLocaleString('es-CL'));
    expect(await page.locator('#funnel-stages .stage-lead .conv').innerText()).toMatch(/6,7\s?%/);
    const portalRows = page.locator('#funnel-byPortal tbody tr');
    expect(await portalRows.count()).toBe(api.byPortal.length);
    expect(await portalRows.first().locator('td.cotizacion').innerText()).toBe(String(api.byPortal[0].cotizacion));
    expect(problems).toEqual([]);
  });

  it('opens a stage into its states and table, and a row into the client\'s timeline', async () => {
    await page.click('#funnel-stages .stage-separacion');
    await expect.poll(() => page.locator('#funnel-states .state-aprobada .n').innerText()).toBe('1');
    await expect.poll(() => page.locator('#funnel-items tbody tr').count()).toBe(1);
    await page.click('#funnel-stages .stage-cotizacion');
    await expect.poll(() => page.locator('#funnel-items tbody tr').count()).toBe(2);
    await page.locator('#funnel-items tbody tr').first().click();
    await page.waitForSelector('#funnel-client[open]');
    const types = await page.locator('#fc-timeline tbody tr td:nth-child(2)').allInnerTexts();
    expect(types).toContain('Cotización');
    expect(types).toContain('Lead');
    await page.click('#funnel-client .detail-head button');
    expect(problems).toEqual([]);
  });

  it('registers a walk-in from the sales room and the lead stage grows', async () => {
    await page.locator('#funnel-view details summary').click();
    await page.fill('#walk-in input[name=name]', 'Pedro Visita Sala');
    await page.fill('#walk-in input[name=nationalId]', rut(17_345_678));
    await page.fill('#walk-in input[name=email]', 'pedro.visita@gmail.com');
    await page.selectOption('#walk-in select[name=project]', 'Mirador del Valle');
    await page.click('#walk-in button[type=submit]');
    await expect.poll(() => page.locator('#walk-in-message').innerText()).toMatch(/Registrado: Bueno/);
    await expect.poll(() => stageCount('lead')).toBe('31');
    expect(problems).toEqual([]);
  });
});
