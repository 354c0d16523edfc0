import { contactLinks } from '../leads/contact-links.ts';
import { countryModule, type Country } from '../countries/index.ts';
import { portalDisplayName, problemText } from '../leads/display.ts';
import { dateFormat } from '../time-zone.ts';

/** The rendered parts of one email. */
export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

export type Lang = 'es' | 'pt';
/** The UI language of a company's country, as its country module says. */
export const langOf = (country: string): Lang => countryModule(country as Country).language;

const T = {
  es: {
    quality: { bueno: 'Bueno', con_problemas: 'Con problemas', malo: 'Malo' } as Record<string, string>,
    newLead: 'Nuevo lead', noName: '(sin nombre)', noProject: '(sin proyecto)', phone: 'Teléfono', email: 'Email', message: 'Mensaje', portal: 'Portal', deadline: 'Contactar antes de',
    call: 'Llamar', whatsapp: 'WhatsApp', mail: 'Escribir', open: 'Ver el lead', returning: (d: string) => `Retorno: ya es tu cliente desde ${d}.`,
    unassigned: 'Lead con problemas sin responsable', problems: 'Problemas',
  },
  pt: {
    quality: { bueno: 'Bom', con_problemas: 'Com problemas', malo: 'Ruim' } as Record<string, string>,
    newLead: 'Novo lead', noName: '(sem nome)', noProject: '(sem projeto)', phone: 'Telefone', email: 'E-mail', message: 'Mensagem', portal: 'Portal', deadline: 'Contatar antes de',
    call: 'Ligar', whatsapp: 'WhatsApp', mail: 'Escrever', open: 'Ver o lead', returning: (d: string) => `Retorno: já é seu cliente desde ${d}.`,
    unassigned: 'Lead com problemas sem responsável', problems: 'Problemas',
  },
} as const;

/** A lead quality's word in the company's language ("Con problemas"). */
export const qualityName = (q: string, lang: Lang): string => T[lang].quality[q] ?? q;

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** Header-safe: no line breaks from client data in a subject. */
const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, ' ').trim();

