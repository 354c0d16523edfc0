// "Enseñar parser" in headless Chromium at 390x844 and 1440x900, under the page's own CSP: an admin
// picks a stored email of an unknown table-layout portal by its number (keyboard only), reads the
// explanation, confirms the fields (prefilled with the guesses), previews and saves; the saved
// parser reads an unseen email of the same layout right. The second size replaces the first one's
// parser: the diff is shown and the save waits for the confirmation. axe-core finds no serious or
// critical violation and the page never scrolls sideways.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startHarness, type Harness } from './http-fixture.ts';
import { CASAYA, casaYa, rut } from './helpers/learn-samples.ts';
import { CHROMIUM, noChromium } from './helpers/tools.ts';
import { viewProblems } from './helpers/page-check.ts';

const VIEWPORTS = [{ width: 390, height: 844 }, { width: 1440, height: 900 }];
const PROJECTS = ['  - name: Parque Los Robles', '  - name: Mirador del Valle', '  - name: Torre Providencia'];

describe.skipIf(noChromium())('the Enseñar parser view', () => {
  let h: Harness;
  let browser: Browser;
  let parsersDir: string;
  let sampleId: number;
  let sampleLead: number;
  const problems: string[] = [];

  beforeAll(async () => {
    parsersDir = fs.mkdtempSync(path.join(os.tmpdir(), 'teach-page-'));
    fs.cpSync('parsers', parsersDir, { recursive: true });
    h = await startHarness({ parsersDir, projects: PROJECTS, logLevel: 'silent' });
    await h.addUser('admin@inmo.cl', 'admin', { name: 'Ada Admin' });
    // The portal is unknown: no parser claims it, the generic extraction reads what it can.
    const stored = await h.app.ingestor.ingest(Buffer.from(casaYa(CASAYA[0], 0)), { source: 'file' });
    expect(stored.outcome?.parser ?? null).toBeNull();
    sampleId = stored.rawEmailId;
    sampleLead = stored.leadId!;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    if (parsersDir) fs.rmSync(parsersDir, { recursive: true, force: true });
  });

  async function signIn(viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'es-CL', timezoneId: 'America/Santiago' });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    await page.goto(h.base);
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#login-email', 'admin@inmo.cl');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#views:not([hidden])');
    return page;
  }

  /** Tabs forward until `selector` has the focus (at most `max` presses): the control is keyboard-reachable. */
  async function tabTo(page: Page, selector: string, max = 80): Promise<void> {
    for (let i = 0; i < max; i++) {
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`${selector} not reached with Tab`);
  }

  for (const [i, viewport] of VIEWPORTS.entries()) {
    const size = `${viewport.width}x${viewport.height}`;

    it(`an admin teaches the portal's layout from one stored email at ${size}`, async () => {
      const page = await signIn(viewport);
      let found: string[];
      if (i === 0) {
        await page.getByRole('button', { name: 'Enseñar parser' }).click();
        await page.waitForSelector('#teach-view:not([hidden]) #t-emails caption');
        expect(await page.locator('#t-emails thead').count(), await page.locator('#teach-view').innerText()).toBe(1);
        found = await viewProblems(page, `enseñar ${size}`);
        // Keyboard only: to the email number, type it, Enter reads it.
        await page.focus('#views [data-view="ensenar"]');
        await tabTo(page, '#t-id');
        await page.keyboard.type(String(sampleId));
        await page.keyboard.press('Enter');
      } else {
        // From the lead's "¿Por qué?": that email is picked in the teaching view.
        await page.goto(`${h.base}/?lead=${sampleLead}#contactos`);
        await page.waitForSelector('#detail[open]');
        await page.click('#d-explain');
        await page.getByRole('button', { name: 'Enseñar un parser con este correo' }).click();
        await page.waitForSelector('#teach-view:not([hidden]) #t-emails caption');
        expect(await page.locator('#t-chosen').innerText()).toContain(`#${sampleId}`);
        found = await viewProblems(page, `enseñar ${size}`);
        await page.click('#t-read');
      }
      await page.waitForSelector('#t-confirm:not([hidden]) #t-fields');
      // The explanation: the generic reading, where each field came from.
      expect(await page.locator('#t-confirm').innerText()).toContain('avisos@mail.casaya.cl');
      // The first time no portal claims it; the second, the parser the first size saved does.
      expect(await page.locator('#t-confirm').innerText()).toMatch(i === 0 ? /Genérico/ : /casaya|CasaYa/);
      // Prefilled with the guesses; each input has its label.
      const form = page.locator('#t-fields');
      expect(await form.getByLabel('Email', { exact: true }).inputValue()).toBe(CASAYA[0].email);
      // Confirm or correct each field as the admin reads it in the email.
      await form.getByLabel('Nombre', { exact: true }).fill(CASAYA[0].name);
      await form.getByLabel(/^(RUT|Documento)$/).fill(rut(CASAYA[0].id));
      await form.getByLabel('Teléfono', { exact: true }).fill(CASAYA[0].phone);
      await form.getByLabel('Proyecto', { exact: true }).fill(CASAYA[0].project);
      await form.getByLabel('Mensaje', { exact: true }).fill('');
      await form.getByLabel(/Id del parser/).fill('casaya');
      await form.getByLabel('Nombre del portal').fill(i === 0 ? 'CasaYa' : 'CasaYa Avisos');
      found.push(...(await viewProblems(page, `confirmar ${size}`)));
      await form.getByLabel('Nombre del portal').press('Enter');
      await page.waitForSelector('#t-preview:not([hidden]) #t-yaml');
      // The stored emails of the layout: the sample, and at the second size the unseen one the first read.
      expect(await page.locator('#t-preview-summary').innerText()).toMatch(i === 0 ? /^1 correo guardado usaría este parser/ : /^2 correos guardados usarían este parser/);
      const yaml = await page.locator('#t-yaml').inputValue();
      expect(yaml).toContain('id: casaya');
      for (const v of ['Camila', 'Rojas', '15.432', '8765', 'camila.rojas']) expect(yaml).not.toContain(v);
      if (i === 1) {
        // The first size saved it: the diff first, and no save without the confirmation.
        expect(await page.locator('#t-preview pre.diff').innerText()).toContain('+name: CasaYa Avisos');
        await page.click('#t-save-btn');
        await page.waitForFunction(() => /marca la confirmación/.test(document.querySelector('#t-message')?.textContent ?? ''));
        expect(fs.readFileSync(path.join(parsersDir, 'casaya.yaml'), 'utf8')).toContain('name: CasaYa\n');
        await page.getByLabel(/Revisé las diferencias/).check();
      }
      found.push(...(await viewProblems(page, `vista previa ${size}`)));
      await tabTo(page, '#t-save-btn');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => /Parser guardado y en uso/.test(document.querySelector('#t-message')?.textContent ?? ''));
      expect(fs.readFileSync(path.join(parsersDir, 'casaya.yaml'), 'utf8')).toContain(i === 0 ? 'name: CasaYa\n' : 'name: CasaYa Avisos');
      // The saved parser is live and reads an unseen email of the same layout right.
      const unseen = await h.app.ingestor.ingest(Buffer.from(casaYa(CASAYA[1 + i], 1 + i)), { source: 'file' });
      expect(unseen.outcome?.parser).toBe('casaya');
      const p = CASAYA[1 + i];
      expect(unseen.outcome?.kind === 'lead' && unseen.outcome.fields).toMatchObject({ name: p.name, email: p.email, nationalId: rut(p.id).replace(/\./g, '') });
      await page.context().close();
      expect(found).toEqual([]);
      expect(problems.filter((x) => !/Failed to load resource: the server responded with a status of 40[149]/.test(x))).toEqual([]);
    }, 90_000);
  }
});
