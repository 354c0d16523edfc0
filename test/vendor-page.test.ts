// The vendor's day and the manager's screen in headless Chromium, at a phone's 390x844 and a
// desktop's 1440x900: what a vendor sees and taps, one contact for a client who wrote twice, a lead
// arriving while the page is open, the table fitting the screen, accessibility (axe-core) and an
// email whose HTML carries scripts that must not run.
import { value } from './helpers/db-rows.ts';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formEmail, PASSWORD, rut, startHarness, type Harness } from './http-fixture.ts';

import { CHROMIUM, noChromium } from './helpers/tools.ts';
import { mailWithAttachment } from './helpers/mail.ts';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PLR = 'Parque Los Robles';
const PROJECTS = [`  - name: ${PLR}`, '    aliases: [PLR]', '    vendors:', '      - {id: v1, name: Vera Díaz}', '  - name: Mirador del Valle', '    aliases: [MDV]', '    vendors:', '      - {id: v2, name: Hugo Pérez}'];

/** An HTML form email whose body tries to run script in every way a mail client must refuse. */
function hostileHtmlEmail(): Buffer {
  const html = `<html><body><h1>Nuevo contacto</h1><table><tr><td>Nombre:</td><td>Olga Hostil Pérez</td></tr>
<tr><td>Email:</td><td>olga.hostil@gmail.com</td></tr><tr><td>Teléfono:</td><td>+56 9 7000 1111</td></tr><tr><td>Proyecto:</td><td>MDV</td></tr></table>
<script>parent.document.title='pwned-script'</script><img src="x" onerror="parent.document.title='pwned-img'"><img src="http://127.0.0.1:9/track.gif">
<form action="http://127.0.0.1:9/steal"><input name="x"></form></body></html>`;
  return Buffer.from([
    'From: Formulario <formulario@inmobiliaria-prueba.cl>', 'To: ventas@inmobiliaria-prueba.cl', 'Subject: Nuevo contacto HTML', `Message-ID: <hostil-${Date.now()}@inmobiliaria-prueba.cl>`,
    `Date: ${new Date(Date.now() - 60_000).toUTCString()}`, 'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8', '', html, '',
  ].join('\r\n'));
}

