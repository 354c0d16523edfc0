// /survey/<token>: the client's answer from the survey email. No sign-in: the signed token is the
// permission (one score, one case, until it expires). GET only shows the score and a button: mail
// scanners and link previews fetch links, and must not vote. The button's POST records the score
// on the case with its audit entry; the same answer again changes nothing; a tampered or expired
// link is refused.
import { recordSatisfaction } from '../cases/desk.ts';
import { verifySurvey } from '../cases/survey.ts';
import { io } from '../db/port.ts';
import { esc, langOf, type Lang } from '../outbox/templates.ts';
import { surveySettings } from './cases.ts';
import type { Reply, RequestContext } from './types.ts';

const WORDS = {
  es: {
    title: 'Encuesta de satisfacción',
    thanks: (n: number, s: number) => `¡Gracias! Registramos tu nota ${s} de 5 para el caso ${n}.`,
    confirm: (n: number, s: number) => `Tu nota para la atención del caso ${n}: ${s} de 5.`,
    send: 'Enviar mi nota',
    again: 'Si quieres cambiarla, usa otro de los enlaces del correo.',
    bad: 'Este enlace no es válido. Usa el enlace del correo tal como llegó.',
    expired: 'Este enlace venció. Si quieres darnos tu opinión, responde el correo del caso.',
    gone: 'No encontramos el caso de esta encuesta.',
  },
  pt: {
    title: 'Pesquisa de satisfação',
    thanks: (n: number, s: number) => `Obrigado! Registramos a sua nota ${s} de 5 para o chamado ${n}.`,
    confirm: (n: number, s: number) => `Sua nota para o atendimento do chamado ${n}: ${s} de 5.`,
    send: 'Enviar minha nota',
    again: 'Se quiser alterá-la, use outro dos links do e-mail.',
    bad: 'Este link não é válido. Use o link do e-mail tal como chegou.',
    expired: 'Este link expirou. Se quiser nos dar sua opinião, responda o e-mail do chamado.',
    gone: 'Não encontramos o chamado desta pesquisa.',
  },
} as const;

function page(status: number, lang: Lang, lines: string[], button?: string): Reply {
  const w = WORDS[lang];
  // The form posts to this same address (the token is in it): no field, no script.
  const form = button ? `<form method="post"><button type="submit">${esc(button)}</button></form>` : '';
  const body = `<!doctype html><html lang="${lang === 'pt' ? 'pt-BR' : 'es'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(w.title)}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/app.css"></head>
<body><main class="login"><section class="card survey"><h1>${esc(w.title)}</h1>${lines.map((l) => `<p>${esc(l)}</p>`).join('')}${form}</section></main></body></html>`;
  // Never cached or shared: the address is the permission.
  return { status, type: 'text/html; charset=utf-8', body, headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' } };
}

/** The signed vote of the address, or the page that refuses it. */
function vote(ctx: RequestContext): { ok: true; caseId: number; score: number } | { ok: false; refused: Reply } {
  const s = ctx.services;
  const fallback = langOf(s.app.config.country);
  const token = String(ctx.params.token ?? '').slice(0, 200);
  const check = verifySurvey(surveySettings(s).secret, token, new Date(ctx.now));
  if (check.ok) return { ok: true, ...check.vote };
  s.deps.log.info({ reason: check.reason }, 'survey link refused');
  return { ok: false, refused: check.reason === 'expired' ? page(410, fallback, [WORDS[fallback].expired]) : page(400, fallback, [WORDS[fallback].bad]) };
}

/** GET: the score the link carries and the button that sends it; nothing is recorded. */
export async function surveyPage(ctx: RequestContext): Promise<Reply> {
  const v = vote(ctx);
  if (!v.ok) return v.refused;
  const found = await ctx.services.app.store.read(function* (r) {
    return yield* io(r.getCase(v.caseId));
  });
  const fallback = langOf(ctx.services.app.config.country);
  if (!found) return page(404, fallback, [WORDS[fallback].gone]);
  const lang = langOf(found.country);
  return page(200, lang, [WORDS[lang].confirm(found.number, v.score)], WORDS[lang].send);
}

/** POST (the page's button): records the score with its audit entry. */
export async function surveyAnswer(ctx: RequestContext): Promise<Reply> {
  const s = ctx.services;
  const v = vote(ctx);
  if (!v.ok) return v.refused;
  const { caseId, score } = v;
  const now = ctx.now;
  const r = await s.app.store.unitOfWork(function* (tx) {
    const done = yield* recordSatisfaction(tx, caseId, score, now);
    if (done?.changed) {
      yield* io(tx.audit({ at: now, userId: null, actor: 'cliente (encuesta)', action: 'case.satisfaction', objectType: 'case', objectId: caseId, address: ctx.address, data: { score, previous: done.previous } }));
    }
    return done;
  });
  const fallback = langOf(s.app.config.country);
  if (!r) return page(404, fallback, [WORDS[fallback].gone]);
  s.deps.log.info({ caseId, score, changed: r.changed }, 'survey answer');
  const lang = langOf(r.country);
  return page(200, lang, [WORDS[lang].thanks(r.number, score), WORDS[lang].again]);
}
