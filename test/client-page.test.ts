// La ficha del cliente in headless Chromium at 390x844 and 1440x900: a gerente opens a bueno lead,
// is told its RUT is corrected in the ficha and follows the link there; an invalid RUT is refused
// beside the field in Spanish and nothing is saved; a valid one is saved, audited with her, and the
// client's con_problemas lead shows bueno with its follow-up. Another client's RUT asks before
// merging, and the merge is undone from the page. No sideways scroll, no serious axe violation.
import { column, row, value } from './helpers/db-rows.ts';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formEmail, PASSWORD, rut, startHarness, type Harness } from './http-fixture.ts';
import { CHROMIUM, noChromium } from './helpers/tools.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PROJECTS = ['  - name: Parque Los Robles', '    aliases: [PLR]', '    vendors:', '      - {id: v1, name: Vera Díaz}', '  - name: Mirador del Valle', '    aliases: [MDV]', '    vendors:', '      - {id: v2, name: Hugo Pérez}'];
const SIZES = [{ width: 390, height: 844 }, { width: 1440, height: 900 }];
const wrongCheck = (r: string) => r.replace(/.$/, (d) => (d === '0' ? '1' : '0'));

describe.skipIf(noChromium())('la ficha del cliente in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  const errors: string[] = [];
  const people: Record<number, { bueno: number; problem: number; clientId: number; rut: string; newRut: string }> = {};
  let other = { clientId: 0, rut: '' };

  beforeAll(async () => {
    h = await startHarness({ projects: PROJECTS });
    await h.addUser('jefa@inmo.cl', 'gerente', { name: 'Jefa Ventas' });
    for (const [i, size] of SIZES.entries()) {
      const p = { name: `Clienta ${['Ana', 'Bea'][i]} Rojas`, rut: rut(15_234_567 + i * 1000), email: `clienta${i}@gmail.com`, phone: `+56 9 876${i} 4321` };
      const bueno = await h.app.ingestor.ingest(formEmail({ ...p, project: 'PLR' }, { daysAgo: 3 }), { source: 'file' });
      // The same person without RUT: joins her record by email, con_problemas, no follow-up.
      const problem = await h.app.ingestor.ingest(formEmail({ name: p.name, email: p.email, phone: p.phone, project: 'MDV' }, { daysAgo: 1 }), { source: 'file' });
      expect(problem.clientId).toBe(bueno.clientId);
      people[size.width] = { bueno: bueno.leadId!, problem: problem.leadId!, clientId: bueno.clientId!, rut: p.rut, newRut: rut(15_234_567 + i * 1000 + 1) };
    }
    const o = { name: 'Otro Cliente Pérez', rut: rut(18_765_432), email: 'otro.cliente@gmail.com', phone: '+56 9 8111 2233', project: 'PLR' };
    other = { clientId: (await h.app.ingestor.ingest(formEmail(o, { daysAgo: 2 }), { source: 'file' })).clientId!, rut: o.rut };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function signIn(viewport: { width: number; height: number }, path = '/'): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'es-CL', timezoneId: 'America/Santiago', bypassCSP: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(h.base + path);
    await page.fill('#login-email', 'jefa@inmo.cl');
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

  const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  for (const size of SIZES) {
    it(`at ${size.width}x${size.height} a gerente corrects a bueno lead's RUT in the ficha`, async () => {
      const p = people[size.width];
      const page = await signIn(size, `/?lead=${p.bueno}#contactos`);
      await page.waitForSelector('#detail[open] #d-client a.ficha-link');
      // The lead's own editor says where a bueno lead's RUT is corrected, and links there.
      await page.click('#detail button[data-action="edit"]');
      expect(await page.locator('#f-edit .ficha-note a.ficha-link').getAttribute('href')).toBe(`#ficha-${p.clientId}`);
      await page.fill('#f-edit input[name="nationalId"]', p.newRut);
      await page.click('#f-edit button[type=submit]');
      const link = page.locator('#d-message a.ficha-link');
      await link.waitFor();
      expect(await page.locator('#d-message').innerText()).toContain('se corrigen en la ficha del cliente');
      await link.click();
      await page.waitForSelector('#client-view:not([hidden]) #c-edit');
      expect(page.url()).toContain(`#ficha-${p.clientId}`);
      expect(await page.locator('#c-leads .lead-card').count()).toBe(2);
      expect(await page.locator(`#c-leads [data-lead="${p.problem}"] [data-quality]`).getAttribute('data-quality')).toBe('con_problemas');
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      expect(await axeViolations(page)).toEqual([]);
      // Every input has its label.
      for (const id of ['c-name', 'c-nationalId', 'c-email', 'c-phone']) expect(await page.locator(`label[for="${id}"]`).count()).toBe(1);

      // An invalid RUT: the reason in Spanish beside the field, nothing saved.
      await page.fill('#c-nationalId', wrongCheck(p.newRut));
      await page.click('#c-edit button[type=submit]');
      await page.waitForSelector('#c-nationalId-error:not(:empty)');
      expect(await page.locator('#c-nationalId-error').innerText()).toMatch(/^RUT no válido: el dígito verificador del RUT es/);
      expect(await page.locator('#c-nationalId').getAttribute('aria-invalid')).toBe('true');
      expect(await value(h.app, 'SELECT national_id FROM clients WHERE id = ?', [p.clientId])).toBe(p.rut);
      expect(await value(h.app, "SELECT count(*) FROM audit WHERE action = 'client.edit' AND object_id = ?", [String(p.clientId)])).toBe(0);
      expect(await sideways(page)).toBeLessThanOrEqual(0);

      // An email the browser itself would refuse reaches the server (novalidate) and is answered in Spanish beside its field.
      expect(await page.locator('#c-edit').getAttribute('novalidate')).not.toBeNull();
      await page.fill('#c-nationalId', p.newRut);
      await page.fill('#c-email', 'no-es-un-email');
      await page.click('#c-edit button[type=submit]');
      await page.waitForSelector('#c-email-error:not(:empty)');
      expect(await page.locator('#c-email-error').innerText()).toBe('email no válido: "no-es-un-email" no es una dirección de correo');
      expect(await page.locator('#c-nationalId-error').innerText()).toBe('');
      expect(await value(h.app, 'SELECT national_id FROM clients WHERE id = ?', [p.clientId])).toBe(p.rut);
      await page.fill('#c-email', `clienta${size.width === 390 ? 0 : 1}@gmail.com`);

      // A valid one: saved, audited with her, the con_problemas lead re-classified bueno with its follow-up.
      await page.fill('#c-nationalId', p.newRut);
      await page.click('#c-edit button[type=submit]');
      await page.waitForSelector('#c-message.ok');
      expect(await page.locator('#c-message').innerText()).toContain('Ficha guardada.');
      await page.waitForSelector(`#c-leads [data-lead="${p.problem}"] [data-quality="bueno"]`);
      expect(await page.locator('#c-nationalId-error').innerText()).toBe('');
      expect(await value(h.app, 'SELECT national_id FROM clients WHERE id = ?', [p.clientId])).toBe(p.newRut);
      const lead = (await row<{ quality: string; followUpAt: number | null }>(h.app, 'SELECT quality, follow_up_at AS "followUpAt" FROM leads WHERE id = ?', [p.problem]))!;
      expect(lead.quality).toBe('bueno');
      expect(lead.followUpAt).not.toBeNull();
      expect(await column(h.app, "SELECT actor FROM audit WHERE action = 'client.edit' AND object_id = ?", [String(p.clientId)])).toEqual(['jefa@inmo.cl']);
      expect(await page.locator('#c-history').innerText()).toContain('Edición de la ficha');
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    });
  }

  it('another client’s RUT asks before merging; the merge is undone from the page', async () => {
    const p = people[1440];
    const page = await signIn({ width: 1440, height: 900 }, `/#ficha-${p.clientId}`);
    await page.waitForSelector('#client-view:not([hidden]) #c-edit');
    await page.fill('#c-nationalId', other.rut);
    await page.click('#c-edit button[type=submit]');
    await page.waitForSelector('#c-merge:not([hidden]) #c-merge-yes');
    expect(await page.locator('#c-merge-text').innerText()).toContain('pertenece a otro cliente: Otro Cliente Pérez');
    expect(await value(h.app, 'SELECT count(*) FROM leads WHERE client_id = ?', [p.clientId])).toBe(2);
    await page.click('#c-merge-yes');
    await page.waitForSelector('#c-undo');
    expect(page.url()).toContain(`#ficha-${other.clientId}`);
    expect(await page.locator('#c-leads .lead-card').count()).toBe(3);
    expect(await value(h.app, 'SELECT count(*) FROM leads WHERE client_id = ?', [p.clientId])).toBe(0);
    await page.click('#c-undo');
    await page.waitForSelector('#c-message.ok');
    expect(await page.locator('#c-message').innerText()).toContain('Unión deshecha');
    expect(page.url()).toContain(`#ficha-${p.clientId}`);
    expect(await page.locator('#c-leads .lead-card').count()).toBe(2);
    expect(await value(h.app, 'SELECT count(*) FROM leads WHERE client_id = ?', [p.clientId])).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
