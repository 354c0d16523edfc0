// The survey's public page: a Brazilian case answers in Portuguese, an expired link 410, a link of a
// case that is gone 404, and nothing of it needs a sign-in or reaches the log. Opening the link
// (what a mail scanner does) records nothing; the page's button does, clicked in Chromium at 390x844
// under the page's own CSP.
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSurvey, surveySecret } from '../src/cases/survey.ts';
import { io } from '../src/db/port.ts';
import { startHarness, TOKEN, type Harness } from './http-fixture.ts';
import { CHROMIUM, noChromium } from './helpers/tools.ts';

describe('survey page', () => {
  let h: Harness;
  let caseId = 0;
  const secret = surveySecret(undefined, TOKEN);
  const token = (id: number, score: number, expires = Math.floor(Date.now() / 1000) + 3600) => signSurvey(secret, { caseId: id, score, expires });

  beforeAll(async () => {
    h = await startHarness({ country: 'BR', logLevel: 'debug' });
    caseId = await h.app.store.unitOfWork(function* (tx) {
      const number = yield* io(tx.nextCounter('case_number'));
      return yield* io(tx.insertCase({ number, category: 'reclamo', status: 'resuelto', subject: 'Infiltração no banheiro', country: 'BR', contactEmail: 'joana@correio.com.br', createdAt: 1, updatedAt: 1, resolvedAt: 2 }));
    });
  });
  afterAll(() => h.close());

  it('opening the link records nothing; its button records the score and thanks in Portuguese; never cached', async () => {
    const t = token(caseId, 5);
    const score = async () => (await h.app.store.read(function* (r) { return yield* io(r.getCase(caseId)); }))?.satisfactionScore ?? null;
    const opened = await h.call(`/survey/${t}`, { token: null });
    expect(opened.status).toBe(200);
    expect(opened.headers.get('cache-control')).toBe('no-store');
    const form = await opened.text();
    expect(form).toContain('lang="pt-BR"');
    expect(form).toContain('Sua nota para o atendimento do chamado');
    expect(form).toContain('<form method="post"><button type="submit">Enviar minha nota</button></form>');
    // Opened twice more (a scanner, a link preview): still no score.
    await h.call(`/survey/${t}`, { token: null });
    expect(await score()).toBeNull();
    const sent = await h.call(`/survey/${t}`, { method: 'POST', token: null });
    expect(sent.status).toBe(200);
    expect(sent.headers.get('cache-control')).toBe('no-store');
    expect(await sent.text()).toContain('Obrigado! Registramos a sua nota 5 de 5');
    expect(await score()).toBe(5);
    // Another score's button replaces it.
    expect((await h.call(`/survey/${token(caseId, 3)}`, { method: 'POST', token: null })).status).toBe(200);
    expect(await score()).toBe(3);
    expect(h.logLines.join('\n')).not.toContain(t.split('.')[3]);
  });

  it.skipIf(noChromium())('the client taps the button on a phone: the thank-you page, the score recorded, nothing refused by the CSP', async () => {
    const t = token(caseId, 4);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'pt-BR' })).newPage();
      const problems: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`${h.base}/survey/${t}`);
      expect(await page.locator('main').innerText()).toContain('Sua nota para o atendimento do chamado');
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Enviar minha nota' }).click()]);
      expect(await page.locator('main').innerText()).toContain('Obrigado! Registramos a sua nota 4 de 5');
      expect((await h.app.store.read(function* (r) { return yield* io(r.getCase(caseId)); }))?.satisfactionScore).toBe(4);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('an expired link answers 410, a gone case 404, garbage 400', async () => {
    for (const method of ['GET', 'POST']) {
      const expired = await h.call(`/survey/${token(caseId, 4, Math.floor(Date.now() / 1000) - 10)}`, { method, token: null });
      expect(expired.status).toBe(410);
      expect(await expired.text()).toContain('expirou');
      expect((await h.call(`/survey/${token(caseId + 999, 4)}`, { method, token: null })).status).toBe(404);
      expect((await h.call('/survey/%3Cscript%3E', { method, token: null })).status).toBe(400);
    }
  });
});
