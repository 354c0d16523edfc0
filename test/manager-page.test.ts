// The manager's desk in headless Chromium at a phone's 390x844 and a desktop's 1440x900: reassign
// from the lead's detail (the new vendor gets the email from a real SMTP receiver), a possible
// duplicate merged and undone, the audit trail with its filters, an admin's "¿Por qué?", a lead
// pushed live to the open vendor page, Spanish messages (never the browser's), no view wider than
// the screen, and axe-core with no serious or critical violation on each view.
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { startNotifications, type Notifications } from '../src/outbox/service.ts';
import { formEmail, PASSWORD, rut, startHarness, type Harness } from './http-fixture.ts';
import { startSmtp, until, type SmtpReceiver } from './helpers/smtp-receiver.ts';
import { CHROMIUM, noChromium } from './helpers/tools.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PROJECTS = [
  '  - name: Parque Los Robles', '    aliases: [PLR]', '    vendors:',
  '      - {id: v1, name: Vera Díaz, email: vera@inmo.cl}', '      - {id: v2, name: Hugo Pérez, email: hugo@inmo.cl}',
  '  - name: Mirador del Valle', '    aliases: [MDV]', '    vendors:', '      - {id: v3, name: Ana Soto, email: ana.soto@inmo.cl}',
];
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };
/** Names the pipeline reads as a person's, one per screen size. */
const WHO: Record<number, string> = { 390: 'Ortiz', 1440: 'Quiroga' };

