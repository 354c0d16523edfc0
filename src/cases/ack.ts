// The client's acknowledgement of a new case: its number, what we understood it is about, and the
// promised response time (the seed: "informar el tiempo de respuesta"). Spanish, Portuguese for BR.
import { caseTag, type CaseCategory } from '../case-vocabulary.ts';
import { esc, formatDate, type Lang, type Rendered } from '../outbox/templates.ts';

export interface CaseAckView {
  number: number;
  category: CaseCategory;
  subject: string;
  clientName: string | null;
  /** The promised first answer: business hours and the instant it falls due. */
  firstResponseHours: number;
  firstResponseDueAt: number;
}

const WORDS = {
  es: {
    category: { consulta: 'consulta', reclamo: 'reclamo', sugerencia: 'sugerencia', postventa: 'solicitud de postventa' } as Record<CaseCategory, string>,
    subject: (n: string, s: string) => `${n} Recibimos su mensaje: ${s}`,
    hello: (name: string | null) => (name ? `Estimado/a ${name}:` : 'Estimado/a cliente:'),
    received: (kind: string, n: number) => `Recibimos su ${kind} y lo registramos con el número de caso ${n}.`,
    promise: (h: number, due: string) => `Le responderemos dentro de ${h} horas hábiles, a más tardar el ${due}.`,
    keep: (tag: string) => `Para agregar información, responda a este correo manteniendo ${tag} en el asunto.`,
    sign: 'Atención al cliente',
  },
  pt: {
    category: { consulta: 'consulta', reclamo: 'reclamação', sugerencia: 'sugestão', postventa: 'solicitação de pós-venda' } as Record<CaseCategory, string>,
    subject: (n: string, s: string) => `${n} Recebemos sua mensagem: ${s}`,
    hello: (name: string | null) => (name ? `Prezado(a) ${name},` : 'Prezado(a) cliente,'),
    received: (kind: string, n: number) => `Recebemos sua ${kind} e a registramos com o número de chamado ${n}.`,
    promise: (h: number, due: string) => `Responderemos em até ${h} horas úteis, no máximo até ${due}.`,
    keep: (tag: string) => `Para acrescentar informações, responda a este e-mail mantendo ${tag} no assunto.`,
    sign: 'Atendimento ao cliente',
  },
};

export function caseAckEmail(v: CaseAckView, lang: Lang, timeZone: string): Rendered {
  const w = WORDS[lang];
  const tag = caseTag(v.number);
  const clean = v.subject.replace(/^(?:\s*(?:re|rv|res|fw|fwd|enc)\s*:\s*)+/i, '').replace(/\s+/g, ' ').trim() || '-';
  const hours = Number.isInteger(v.firstResponseHours) ? v.firstResponseHours : Number(v.firstResponseHours.toFixed(1));
  const lines = [w.hello(v.clientName), '', w.received(w.category[v.category], v.number), w.promise(hours, formatDate(v.firstResponseDueAt, lang, timeZone)), '', w.keep(tag), '', w.sign];
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.4">${lines.filter((l) => l !== '').map((l) => `<p>${esc(l)}</p>`).join('')}</body></html>`;
  return { subject: w.subject(tag, clean).slice(0, 250), text: lines.join('\n'), html };
}
