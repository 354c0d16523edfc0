// The desk's emails, in the case's language: a reply from the page, the survey after resolution,
// the escalation to the supervisors. Text and HTML; client data only ever escaped into HTML.
import { caseTag } from '../case-vocabulary.ts';
import { esc, formatDate, type Lang, type Rendered } from '../outbox/templates.ts';

/** "Re: [Caso 17] Filtración en el baño": the tag once, earlier Re:/RV:/Fwd: and tags dropped. */
export function replySubject(n: number, subject: string): string {
  const clean = subject
    .replace(/\[\s*(?:caso|chamado)\s*#?\s*\d{1,9}\s*\]/gi, ' ')
    .replace(/^(?:\s*(?:re|rv|res|fw|fwd|enc)\s*:\s*)+/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  return `Re: ${caseTag(n)} ${clean || '-'}`.slice(0, 250);
}

const paragraphs = (text: string) => text.split(/\n{2,}/).map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`).join('');
const page = (body: string) => `<!doctype html><html><body style="font-family:sans-serif;line-height:1.4">${body}</body></html>`;

/** A reply typed in the page, sent as written (its text is the staff's). */
export function replyEmail(n: number, subject: string, text: string): Rendered {
  return { subject: replySubject(n, subject), text, html: page(paragraphs(text)) };
}

const SURVEY = {
  es: {
    subject: (n: number) => `${caseTag(n)} ¿Cómo atendimos tu caso?`,
    intro: (name: string | null) => `${name ? `Hola ${name}:` : 'Hola:'}\n\nTu caso quedó resuelto. ¿Qué tan satisfecho estás con la atención? Elige una nota (1 = nada, 5 = muy satisfecho); abre el enlace y confirma.`,
    score: (s: number) => `${s} de 5`,
    thanks: 'Gracias por ayudarnos a mejorar.',
  },
  pt: {
    subject: (n: number) => `${caseTag(n)} Como atendemos o seu chamado?`,
    intro: (name: string | null) => `${name ? `Olá ${name},` : 'Olá,'}\n\nSeu chamado foi resolvido. Qual é a sua satisfação com o atendimento? Escolha uma nota (1 = nada, 5 = muito satisfeito); abra o link e confirme.`,
    score: (s: number) => `${s} de 5`,
    thanks: 'Obrigado por nos ajudar a melhorar.',
  },
} as const;

export function surveyEmail(n: number, clientName: string | null, links: { score: number; url: string }[], lang: Lang): Rendered {
  const w = SURVEY[lang];
  const text = `${w.intro(clientName)}\n\n${links.map((l) => `${w.score(l.score)}: ${l.url}`).join('\n')}\n\n${w.thanks}`;
  const buttons = links
    .map((l) => `<a href="${esc(l.url)}" style="display:inline-block;margin:4px;padding:10px 14px;border:1px solid #1f6feb;border-radius:6px;color:#1f6feb;text-decoration:none">${esc(w.score(l.score))}</a>`)
    .join('');
  return { subject: w.subject(n), text, html: page(`${paragraphs(w.intro(clientName))}<p>${buttons}</p><p>${esc(w.thanks)}</p>`) };
}

const ESCALATION = {
  es: {
    what: { first: 'primera respuesta', resolution: 'resolución' },
    subject: (n: number, what: string) => `${caseTag(n)} Plazo de ${what} vencido`,
    lines: (c: EscalationView, what: string, due: string) => [
      `El caso ${c.number} (${c.category}) pasó su plazo de ${what}: vencía el ${due}.`,
      `Asunto: ${c.subject}`,
      `Proyecto: ${c.project ?? '-'}${c.unit ? ` · ${c.unit}` : ''}`,
      `Responsable: ${c.responsible ?? '(sin responsable)'}`,
      `Estado: ${c.status}`,
    ],
    open: 'Abrir el caso',
  },
  pt: {
    what: { first: 'primeira resposta', resolution: 'resolução' },
    subject: (n: number, what: string) => `${caseTag(n)} Prazo de ${what} vencido`,
    lines: (c: EscalationView, what: string, due: string) => [
      `O chamado ${c.number} (${c.category}) passou do prazo de ${what}: vencia em ${due}.`,
      `Assunto: ${c.subject}`,
      `Empreendimento: ${c.project ?? '-'}${c.unit ? ` · ${c.unit}` : ''}`,
      `Responsável: ${c.responsible ?? '(sem responsável)'}`,
      `Status: ${c.status}`,
    ],
    open: 'Abrir o chamado',
  },
} as const;

export interface EscalationView {
  number: number;
  category: string;
  status: string;
  subject: string;
  project: string | null;
  unit: string | null;
  responsible: string | null;
}

export function escalationEmail(c: EscalationView, breach: 'first' | 'resolution', dueAt: number, link: string | null, lang: Lang, timeZone: string): Rendered {
  const w = ESCALATION[lang];
  const what = w.what[breach];
  const lines = w.lines(c, what, formatDate(dueAt, lang, timeZone));
  const text = `${lines.join('\n')}${link ? `\n\n${w.open}: ${link}` : ''}`;
  const html = page(`${lines.map((l) => `<p>${esc(l)}</p>`).join('')}${link ? `<p><a href="${esc(link)}">${esc(w.open)}</a></p>` : ''}`);
  return { subject: w.subject(c.number, what), text, html };
}

/** The page's address of a case (the Casos view opens it). */
export function caseUrl(publicUrl: string | undefined, caseId: number): string | null {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/#casos/${caseId}` : null;
}