describe.skipIf(noChromium())('vendor and manager screens in headless Chromium', () => {
  let h: Harness;
  let browser: Browser;
  const errors: string[] = [];
  const ingest = async (raw: Buffer) => (await h.app.ingestor.ingest(raw, { source: 'file' })).leadId!;
  const stateOf = (id: number) => value<string>(h.app, 'SELECT contact_state FROM leads WHERE id = ?', [id]);
  let twice: number[] = [];
  let hostile = 0;

  beforeAll(async () => {
    h = await startHarness({ projects: PROJECTS, adminYaml: ['  pollSeconds: 1'] });
    await h.addUser('vera@inmo.cl', 'vendedor', { name: 'Vera Díaz', vendorId: 'v1' });
    await h.addUser('jefa@inmo.cl', 'gerente', { name: 'Jefa Ventas' });
    const ana = { name: 'Ana Rojas Soto', rut: rut(15_234_567), email: 'ana.rojas@gmail.com', phone: '+56 9 8765 4321', project: 'PLR' };
    twice = [await ingest(formEmail(ana, { daysAgo: 6 })), await ingest(formEmail({ ...ana, message: 'Sigo interesada' }, { daysAgo: 1 }))];
    await ingest(formEmail({ name: 'Bruno Díaz', rut: rut(16_345_678), email: 'bruno@gmail.com', phone: '+56 9 8111 2233', project: 'PLR' }));
    await ingest(formEmail({ name: 'Carla de Hugo', rut: rut(17_456_789), email: 'carla@gmail.com', phone: '+56 9 8222 3344', project: 'MDV' }));
    hostile = await ingest(hostileHtmlEmail());
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function signIn(email: string, viewport: { width: number; height: number }): Promise<Page> {
    // bypassCSP only so the test can inject axe-core; the page's own CSP is checked elsewhere.
    const context = await browser.newContext({ viewport, locale: 'es-CL', timezoneId: 'America/Santiago', bypassCSP: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(h.base);
    await page.fill('#login-email', email);
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#views:not([hidden])');
    return page;
  }

  async function axeViolations(page: Page): Promise<string[]> {
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(() => (window as any).axe.run(document, { resultTypes: ['violations'] }));
    return (result.violations as { id: string; impact: string; nodes: unknown[] }[]).filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
  }

  it('on a phone, a vendor sees only their own cards, each with a call, WhatsApp and email link', async () => {
    const page = await signIn('vera@inmo.cl', { width: 390, height: 844 });
    await page.waitForSelector('#day-pending .lead-card');
    const names = await page.locator('#day-pending .lead-card h3').allInnerTexts();
    expect(names.sort()).toEqual(['Ana Rojas Soto', 'Ana Rojas Soto', 'Bruno Díaz']);
    const bruno = page.locator('#day-pending .lead-card', { hasText: 'Bruno Díaz' });
    expect(await bruno.locator('a.call').getAttribute('href')).toBe('tel:+56981112233');
    const wa = new URL((await bruno.locator('a.wa').getAttribute('href'))!);
    expect(`${wa.origin}${wa.pathname}`).toBe('https://wa.me/56981112233');
    expect(wa.searchParams.get('text')).toMatch(/^Hola Bruno, soy Vera Díaz de Parque Los Robles\./);
    expect(await bruno.locator('a.mail').getAttribute('href')).toBe(`mailto:bruno@gmail.com?subject=${encodeURIComponent(`Tu consulta por ${PLR}`)}`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('registering a contact on one of a client’s two leads takes both out of "por contactar"', async () => {
    const page = await signIn('vera@inmo.cl', { width: 390, height: 844 });
    await page.waitForSelector('#day-pending .lead-card');
    await page.locator(`#day-pending .lead-card[data-id="${twice[1]}"] button`, { hasText: 'Registrar contacto' }).click();
    await page.waitForSelector('#contact[open]');
    const due = await page.inputValue('#f-contact input[name=recontactAt]');
    // Prefilled today + followUpDays, as a date in the company's time zone (not UTC's).
    const localToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Santiago' }).format(new Date());
    expect(Date.parse(due) - Date.parse(localToday)).toBe(5 * 86_400_000);
    await page.selectOption('#f-contact select[name=contactType]', 'whatsapp');
    await page.fill('#f-contact textarea[name=comment]', 'Visita el sábado');
    // Expectativa has no default: the vendor must choose, and is told so in Spanish.
    expect(await page.inputValue('#f-contact select[name=expectation]')).toBe('');
    await page.click('#f-contact button[type=submit]');
    await expect.poll(() => page.locator('#contact-message').innerText()).toBe('Elige la expectativa del cliente.');
    await page.selectOption('#f-contact select[name=expectation]', 'media');
    await page.click('#f-contact button[type=submit]');
    await expect.poll(() => page.locator('#day-message').innerText()).toBe('Contacto registrado.');
    expect([await stateOf(twice[0]), await stateOf(twice[1])]).toEqual(['contactado', 'contactado']);
    // The message shows first; the list is drawn again from /api/my/day right after it.
    await expect.poll(() => page.locator('#day-pending .lead-card h3').allInnerTexts()).toEqual(['Bruno Díaz']);
    await page.context().close();
  });

  it('a lead arriving while the page is open appears without reloading', async () => {
    const page = await signIn('vera@inmo.cl', { width: 390, height: 844 });
    await page.waitForSelector('#day-pending .lead-card');
    await ingest(formEmail({ name: 'Daniela Nueva', rut: rut(18_567_890), email: 'daniela@gmail.com', phone: '+56 9 8333 4455', project: 'PLR' }));
    // Pushed by the event stream: first in the list, highlighted until seen, and the badge clears then.
    await page.waitForSelector('#day-pending .lead-card:first-child.fresh h3:text("Daniela Nueva")');
    await page.waitForSelector('#live-badge[hidden]', { state: 'attached' });
    await page.waitForSelector('#day-pending .lead-card.fresh', { state: 'detached' });
    await page.context().close();
  });

  it('on a desktop, the manager’s table shows state, owner, deadline and last interaction without scrolling sideways', async () => {
    const page = await signIn('jefa@inmo.cl', { width: 1440, height: 900 });
    await page.waitForSelector('#leads tbody tr');
    const heads = await page.locator('#leads thead th').allInnerTexts();
    for (const title of ['Estado', 'Responsable', 'Vence', 'Última interacción', 'Último contacto']) expect(heads).toContain(title);
    const fits = await page.evaluate(() => {
      const wrap = document.querySelector('.table-wrap')!;
      return { page: document.documentElement.scrollWidth, wrap: wrap.scrollWidth - wrap.clientWidth };
    });
    expect(fits.page).toBeLessThanOrEqual(1440);
    expect(fits.wrap).toBeLessThanOrEqual(0);
    for (const title of ['Estado', 'Responsable', 'Vence']) {
      const box = await page.locator('#leads thead th', { hasText: title }).first().boundingBox();
      expect(box!.x + box!.width, title).toBeLessThanOrEqual(1440);
    }
    // Full values: no cell, header or state badge is wider than its box (cut with "…" or spilling into the next column).
    const cut = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#leads th, #leads td, #leads td .badge, #leads td a'))
        .filter((e) => e.scrollWidth > e.clientWidth + 1 || (e.classList.contains('badge') && e.getBoundingClientRect().right > e.closest('td')!.getBoundingClientRect().right + 1))
        .map((e) => e.textContent));
    expect(cut).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('on a phone, the manager gets cards instead of a table', async () => {
    const page = await signIn('jefa@inmo.cl', { width: 390, height: 844 });
    await page.waitForSelector('#leads tbody tr');
    expect(await page.locator('#leads thead').isVisible()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.context().close();
  });

  it('"Correo" shows the email readable, and its scripts, handlers and remote images never run', async () => {
    const page = await signIn('jefa@inmo.cl', { width: 1440, height: 900 });
    await page.waitForSelector('#leads tbody tr');
    const title = await page.title();
    await page.goto(`${h.base}/?lead=${hostile}#contactos`);
    await page.waitForSelector('#detail[open]');
    await expect.poll(() => page.locator('#d-mail-head').innerText()).toContain('Nuevo contacto HTML');
    const frame = page.frameLocator('#d-mail');
    await expect.poll(() => frame.locator('h1').innerText()).toBe('Nuevo contacto');
    expect(await page.locator('#d-mail').getAttribute('sandbox')).toBe('');
    await page.waitForTimeout(500);
    expect(await page.title()).toBe(title);
    const res = await h.call(`/api/leads/${hostile}/mail.html`);
    expect(res.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'; img-src data:/);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("the email's attachment downloads from \"Correo\" as it came, at 390x844", async () => {
    const plan = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256));
    const id = await ingest(mailWithAttachment({
      from: 'Formulario <formulario@inmobiliaria-prueba.cl>', to: 'ventas@inmobiliaria-prueba.cl', subject: 'Nuevo contacto con plano',
      text: `Nombre: Diego Fuentes\r\nRUT: ${rut(18_567_890)}\r\nEmail: diego.f@gmail.com\r\nTeléfono: +56 9 8333 4455\r\nProyecto: MDV`,
      name: 'cotización depto 1502.pdf', type: 'application/pdf', bytes: plan,
    }));
    const page = await signIn('jefa@inmo.cl', { width: 390, height: 844 });
    await page.goto(`${h.base}/?lead=${id}#contactos`);
    await page.waitForSelector('#detail[open]');
    const link = page.locator('#d-attachments a', { hasText: 'cotización depto 1502.pdf' });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('cotización depto 1502.pdf');
    const chunks: Buffer[] = [];
    for await (const c of await download.createReadStream()) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(plan)).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

describe.skipIf(noChromium())('the page in Portuguese where the company is in Brazil', () => {
  it('speaks Portuguese after sign-in', async () => {
    const h = await startHarness({ country: 'BR', projects: ['  - name: Jardim das Flores', '    aliases: [JDF]'] });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      await h.addUser('gerente@imob.com.br', 'gerente', { name: 'Gerente' });
      await h.app.ingestor.ingest(formEmail({ name: 'Maria Souza', email: 'maria@gmail.com', project: 'JDF' }), { source: 'file' });
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(h.base);
      await page.fill('#login-email', 'gerente@imob.com.br');
      await page.fill('#login-password', PASSWORD);
      await page.click('#login-form button[type=submit]');
      await page.waitForSelector('#leads tbody tr');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('pt');
      expect(await page.locator('#views [data-view=contactos]').innerText()).toBe('Contatos');
      expect(await page.locator('#leads thead th').allInnerTexts()).toEqual(expect.arrayContaining(['Nome', 'CPF', 'Telefone', 'Qualidade', 'Responsável']));
      expect(await page.locator('#logout').innerText()).toBe('Sair');
    } finally {
      await browser.close();
      await h.close();
    }
  });
});
