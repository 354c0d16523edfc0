// The survey's public page: a Brazilian case answers in Portuguese, an expired link 410, a link of a
// case that is gone 404, and nothing of it needs a sign-in or reaches the log. Opening the link
// (what a mail scanner does) records nothing; the page's button does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSurvey, surveySecret } from '../src/cases/survey.ts';
import { io } from '../src/db/port.ts';
import { startHarness, TOKEN, type Harness } from './http-fixture.ts';

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