describe.skipIf(noChromium())('the manager’s desk in headless Chromium', () => {
  let h: Harness;
  let smtp: SmtpReceiver;
  let n: Notifications;
  let browser: Browser;
  const errors: string[] = [];
  let seq = 0;
  const ingest = async (name: string, project: string, extra: { phone?: string; email?: string; noRut?: boolean } = {}) =>
    (await h.app.ingestor.ingest(formEmail({ name, rut: extra.noRut ? undefined : rut(13_000_000 + ++seq * 7_919), email: extra.email ?? `m${seq}@gmail.com`, phone: extra.phone ?? `+56 9 8100 ${String(1000 + seq)}`, project }), { source: 'file' })).leadId!;
  const ownerOf = async (id: number) => (await h.json(`/api/leads/${id}`)).lead.ownerVendorId as string;

  beforeAll(async () => {
    smtp = await startSmtp();
    h = await startHarness({ projects: PROJECTS, logLevel: 'silent', adminYaml: ['  pollSeconds: 60'], extraYaml: ['smtp:', '  host: 127.0.0.1', `  port: ${smtp.port}`, '  secure: false', "  from: 'Centralizador <leads@inmo.cl>'"] });
    n = startNotifications(h.app, createLogger('silent'), { intervalMs: 50 });
    await h.addUser('vera@inmo.cl', 'vendedor', { name: 'Vera Díaz', vendorId: 'v1' });
    await h.addUser('hugo@inmo.cl', 'vendedor', { name: 'Hugo Pérez', vendorId: 'v2' });
    await h.addUser('jefa@inmo.cl', 'gerente', { name: 'Jefa Ventas' });
    await h.addUser('admin@inmo.cl', 'admin', { name: 'Ada Admin' });
    for (let i = 0; i < 6; i++) await ingest(`Cliente Con Nombre Bastante Largo ${i} de la Fuente`, i % 2 ? 'MDV' : 'PLR');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => {
    await browser?.close();
    await n?.stop();
    await h?.close();
    await smtp?.close();
  });

  async function signIn(email: string, viewport: { width: number; height: number }, hash = ''): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'es-CL', timezoneId: 'America/Santiago', bypassCSP: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${h.base}/${hash}`);
    await page.fill('#login-email', email);
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#views:not([hidden])');
    return page;
  }

  async function checkView(page: Page, what: string): Promise<void> {
    const width = page.viewportSize()!.width;
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${what} at ${width}`).toBeLessThanOrEqual(width);
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(() => (window as any).axe.run(document, { resultTypes: ['violations'] }));
    const bad = (result.violations as { id: string; impact: string; nodes: unknown[] }[]).filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
    expect(bad, `${what} at ${width}`).toEqual([]);
  }

  for (const viewport of [PHONE, DESKTOP]) {
    it(`a gerente reassigns from the lead's detail; the new vendor gets the email (${viewport.width})`, async () => {
      const lead = await ingest(`Rebeca Reasignada ${WHO[viewport.width]}`, 'PLR');
      const from = await ownerOf(lead);
      const to = from === 'v1' ? 'v2' : 'v1';
      const page = await signIn('jefa@inmo.cl', viewport, `?lead=${lead}#contactos`);
      await page.waitForSelector('#detail[open]');
      await page.click('[data-action=reassign]');
      // Only vendors who sell the client's project, never the current owner.
      const offered = await page.locator('#f-reassign select[name=vendorId] option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
      expect(offered).toEqual(['', to]);
      await page.selectOption('#f-reassign select[name=vendorId]', to);
      await page.click('#f-reassign button[type=submit]');
      await expect.poll(() => page.locator('#d-message').innerText()).toBe('Escribe el motivo de la reasignación.');
      await page.fill('#f-reassign textarea[name=reason]', 'Vera está de vacaciones');
      await page.click('#f-reassign button[type=submit]');
      await expect.poll(() => page.locator('#d-message').innerText()).toMatch(/^Cliente reasignado a (Vera Díaz|Hugo Pérez)\.$/);
      await expect.poll(() => page.locator('#d-history').innerText()).toContain('Vera está de vacaciones');
      expect(await page.locator('#d-history li').first().innerText()).toMatch(/^Reasignado · .* · Jefa Ventas · (Vera Díaz|Hugo Pérez) → (Vera Díaz|Hugo Pérez) · Vera está de vacaciones$/);
      await checkView(page, 'detail with reassign');
      await until('the new owner’s email', smtp.events, 'mail', () => smtp.mails.some((m) => m.subject?.includes(`Rebeca Reasignada ${WHO[viewport.width]}`)));
      const mail = smtp.mails.find((m) => m.subject?.includes(`Rebeca Reasignada ${WHO[viewport.width]}`))!;
      expect((mail.to as { text: string }).text).toContain(to === 'v1' ? 'vera@inmo.cl' : 'hugo@inmo.cl');
      await page.context().close();
    });
  }

  it('a possible duplicate is marked in the list and the detail, merged from the page and undone', async () => {
    const first = await ingest('Rosa Duplicada Uno', 'PLR', { phone: '+56 9 7777 1234', email: 'rosa.uno@gmail.com' });
    const second = await ingest('Josefa Lagos', 'PLR', { phone: '+56 9 7777 1234', email: 'josefa@hotmail.com', noRut: true });
    const marks = (await h.json('/api/duplicates')).items;
    expect(marks).toHaveLength(1);
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await signIn('jefa@inmo.cl', viewport);
      await page.waitForSelector(`#leads tbody tr[data-id="${second}"] .badge.dup`);
      expect(await page.locator(`#leads tbody tr[data-id="${first}"] .badge.dup`).count()).toBe(1);
      await checkView(page, 'Contactos with a duplicate');
      if (viewport === DESKTOP) {
        // Full phones, names and states: no cell is cut (its content wider than the cell) or ellipsised.
        const cut = await page.locator('#leads tbody td').evaluateAll((cells) => cells.filter((c) => c.scrollWidth > c.clientWidth + 1 || getComputedStyle(c).textOverflow === 'ellipsis').map((c) => c.textContent));
        expect(cut).toEqual([]);
        const phone = await page.locator(`#leads tbody tr[data-id="${second}"] a[href^="tel:"]`).innerText();
        expect(phone).toBe('+56977771234');
      }
      await page.context().close();
    }
    // The vendor who owns one of them sees the mark too (deciding is for managers).
    const owner = await ownerOf(second);
    const vendorPage = await signIn(owner === 'v1' ? 'vera@inmo.cl' : 'hugo@inmo.cl', PHONE, `?lead=${second}#contactos`);
    await vendorPage.waitForSelector('#detail[open] #d-title .badge.dup');
    expect(await vendorPage.locator('#d-duplicates').isHidden()).toBe(true);
    await vendorPage.context().close();
    const page = await signIn('jefa@inmo.cl', DESKTOP, `?lead=${second}#contactos`);
    await page.waitForSelector('#detail[open] #d-duplicates:not([hidden])');
    expect(await page.locator('#d-title .badge.dup').innerText()).toBe('Posible duplicado');
    await page.click('#d-close');
    await page.click('#views [data-view=duplicados]');
    await page.waitForSelector('#desk-view .dup-card');
    await checkView(page, 'Duplicados');
    await page.locator('#desk-view .dup-card button', { hasText: 'Unir fichas' }).click();
    await expect.poll(() => page.locator('#desk-message').innerText()).toBe('Fichas unidas.');
    const merged = await h.json(`/api/leads/${second}`);
    expect(merged.lead.clientId).toBe((await h.json(`/api/leads/${first}`)).lead.clientId);
    await page.locator('#desk-view button', { hasText: 'Unidos' }).click();
    await page.locator('#desk-view .dup-card button', { hasText: 'Deshacer' }).click();
    await expect.poll(() => page.locator('#desk-message').innerText()).toBe('Unión deshecha.');
    expect((await h.json(`/api/leads/${second}`)).lead.clientId).not.toBe((await h.json(`/api/leads/${first}`)).lead.clientId);
    await page.context().close();
  });

  it('on the phone too: a gerente merges a possible duplicate from Duplicados and undoes it (390)', async () => {
    const first = await ingest('Marta Doble Uno', 'PLR', { phone: '+56 9 7777 5678', email: 'marta.uno@gmail.com' });
    const second = await ingest('Teresa Vidal', 'PLR', { phone: '+56 9 7777 5678', email: 'teresa@hotmail.com', noRut: true });
    const page = await signIn('jefa@inmo.cl', PHONE, '#duplicados');
    const card = page.locator('#desk-view .dup-card', { hasText: 'Teresa Vidal' });
    await card.waitFor();
    await checkView(page, 'Duplicados (390)');
    await card.locator('button', { hasText: 'Unir fichas' }).click();
    await expect.poll(() => page.locator('#desk-message').innerText()).toBe('Fichas unidas.');
    expect((await h.json(`/api/leads/${second}`)).lead.clientId).toBe((await h.json(`/api/leads/${first}`)).lead.clientId);
    await page.locator('#desk-view button', { hasText: 'Unidos' }).click();
    await page.locator('#desk-view .dup-card', { hasText: 'Teresa Vidal' }).locator('button', { hasText: 'Deshacer' }).click();
    await expect.poll(() => page.locator('#desk-message').innerText()).toBe('Unión deshecha.');
    expect((await h.json(`/api/leads/${second}`)).lead.clientId).not.toBe((await h.json(`/api/leads/${first}`)).lead.clientId);
    await page.context().close();
  });

  it('a gerente who dismissed a possible duplicate by mistake reopens it from Descartados (390)', async () => {
    await ingest('Rocío Doble Uno', 'PLR', { phone: '+56 9 7777 6789', email: 'rocio.uno@gmail.com' });
    const second = await ingest('Úrsula Pinto', 'PLR', { phone: '+56 9 7777 6789', email: 'ursula@hotmail.com', noRut: true });
    const page = await signIn('jefa@inmo.cl', PHONE, '#duplicados');
    const card = page.locator('#desk-view .dup-card', { hasText: 'Úrsula Pinto' });
    await card.locator('button', { hasText: 'No es duplicado' }).click();
    await expect.poll(() => page.locator('#desk-message').innerText()).toBe('Marcado como no duplicado.');
    expect((await h.json(`/api/leads/${second}`)).client.possibleDuplicate).toBe(false);
    await page.locator('#desk-view button', { hasText: 'Descartados' }).click();
    await page.locator('#desk-view .dup-card', { hasText: 'Úrsula Pinto' }).locator('button', { hasText: 'Reabrir' }).click();
    await expect.poll(() => page.locator('#desk-message').innerText()).toBe('Marca reabierta.');
    expect((await h.json(`/api/leads/${second}`)).client.possibleDuplicate).toBe(true);
    await checkView(page, 'Duplicados descartados (390)');
    await page.context().close();
  });

  for (const viewport of [PHONE, DESKTOP]) {
    it(`an admin reads the audit trail filtered by person, action and date, and sees why a lead was read so (${viewport.width})`, async () => {
      const page = await signIn('admin@inmo.cl', viewport, '#auditoria');
      await page.waitForSelector('#audit tbody tr');
      await checkView(page, 'Auditoría');
      await page.selectOption('#audit-filters select[name=action]', 'client.reassign');
      await page.selectOption('#audit-filters select[name=user]', 'jefa@inmo.cl');
      // Days are the company's (between 21:00 and 24:00 in Santiago it is already tomorrow in UTC).
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: h.app.config.timezone }).format(new Date());
      await page.fill('#audit-filters input[name=from]', today);
      await page.fill('#audit-filters input[name=to]', today);
      await page.click('#audit-filters button[type=submit]');
      await expect.poll(async () => [...new Set(await page.locator('#audit tbody td:nth-child(3)').allInnerTexts())]).toEqual(['Cliente reasignado']);
      expect(new Set(await page.locator('#audit tbody td:nth-child(2)').allInnerTexts())).toEqual(new Set(['Jefa Ventas']));
      // A day before anything happened: nothing, said in Spanish.
      await page.fill('#audit-filters input[name=from]', '2020-01-01');
      await page.fill('#audit-filters input[name=to]', '2020-01-02');
      await page.click('#audit-filters button[type=submit]');
      await page.waitForSelector('#audit-empty:not([hidden])');
      // "¿Por qué?" on a lead.
      const lead = await ingest(`Ernesto Explicado ${WHO[viewport.width]}`, 'PLR');
      await page.goto(`${h.base}/?lead=${lead}#contactos`);
      await page.waitForSelector('#detail[open]');
      await page.click('#d-explain');
      await page.waitForSelector('#d-why table.why-fields tbody tr');
      const why = await page.locator('#d-why').innerText();
      expect(why).toContain('Calidad: Bueno');
      expect(why).toContain('Problemas: ninguno');
      expect(await page.locator('#d-why tbody tr', { hasText: 'RUT' }).innerText()).toMatch(/etiqueta genérica|regla del portal/);
      await checkView(page, 'detail with ¿Por qué?');
      // A refused value says why, in Spanish, as a sentence (not read as a problem code).
      const unallocated = await ingest(`Telma Explicada ${WHO[viewport.width]}`, 'PLR', { phone: '+56 2 0123 4567' });
      await page.goto(`${h.base}/?lead=${unallocated}#contactos`);
      await page.waitForSelector('#detail[open]');
      await page.click('#d-explain');
      await page.waitForSelector('#d-why table.why-fields tbody tr');
      expect(await page.locator('#d-why tbody tr', { hasText: 'Teléfono' }).innerText()).toContain('teléfono no asignado en CL ("+56 2 0123 4567")');
      // Every line in Spanish: the match rules, the field reasons, the extractor's notes.
      expect(await page.locator('#d-why').innerText()).not.toMatch(/undefined|sender matches|no parser|generic extraction|generic label|free-text|matched nothing|not allocated/);
      await page.context().close();
    });
  }

  for (const viewport of [PHONE, DESKTOP]) {
    it(`a gerente reads the audit trail of her leads and clients, filtered by person and action (${viewport.width})`, async () => {
      const page = await signIn('jefa@inmo.cl', viewport, '#auditoria');
      await page.waitForSelector('#audit tbody tr');
      await checkView(page, 'Auditoría (gerente)');
      // What was done to leads and clients only: no sign-ins, no user management.
      const actions = new Set(await page.locator('#audit tbody td:nth-child(3)').allInnerTexts());
      expect(actions.has('Cliente reasignado')).toBe(true);
      expect([...actions].some((a) => /sesión|Token|Usuario/i.test(a))).toBe(false);
      await page.fill('#audit-filters input[name=user]', 'jefa@inmo.cl');
      await page.selectOption('#audit-filters select[name=action]', 'client.reassign');
      await page.click('#audit-filters button[type=submit]');
      await expect.poll(async () => [...new Set(await page.locator('#audit tbody td:nth-child(3)').allInnerTexts())]).toEqual(['Cliente reasignado']);
      expect(new Set(await page.locator('#audit tbody td:nth-child(2)').allInnerTexts())).toEqual(new Set(['Jefa Ventas']));
      await page.context().close();
    });
  }

  it('a vendor’s open page gets a new lead at the top, highlighted until seen; the badge clears (1440)', async () => {
    const page = await signIn('vera@inmo.cl', DESKTOP, '#pendientes');
    await page.waitForSelector('#day-pending .lead-card');
    await checkView(page, 'Mis pendientes');
    let lead = 0;
    for (let i = 0; i < 4 && !lead; i++) {
      const id = await ingest(`Recién Llegada ${i}`, 'PLR');
      if ((await ownerOf(id)) === 'v1') lead = id;
    }
    expect(lead).toBeGreaterThan(0);
    await page.waitForSelector(`#day-pending .lead-card:first-child.fresh[data-id="${lead}"]`);
    await page.waitForSelector('#live-badge[hidden]', { state: 'attached' });
    await page.waitForSelector(`#day-pending .lead-card.fresh[data-id="${lead}"]`, { state: 'detached' });
    // Never the same lead twice in "Mis pendientes".
    const ids = await page.locator('#day .lead-card').evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(await page.locator('#day-summary').innerText()).not.toMatch(/\b1 (vencidos|seguimientos|nuevos)\b/);
    await page.context().close();
  });

  it('Spanish messages: abort without a comment, a lead out of scope', async () => {
    const foreign = await ingest('Lead De Ana', 'MDV');
    const page = await signIn('vera@inmo.cl', PHONE, `?lead=${foreign}#contactos`);
    await expect.poll(() => page.locator('#page-message').innerText()).toBe(`Lead no encontrado o fuera de su alcance (lead ${foreign})`);
    const box = await page.locator('#page-message').boundingBox();
    expect(box!.y).toBeLessThan(PHONE.height);
    await checkView(page, 'Contactos with a message');
    const own = (await h.json('/api/leads?limit=100')).items.find((l: any) => l.owner === 'v1' && l.clientId !== null && l.contactState === 'por_contactar');
    await page.goto(`${h.base}/?lead=${own.id}#contactos`);
    await page.waitForSelector('#detail[open]');
    await page.click('[data-action=abort]');
    await page.click('#f-abort button[type=submit]');
    await expect.poll(() => page.locator('#d-message').innerText()).toBe('Escribe un comentario: es obligatorio para abortar.');
    expect(await page.locator('#f-abort textarea').getAttribute('aria-invalid')).toBe('true');
    await page.context().close();
    expect(errors).toEqual([]);
  });
});
