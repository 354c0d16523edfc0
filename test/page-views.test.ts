// Every view of the page in headless Chromium at 390x844 and 1440x900, with the page's own CSP on:
// axe-core finds no serious or critical violation, and the page never scrolls sideways. The views
// are the sign-in, every tab the header offers to the person (walked from the page itself, so a
// view added later is checked too), the lead's detail and the contact dialog. The Embudo draws its
// charts with the Chart.js the daemon serves, each with its numbers one tap away.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formEmail, PASSWORD, rut, startHarness, type Harness } from './http-fixture.ts';
import { CHROMIUM, noChromium } from './helpers/tools.ts';
import { viewProblems } from './helpers/page-check.ts';

const PLR = 'Parque Los Robles';
const PROJECTS = [`  - name: ${PLR}`, '    aliases: [PLR]', '    vendors:', '      - {id: v1, name: Vera Díaz}', '  - name: Mirador del Valle', '    aliases: [MDV]', '    vendors:', '      - {id: v2, name: Hugo Pérez}'];
const VIEWPORTS = [{ width: 390, height: 844 }, { width: 1440, height: 900 }];

describe.skipIf(noChromium())('every view of the page: accessible and never wider than the screen', () => {
  let h: Harness;
  let browser: Browser;
  const problems: string[] = [];
  let leadId = 0;
  const settled = new WeakMap<Page, () => string[]>();
  /** The page's requests answered (a view is drawn from them). */
  const quiet = (page: Page) => expect.poll(() => settled.get(page)!(), { timeout: 20_000 }).toEqual([]);

  beforeAll(async () => {
    h = await startHarness({ projects: PROJECTS, logLevel: 'silent' });
    await h.addUser('vera@inmo.cl', 'vendedor', { name: 'Vera Díaz', vendorId: 'v1' });
    await h.addUser('jefa@inmo.cl', 'gerente', { name: 'Jefa Ventas' });
    await h.addUser('sara@inmo.cl', 'supervisor', { name: 'Sara Supervisora', team: ['v1', 'v2'] });
    await h.addUser('root@inmo.cl', 'admin', { name: 'Admin Central' });
    const people = [
      { name: 'Ana Rojas Soto', rut: rut(15_234_567), email: 'ana.rojas@gmail.com', phone: '+56 9 8765 4321', project: 'PLR' },
      { name: 'Bruno Díaz Fernández de la Cruz', rut: rut(16_345_678), email: 'bruno.diaz.fernandez.delacruz@empresa-con-nombre-largo.cl', phone: '+56 9 8111 2233', project: 'PLR' },
      { name: 'Carla de Hugo', rut: rut(17_456_789), email: 'carla@gmail.com', phone: '+56 9 8222 3344', project: 'MDV' },
      { name: 'Sin Rut Problemas', email: 'sinrut@gmail.com', project: 'Torre Desconocida' },
    ];
    for (const [i, p] of people.entries()) await h.app.ingestor.ingest(formEmail(p, { daysAgo: i * 3 }), { source: 'file' });
    const leads = await h.json('/api/leads?limit=10');
    const first = leads.items.find((l: { quality: string }) => l.quality === 'bueno');
    await h.post(`/api/leads/${first.id}/follow-up`, { expectation: 'media', contactType: 'llamada' });
    leadId = first.id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function open(viewport: { width: number; height: number }): Promise<Page> {
    // No bypassCSP: the page runs under its own Content-Security-Policy; axe is evaluated over CDP.
    const context = await browser.newContext({ viewport, locale: 'es-CL', timezoneId: 'America/Santiago' });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    // Requests in flight, but a live stream (server-sent events) that stays open by design.
    const inFlight = new Set<{ url(): string }>();
    const streaming = (r: { resourceType(): string; headers(): Record<string, string> }) => r.resourceType() === 'eventsource' || /text\/event-stream/.test(r.headers().accept ?? '');
    page.on('request', (r) => { if (!streaming(r)) inFlight.add(r); });
    page.on('response', (r) => inFlight.delete(r.request()));
    page.on('requestfinished', (r) => inFlight.delete(r));
    page.on('requestfailed', (r) => inFlight.delete(r));
    settled.set(page, () => [...inFlight].map((r) => r.url().replace(h.base, '')));
    await page.goto(h.base);
    await page.waitForSelector('#login:not([hidden])');
    return page;
  }

  async function signIn(page: Page, email: string): Promise<void> {
    await page.fill('#login-email', email);
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#views:not([hidden])');
  }

  /** Every tab the header shows to this person, each checked once drawn. */
  async function walkViews(page: Page, who: string, size: string): Promise<string[]> {
    const found: string[] = [];
    const views = await page.locator('#views [data-view]:visible').evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset.view!));
    expect(views.length).toBeGreaterThan(0);
    for (const view of views) {
      await page.click(`#views [data-view="${view}"]`);
      await page.waitForFunction((v) => document.querySelector(`#views [data-view="${v}"]`)?.getAttribute('aria-current') === 'true', view);
      if (view === 'embudo') await page.waitForSelector('#chart-overdue[data-drawn="true"]');
      await quiet(page);
      found.push(...(await viewProblems(page, `${who} ${size} ${view}`)));
      // One screen at a time: the tab's own, never the previous one left below it.
      const shown = await page.evaluate(() => ['#day', '#main', '#funnel-view', '#desk-view', '#cases-view', '#client-view', '#teach-view'].filter((s) => !(document.querySelector(s) as HTMLElement).hidden));
      if (shown.length !== 1) found.push(`${who} ${size} ${view}: ${shown.length} screens shown (${shown.join(', ')})`);
      // The header and the window's title name the screen in use.
      const named = await page.evaluate((v) => [document.querySelector('.top h1 span')?.textContent, document.title, document.querySelector(`#views [data-view="${v}"]`)?.textContent], view);
      if (named[0] !== named[2] || named[1] !== `Centralizador · ${named[2]}`) found.push(`${who} ${size} ${view}: header "${named[0]}", title "${named[1]}"`);
    }
    return found;
  }

  for (const viewport of VIEWPORTS) {
    const size = `${viewport.width}x${viewport.height}`;

    it(`sign-in, every tab of a manager, the lead detail, at ${size}`, async () => {
      const page = await open(viewport);
      const found = await viewProblems(page, `login ${size}`);
      await signIn(page, 'jefa@inmo.cl');
      found.push(...(await walkViews(page, 'gerente', size)));
      // The lead's detail as a notification email links it, then its client's ficha (a view of its own).
      await page.goto(`${h.base}/?lead=${leadId}#contactos`);
      await page.waitForSelector('#detail[open] #d-fields dt');
      await quiet(page);
      found.push(...(await viewProblems(page, `gerente ${size} detalle del lead`)));
      await page.locator('#d-client a.ficha-link').first().click();
      await page.waitForSelector('#client-view:not([hidden])');
      await quiet(page);
      found.push(...(await viewProblems(page, `gerente ${size} ficha del cliente`)));
      await page.context().close();
      expect(found).toEqual([]);
    });

    it(`every tab of an admin (Auditoría, Duplicados, Casos…), at ${size}`, async () => {
      const page = await open(viewport);
      await signIn(page, 'root@inmo.cl');
      const found = await walkViews(page, 'admin', size);
      await page.context().close();
      expect(found).toEqual([]);
    });

    it(`every tab of a vendor and the contact dialog, at ${size}`, async () => {
      const page = await open(viewport);
      await signIn(page, 'vera@inmo.cl');
      const found = await walkViews(page, 'vendedor', size);
      await page.click('#views [data-view="pendientes"]');
      await page.waitForSelector('#day-pending .lead-card');
      const register = page.locator('#day-pending .lead-card button, #day-due .lead-card button').filter({ hasText: /Registrar/ }).first();
      await register.click();
      await page.waitForSelector('#contact[open]');
      found.push(...(await viewProblems(page, `vendedor ${size} registrar contacto`)));
      await page.context().close();
      expect(found).toEqual([]);
    });
  }

  it('the Embudo draws its charts under the page CSP, each with its numbers one tap away', async () => {
    const page = await open({ width: 390, height: 844 });
    await signIn(page, 'sara@inmo.cl');
    await page.click('#views [data-view="embudo"]');
    await page.waitForSelector('#chart-overdue[data-drawn="true"]');
    expect(await page.evaluate(() => typeof (window as any).Chart)).toBe('function');
    // A drawn chart has pixels on its canvas.
    const inked = await page.evaluate(() => {
      const c = document.querySelector('#chart-funnel canvas') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(100);
    const toggle = page.locator('#chart-speed .numbers-toggle');
    await expect.poll(() => page.locator('#chart-speed-numbers').isHidden()).toBe(true);
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('true');
    const rows = await page.locator('#chart-speed-numbers tbody tr').allInnerTexts();
    expect(rows.some((r) => r.includes('Vera Díaz'))).toBe(true);
    expect((await page.locator('#chart-teams-numbers tbody tr').allInnerTexts()).some((r) => r.includes('Sara Supervisora'))).toBe(true);
    await page.context().close();
    expect(problems.filter((p) => /Content Security Policy|Refused/.test(p))).toEqual([]);
  });

  it('serves Chart.js from the daemon with a script type and a cache lifetime, no source-map request', async () => {
    const res = await fetch(`${h.base}/vendor/chart.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const body = await res.text();
    expect(body).toContain('window.Chart');
    expect(body).not.toContain('sourceMappingURL');
  });

  it("writes dates in the company's time zone with hours 00-23, whatever the browser's zone", async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS[1], locale: 'en-US', timezoneId: 'Asia/Tokyo' });
    const tokyo = await context.newPage();
    await tokyo.goto(h.base);
    await tokyo.waitForSelector('#login:not([hidden])');
    await signIn(tokyo, 'jefa@inmo.cl');
    await tokyo.waitForSelector('#leads tbody tr');
    const lead = (await h.json(`/api/leads/${leadId}`)).lead as { receivedAt: string };
    const as = (timeZone: string) => new Intl.DateTimeFormat('es-CL', { timeZone, hourCycle: 'h23', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(lead.receivedAt));
    const titles = await tokyo.locator('#leads tbody td[title]').evaluateAll((tds) => tds.map((td) => td.getAttribute('title')!));
    expect(titles).toContain(as('America/Santiago'));
    expect(as('America/Santiago')).not.toBe(as('Asia/Tokyo'));
    expect(titles).not.toContain(as('Asia/Tokyo'));
    const texts = (await tokyo.locator('#leads tbody').innerText()) + titles.join(' ');
    expect(texts).not.toMatch(/\b(2[4-9]):\d\d\b|a\. m\.|p\. m\.|AM|PM/);
    await context.close();
  });

  it('no page error on the way', () => {
    expect(problems.filter((p) => !/Failed to load resource: the server responded with a status of 40[14]/.test(p))).toEqual([]);
  });
});
