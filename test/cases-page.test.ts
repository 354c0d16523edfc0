// The "Casos" view in headless Chromium at 390x844 and 1440x900, under the page's own CSP: a
// customer-service person lands on it, sees the due times with the breach in red (and in words),
// opens a case, reads its thread, replies (the case waits on the client), resolves it and records
// the return visit; the statistics chart is drawn. axe-core finds no serious or critical violation
// and the page never scrolls sideways. A vendor sees their client's case read-only.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { casesSchema } from '../src/cases/config.ts';
import { calendarFor, initialDueTimes } from '../src/cases/targets.ts';
import { io } from '../src/db/port.ts';
import { PASSWORD, startHarness, type Harness } from './http-fixture.ts';
import { CHROMIUM, noChromium } from './helpers/tools.ts';
import { viewProblems } from './helpers/page-check.ts';
import { mailWithAttachment } from './helpers/mail.ts';

const PLR = 'Parque Los Robles';
const PROJECTS = [`  - name: ${PLR}`, '    vendors:', '      - {id: v1, name: Vera Díaz}', '  - name: Mirador del Valle'];
const VIEWPORTS = [{ width: 390, height: 844 }, { width: 1440, height: 900 }];
const DAY = 86_400_000;

describe.skipIf(noChromium())('the Casos view', () => {
  let h: Harness;
  let browser: Browser;
  const problems: string[] = [];
  const numbers: number[] = [];

  beforeAll(async () => {
    h = await startHarness({ projects: PROJECTS, logLevel: 'silent', extraYaml: ['mailboxes:', '  - {name: postventa, host: 127.0.0.1, user: postventa@inmo.cl, password: x, purpose: servicio}'] });
    await h.addUser('pilar@inmo.cl', 'atencion', { name: 'Pilar Atención' });
    await h.addUser('vera@inmo.cl', 'vendedor', { name: 'Vera Díaz', vendorId: 'v1' });
    const cfg = casesSchema.parse({});
    const cal = calendarFor(cfg, 'CL', 'America/Santiago');
    const plr = h.app.store.projectId(PLR);
    const now = Date.now();
    await h.app.store.unitOfWork(function* (tx) {
      const client = yield* io(tx.insertClient({ name: 'Pedro Rojas', email: 'pedro@correo.cl', createdAt: 1 }));
      yield* io(tx.updateClient(client, { ownerVendorId: 'v1', ownerSince: 1 }));
      // Two late complaints (one per screen size) with a long unbroken subject, and a fresh question.
      for (const [i, [category, subject, at]] of ([
        ['reclamo', 'Reclamo: filtración en el baño del depto 1502, Parque Los Robles; ya llamé dos veces y nadie vino', now - 12 * DAY],
        ['reclamo', 'Reclamo: humedad en el dormitorio principal, hace-tres-semanas-que-esperamos-al-técnico-de-la-inmobiliaria', now - 11 * DAY],
        ['consulta', 'Consulta por gastos comunes de marzo', now],
      ] as const).entries()) {
        const number = yield* io(tx.nextCounter('case_number'));
        const id = yield* io(tx.insertCase({ number, category, status: 'abierto', subject, country: 'CL', clientId: i < 2 ? client : null, projectId: plr, unit: 'depto 1502',
          contactName: 'Pedro Rojas', contactEmail: 'pedro@correo.cl', createdAt: at, updatedAt: at, ...initialDueTimes(cfg, cal, category, at) }));
        yield* io(tx.insertCaseMessage({ caseId: id, direction: 'in', messageId: `<in${number}@correo.cl>`, fromAddr: 'pedro@correo.cl', subject, text: 'Ya llamé dos veces y nadie vino.\nPor favor, respondan.', at }));
        numbers.push(number);
      }
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function signIn(viewport: { width: number; height: number }, email: string): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'es-CL', timezoneId: 'America/Santiago' });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    await page.goto(h.base);
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#login-email', email);
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#views:not([hidden])');
    return page;
  }

  for (const [i, viewport] of VIEWPORTS.entries()) {
    const size = `${viewport.width}x${viewport.height}`;

    it(`customer service works a case at ${size}`, async () => {
      const number = numbers[i];
      const page = await signIn(viewport, 'pilar@inmo.cl');
      // Customer service sees cases only: the sales tabs are not offered.
      await page.waitForSelector('#cases tbody tr');
      expect(await page.locator('#views [data-view]:visible').evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset.view))).toEqual(['casos']);
      await page.waitForSelector('#cases-stats[data-drawn="true"]');
      const row = page.locator('#cases tbody tr', { hasText: `#${number}` });
      // The breach in red and in words.
      const late = row.locator('.overdue').first();
      expect(await late.innerText()).toMatch(/vencido/);
      expect(await late.evaluate((e) => getComputedStyle(e).color)).toBe('rgb(198, 40, 40)');
      const found = await viewProblems(page, `casos ${size}`);

      await row.getByRole('button', { name: `#${number}` }).click();
      await page.waitForSelector('#case-detail[open] .thread .msg');
      expect(await page.locator('#case-title').innerText()).toContain(`Caso ${number}`);
      expect(await page.locator('.thread .msg.in .text').first().innerText()).toContain('Ya llamé dos veces');
      found.push(...(await viewProblems(page, `caso ${size}`)));

      await page.fill('#case-reply textarea', 'Hola Pedro:\n\nEl técnico irá el lunes a las 10:00.');
      await page.check('#case-reply input[name=waitForClient]');
      await page.click('#case-reply button[type=submit]');
      await page.waitForSelector('#case-message.ok');
      expect(await page.locator('#case-message').innerText()).toBe('Respuesta enviada.');
      await page.waitForSelector('.thread .msg.out');
      expect(await page.locator('#case-body dl').innerText()).toMatch(/En espera del cliente/);
      expect(await page.locator('#case-body dl').innerText()).toMatch(/en pausa/);
      // Whoever answers a case nobody holds takes it.
      expect(await page.locator('#case-responsible option:checked').innerText()).toBe('Pilar Atención');

      await page.click('#case-body [data-status="resuelto"]');
      await page.waitForSelector('#case-body [data-status="resuelto"][aria-pressed="true"]');
      await page.selectOption('#case-visit select[name=kind]', 'regreso');
      await page.fill('#case-visit input[name=scheduledAt]', '2025-03-12T10:00');
      await page.fill('#case-visit input[name=who]', 'Técnico Juan');
      await page.fill('#case-visit textarea[name=outcome]', 'Sin filtración');
      await page.click('#case-visit button[type=submit]');
      await page.waitForFunction(() => document.querySelector('#case-message')?.textContent === 'Visita registrada.');
      expect(await page.locator('#case-body').innerText()).toContain('Visita de regreso');
      // A misfiled category is corrected in place, and put back.
      const category = await page.locator('#case-category').inputValue();
      const other = category === 'postventa' ? 'consulta' : 'postventa';
      await page.selectOption('#case-category', other);
      await page.waitForFunction(() => document.querySelector('#case-message')?.textContent === 'Categoría guardada.');
      expect(await page.locator('#case-body dl').innerText()).toContain(other === 'postventa' ? 'Postventa' : 'Consulta');
      await page.evaluate(() => { document.querySelector('#case-message')!.textContent = ''; });
      await page.selectOption('#case-category', category);
      await page.waitForFunction(() => document.querySelector('#case-message')?.textContent === 'Categoría guardada.');
      expect(await page.locator('#case-category').inputValue()).toBe(category);
      found.push(...(await viewProblems(page, `caso resuelto ${size}`)));
      await page.context().close();
      expect(found).toEqual([]);
    });
  }

  it('a vendor sees their client\'s case read-only, at 390x844', async () => {
    const page = await signIn(VIEWPORTS[0], 'vera@inmo.cl');
    await page.goto(`${h.base}/?vista=casos#casos`);
    await page.waitForSelector('#cases tbody tr');
    expect(await page.locator('#cases tbody tr').count()).toBe(2); // not the question without a client
    await page.locator('#cases tbody tr .link').first().click();
    await page.waitForSelector('#case-detail[open] .thread');
    expect(await page.locator('#case-reply').count()).toBe(0);
    expect(await page.locator('#case-body').innerText()).toContain('Solo lectura.');
    await page.context().close();
  });

  it("an incoming email's attachment downloads from the case, at 390x844", async () => {
    const photo = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 13) % 256));
    const r = await h.app.ingestor.ingest(
      mailWithAttachment({ from: 'Hugo Tapia <hugo.tapia@gmail.com>', to: 'postventa@inmo.cl', subject: 'Grieta en el muro del living', text: 'Hola, apareció una grieta en el muro del living del depto 804. Adjunto la foto.', name: 'grieta living.jpg', type: 'image/jpeg', bytes: photo }),
      { source: 'imap', mailbox: 'postventa', uidValidity: 1, uid: 1 },
    );
    const { number } = await h.json<{ number: number }>(`/api/cases/${(r as { caseId?: number }).caseId}`);
    const page = await signIn(VIEWPORTS[0], 'pilar@inmo.cl');
    await page.locator('#cases tbody tr', { hasText: `#${number}` }).getByRole('button', { name: `#${number}` }).click();
    const link = page.locator('.thread .msg.in .attachments a', { hasText: 'grieta living.jpg' });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('grieta living.jpg');
    const saved = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const c of saved) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(photo)).toBe(true);
    await page.context().close();
  });

  it('no page error on the way', () => {
    expect(problems.filter((p) => !/Failed to load resource: the server responded with a status of 40[14]/.test(p))).toEqual([]);
  });
});