/** A date (and time, 00–23 h: es-CL with hour12 false writes midnight as "24:40") as the company's locale writes it. */
export function formatDate(ms: number, lang: Lang, timeZone: string, withTime = true): string {
  return dateFormat(lang === 'pt' ? 'pt-BR' : 'es-CL', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric', ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}) }).format(ms);
}

/** `/?lead=<id>#contactos` on the page's public address; null when none is configured. */
export function leadUrl(publicUrl: string | undefined, leadId: number): string | null {
  if (!publicUrl) return null;
  return `${publicUrl.replace(/\/+$/, '')}/?lead=${leadId}#contactos`;
}

export interface LeadView {
  id: number;
  quality: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  message: string | null;
  portal: string | null;
  project: string | null;
  deadlineAt: number;
  problems?: string[];
  /** Set for a returning client: since when they are this vendor's client. */
  clientSince?: number | null;
}

export interface RenderOptions {
  lang: Lang;
  timeZone: string;
  publicUrl?: string;
  vendorName?: string | null;
  greeting?: string;
  /** The company's country: names its national ID in problem texts ("RUT inválido"). */
  country?: string;
  /** A parser id's declared display name (parsers/*.yaml `name:`); raw ids never reach an email. */
  portalName?: (id: string) => string | null | undefined;
}

/** The portal as people call it ("TocToc", "Formulario web", "Sin portal"). */
const portalOf = (l: LeadView, o: RenderOptions) => portalDisplayName(l.portal, o.portalName ?? (() => null), o.lang);
/** Problem codes as sentences in the company's language. */
const problemsOf = (l: LeadView, o: RenderOptions) => (l.problems ?? []).map((c) => problemText(c, o.country ?? (o.lang === 'pt' ? 'BR' : 'CL'), o.lang));

/** Rows of label/value and the links, shared by the vendor's and the managers' emails. */
function body(l: LeadView, o: RenderOptions, heading: string): { text: string; html: string } {
  const t = T[o.lang];
  const links = contactLinks({ name: l.name, phone: l.phone, email: l.email, project: l.project }, o.vendorName ?? null, { lang: o.lang, greeting: o.greeting });
  const url = leadUrl(o.publicUrl, l.id);
  const rows: [string, string][] = [
    [t.phone, l.phone ?? '-'],
    [t.email, l.email ?? '-'],
    [t.portal, portalOf(l, o)],
    [t.deadline, formatDate(l.deadlineAt, o.lang, o.timeZone)],
  ];
  if (l.problems?.length) rows.push([t.problems, problemsOf(l, o).join(', ')]);
  const returning = l.clientSince ? t.returning(formatDate(l.clientSince, o.lang, o.timeZone, false)) : null;
  const linkList: [string, string][] = [];
  if (links.tel) linkList.push([t.call, links.tel]);
  if (links.whatsapp) linkList.push([t.whatsapp, links.whatsapp]);
  if (links.mailto) linkList.push([t.mail, links.mailto]);
  if (url) linkList.push([t.open, url]);
  const text = [
    heading,
    ...(returning ? [returning] : []),
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    ...(l.message ? ['', `${t.message}:`, l.message] : []),
    '',
    ...linkList.map(([k, v]) => `${k}: ${v}`),
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<h2 style="margin:0 0 8px">${esc(heading)}</h2>${returning ? `<p><strong>${esc(returning)}</strong></p>` : ''}
<table>${rows.map(([k, v]) => `<tr><th align="left">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
${l.message ? `<p><strong>${esc(t.message)}:</strong><br>${esc(l.message).replace(/\n/g, '<br>')}</p>` : ''}
<p>${linkList.map(([k, v]) => `<a href="${esc(v)}" style="display:inline-block;padding:10px 14px;margin:4px;background:#1f6feb;color:#fff;text-decoration:none;border-radius:6px">${esc(k)}</a>`).join(' ')}</p>
</body></html>`;
  return { text, html };
}

/** The vendor's email for a lead assigned to them. */
export function assignmentEmail(l: LeadView, o: RenderOptions): Rendered {
  const t = T[o.lang];
  const subject = oneLine(`[${t.quality[l.quality] ?? l.quality}] ${l.name ?? t.noName} - ${l.project ?? t.noProject}`);
  return { subject, ...body(l, o, `${t.newLead}: ${l.name ?? t.noName} (${l.project ?? t.noProject})`) };
}

/** The managers' email for a con_problemas lead nobody owns. */
export function unassignedEmail(l: LeadView, o: RenderOptions): Rendered {
  const t = T[o.lang];
  const subject = oneLine(`[${t.quality[l.quality] ?? l.quality}] ${t.unassigned}: ${l.name ?? t.noName} - ${l.project ?? (l.portal ? portalOf(l, o) : t.noProject)}`);
  return { subject, ...body(l, o, `${t.unassigned}: ${l.name ?? t.noName}`) };
}

/** The short auto-reply to the client, naming who will call. */
export function ackEmail(a: { clientName: string | null; project: string | null; vendorName: string | null; lang: Lang }): Rendered {
  const first = (a.clientName ?? '').trim().split(/\s+/)[0] ?? '';
  const es = a.lang === 'es';
  const project = a.project ?? (es ? 'nuestro proyecto' : 'nosso projeto');
  const subject = es ? `Recibimos tu consulta por ${project}` : `Recebemos sua consulta sobre ${project}`;
  const who = a.vendorName ? (es ? `${a.vendorName} te contactará pronto.` : `${a.vendorName} entrará em contato em breve.`) : es ? 'Un ejecutivo te contactará pronto.' : 'Um consultor entrará em contato em breve.';
  const hello = es ? `Hola${first ? ` ${first}` : ''},` : `Olá${first ? ` ${first}` : ''},`;
  const thanks = es ? `Gracias por tu interés en ${project}.` : `Obrigado pelo seu interesse em ${project}.`;
  const auto = es ? 'Este es un mensaje automático.' : 'Esta é uma mensagem automática.';
  const text = `${hello}\n\n${thanks} ${who}\n\n${auto}`;
  const html = `<!doctype html><html><body style="font-family:sans-serif"><p>${esc(hello)}</p><p>${esc(thanks)} ${esc(who)}</p><p style="color:#666">${esc(auto)}</p></body></html>`;
  return { subject: oneLine(subject), text, html };
}
