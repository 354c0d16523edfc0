import { column, value } from './helpers/db-rows.ts';
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, seed, startHarness, type Harness, type Seeded } from './http-fixture.ts';

import { CHROMIUM, noChromium } from './helpers/tools.ts';
const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>';

describe.skipIf(noChromium())('admin page in headless Chromium', () => {
  let h: Harness;
  let data: Seeded;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    h = await startHarness();
    data = await seed(h.app);
    await h.addUser('gerente@inmo.cl', 'gerente', { name: 'Gabriela Gerente' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, locale: 'es-CL', timezoneId: 'America/Santiago' });
    page.on('dialog', (d) => {
      // The one dialog the page opens itself: "Descartar" asks for confirmation. Anything else is an injection.
      if (d.type() === 'confirm' && d.message().startsWith('¿Descartar')) void d.accept();
      else {
        dialogs.push(d.message());
        void d.dismiss();
      }
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/401|Unauthorized/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const count = (kind: string, key: string) => page.locator(`.count.${kind}-${key} .n`).innerText();
  const rows = () => page.locator('#leads tbody tr');

  it('asks for email and password, then shows who is signed in, the funnel and the table', async () => {
    await page.goto(h.base);
    await expect.poll(() => page.locator('#login').isVisible()).toBe(true);
    await page.fill('#login-email', 'gerente@inmo.cl');
    await page.fill('#login-password', 'no-es-la-clave');
    await page.click('#login-form button[type=submit]');
    await expect.poll(() => page.locator('#login-error').innerText()).toBe('email o contraseña incorrectos');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#leads tbody tr');
    expect(await page.locator('#who').innerText()).toContain('Gabriela Gerente');
    expect(await page.locator('#who-role').innerText()).toContain('Gerente');
    expect(await rows().count()).toBe(30);
    // The cards come from their own request: wait for them rather than read them once.
    await expect.poll(() => count('status', 'descartado')).toBe('0');
    await expect.poll(() => count('quality', 'malo')).toBe('7');
    await expect.poll(() => page.locator('#status-cards .count').first().innerText()).toContain('30');
    expect(await page.evaluate(() => document.cookie)).toBe(''); // HttpOnly: no script can read the session
    await page.reload();
    await page.waitForSelector('#leads tbody tr');
    expect(await page.locator('#login').isVisible()).toBe(false); // the session cookie stays
  });

  it('shows a hostile name as text: no script runs, nothing injected', async () => {
    const cell = page.locator('#leads tbody td.name', { hasText: HOSTILE });
    await expect.poll(() => cell.count()).toBe(1);
    expect(await cell.innerText()).toBe(HOSTILE);
    expect(await page.locator('#leads img').count()).toBe(0);
    expect(await page.locator('#leads script').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('filters by quality and by search', async () => {
    await page.selectOption('#filters select[name=quality]', 'malo');
    await page.click('#filters button[type=submit]');
    await expect.poll(() => rows().count()).toBe(7);
    expect(await page.locator('#leads tbody .badge.q-malo').count()).toBe(7);
    await page.fill('#filters input[name=q]', 'malo sin contacto');
    await page.click('#filters button[type=submit]');
    await expect.poll(() => rows().count()).toBe(6);
    await page.click('#clear');
    await expect.poll(() => rows().count()).toBe(30);
    await page.selectOption('#filters select[name=quality]', 'malo');
    await page.click('#filters button[type=submit]');
    await expect.poll(() => rows().count()).toBe(7);
    await page.screenshot({ path: '/tmp/admin.png', fullPage: true });
  });

  it('opens a lead with its raw email, discards it, and the counts change', async () => {
    await page.locator(`#leads tbody tr[data-id="${data.hostileLeadId}"]`).click();
    await page.waitForSelector('#detail[open]');
    expect(await page.locator('#d-title').innerText()).toBe(HOSTILE);
    await page.click('#d-source');
    await expect.poll(() => page.locator('#d-raw').innerText(), { timeout: 15_000 }).toContain('Mensaje: hola');
    expect(await page.locator('[data-action=edit]').isVisible()).toBe(true);
    expect(await page.locator('[data-action=follow]').isVisible()).toBe(false); // no client record yet
    await page.click('[data-action=discard]');
    await page.selectOption('#f-discard select[name=reason]', 'sin_datos_de_contacto');
    await page.fill('#f-discard textarea[name=comment]', 'Llegó sin datos de contacto');
    await page.click('#f-discard button[type=submit]');
    await expect.poll(() => page.locator('#d-message').innerText()).toBe('Contacto descartado.');
    expect(await page.locator('#d-history li').first().innerText()).toContain('Descartado');
    expect(await page.locator('[data-action=discard]').isVisible()).toBe(false);
    await page.click('#d-close');
    await expect.poll(() => count('status', 'descartado')).toBe('1');
    expect(await count('quality', 'malo')).toBe('6');
    await expect.poll(() => rows().count()).toBe(6);
    expect(dialogs).toEqual([]);
  });

  it('registers a follow-up from the detail and pages through the table', async () => {
    await page.click('#clear');
    await expect.poll(() => rows().count()).toBe(29);
    await page.locator(`#leads tbody tr[data-id="${data.anaLeadIds[0]}"]`).click();
    await page.waitForSelector('#detail[open]');
    await page.click('[data-action=follow]');
    await page.selectOption('#f-follow select[name=expectation]', 'alta');
    await page.selectOption('#f-follow select[name=contactType]', 'whatsapp');
    await page.fill('#f-follow textarea[name=comment]', 'Agenda visita el sábado');
    await page.click('#f-follow button[type=submit]');
    await expect.poll(() => page.locator('#d-message').innerText()).toBe('Seguimiento registrado.');
    await page.click('#d-close');
    await expect.poll(() => count('status', 'contactado')).toBe('1');
    expect(await page.locator('#next').isDisabled()).toBe(true);
    expect(problems).toEqual([]);
  });
});

describe.skipIf(noChromium())('admin page: owners', () => {
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    const vendors = ['    vendors:', '      - {id: v1, name: Vera Díaz, type: lp}', '      - {id: v2, name: Hugo Pérez, type: lp}'];
    h = await startHarness({ projects: ['  - name: Parque Los Robles', '    aliases: [PLR]', ...vendors, '  - name: Mirador del Valle', '    aliases: [MDV]', ...vendors] });
    await seed(h.app);
    await h.addUser('jefa@inmo.cl', 'gerente', { name: 'Jefa Ventas' });
    await h.addUser('hugo@inmo.cl', 'vendedor', { name: 'Hugo Pérez', vendorId: 'v2' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const signIn = async (email: string) => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'es-CL', timezoneId: 'America/Santiago' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(h.base);
    await page.fill('#login-email', email);
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#views:not([hidden])');
    // A vendor starts on "Mis pendientes"; the table is one tap away.
    if (await page.locator('#day').isVisible()) await page.click('#views [data-view=contactos]');
    await page.waitForSelector('#leads tbody tr');
    return { page, errors };
  };

  it('filters by owner ("Responsable") and shows the owner column as text', async () => {
    const { page, errors } = await signIn('jefa@inmo.cl');
    expect(await page.locator('#filters select[name=owner] option').allInnerTexts()).toEqual(['Todos', 'Hugo Pérez', 'Vera Díaz']);
    const ofVera = await value(h.app, "SELECT count(*) FROM leads WHERE owner_vendor_id = 'v1'");
    expect(ofVera).toBeGreaterThan(0);
    await page.selectOption('#filters select[name=owner]', 'v1');
    await page.click('#filters button[type=submit]');
    await expect.poll(() => page.locator('#leads tbody tr').count()).toBe(ofVera);
    expect(new Set(await page.locator('#leads tbody td.owner').allInnerTexts())).toEqual(new Set(['Vera Díaz']));
    // The cards come from their own request, after the table: wait for them (PostgreSQL answers later).
    await expect.poll(() => page.locator('#status-cards .count').first().innerText()).toContain(String(ofVera));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a vendor signed in sees only their own leads, without the owner filter; a manager sees every lead', async () => {
    const total = await value(h.app, "SELECT count(*) FROM leads WHERE contact_state <> 'descartado'");
    const ofHugo = await column(h.app, "SELECT id FROM leads WHERE owner_vendor_id = 'v2' ORDER BY id");
    const manager = await signIn('jefa@inmo.cl');
    await expect.poll(() => manager.page.locator('#leads tbody tr').count()).toBe(total);
    const vendor = await signIn('hugo@inmo.cl');
    await expect.poll(async () => (await vendor.page.locator('#leads tbody tr').evaluateAll((trs) => trs.map((t) => Number(t.getAttribute('data-id'))))).sort((a, b) => a - b)).toEqual(ofHugo);
    expect(await vendor.page.locator('#filters select[name=owner]').isVisible()).toBe(false);
    expect(await vendor.page.locator('#who').innerText()).toContain('Hugo');
    await expect.poll(() => vendor.page.locator('#status-cards .count').first().innerText()).toContain(String(ofHugo.length));
    // Signing out ends the session on the server: the page asks again.
    await vendor.page.click('#logout');
    await expect.poll(() => vendor.page.locator('#login').isVisible()).toBe(true);
    await vendor.page.reload();
    await expect.poll(() => vendor.page.locator('#login').isVisible()).toBe(true);
    expect([...manager.errors, ...vendor.errors]).toEqual([]);
  });
});
