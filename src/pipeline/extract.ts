import { findPhoneNumbersInText } from 'libphonenumber-js/max';
import { beforeOtherListings, linesBeforeOtherListings } from './decoys.ts';
import { countryModule } from '../countries/index.ts';
import type { Country } from '../normalize/national-id.ts';
import { findNationalIdInText } from '../normalize/national-id.ts';
import { repairMojibake } from '../normalize/mojibake.ts';
import { FIELD_NAMES, compilePattern, type FieldName } from '../parsers/patterns.ts';
import type { Extractor } from '../parsers/schema.ts';
import type { LoadedParser } from '../parsers/load.ts';
import { LimitExceeded, type ParsedEmail } from './mime.ts';
import { applyPost } from './post.ts';
import { fieldForLabel, fieldPairs, isLabelText, labelledPairs } from './labels.ts';
import { cleanSpaces, fold } from './text.ts';
import { MailView } from './view.ts';
import { baseDomain } from './domain.ts';
import { isOwn, mergeOwn, NO_OWN, type OwnIdentifiers } from './own.ts';
import { htmlToText } from './text.ts';

export { MailView } from './view.ts';

export type ExtractedFields = Record<FieldName, string | null>;

export interface Extraction {
  fields: ExtractedFields;
  /** Every labelled project value, in order: "Código de propiedad: 4567" may come before "Proyecto: X". */
  projectCandidates: string[];
  /** Fields the parser's own extractors missed and the generic extraction filled. */
  fromFallback: FieldName[];
  /** Fields the parser's own extractors found. */
  fromParser: FieldName[];
  /** Labelled form fields found by the generic extraction (a hint that this is a form at all). */
  labelsFound: number;
  /** Which fields the generic extraction found beside a label. */
  labelledFields: FieldName[];
}

function source(view: MailView, where: string): string {
  const m = view.mail;
  switch (where) {
    case 'subject': return m.subject;
    case 'text': return m.text ?? '';
    case 'html': return m.html ?? '';
    case 'from': return m.from?.address ?? '';
    case 'fromName': return m.from?.name ?? '';
    case 'replyTo': return m.replyTo?.address ?? '';
    default: return view.fullText; // a parser's body pattern reads the text part's copy too, as it always has
  }
}

function byLabel(view: MailView, labels: string[]): string | null {
  const wanted = new Set(labels.map(fold));
  const pairs = labelledPairs(view.lines, (l) => wanted.has(fold(l)), () => false);
  return pairs.find((p) => p.value)?.value ?? null;
}

/** One step of a traced extraction: which rule gave a field's value, or why it gave none. */
export interface TraceEntry {
  field: FieldName;
  source: 'parser' | 'label' | 'free-text';
  rule: string;
  raw: string | null;
  note?: ExtractNote;
}
/** Why a rule gave nothing, as a code: `parsers explain` says it in the company's language. */
export type ExtractNote = { code: 'no-html' } | { code: 'no-element'; css: string } | { code: 'own-id' } | { code: 'label' } | { code: 'nothing' };
/** Optional collector for `parsers explain`; extraction behaves the same with or without it. */
export type ExtractTrace = TraceEntry[];

/** An element's text with its line breaks (<br>, blocks): cheerio's text() runs "tardes.<br>Tengo" together. */
function elementText(el: { html(): string | null; text(): string }): string {
  const html = el.html();
  return html && /<(br|p|div|tr|li)\b/i.test(html) ? htmlToText(html).replace(/\t/g, ' ') : el.text();
}

/** Runs one config extractor; `note` hears why it found nothing (explain only). */
export function runExtractor(view: MailView, ex: Extractor, note?: (why: ExtractNote) => void): string | null {
  let value: string | null = null;
  if ('css' in ex) {
    const el = view.$?.(ex.css).first();
    if (note && !view.$) note({ code: 'no-html' });
    else if (note && !el?.length) note({ code: 'no-element', css: ex.css });
    if (el && el.length) value = ex.attr ? el.attr(ex.attr) ?? null : elementText(el);
  } else if ('label' in ex) {
    value = byLabel(view, Array.isArray(ex.label) ? ex.label : [ex.label]);
  } else if ('attribute' in ex) {
    const [name, ...rest] = ex.attribute.split('=');
    const wanted = rest.join('=');
    const $ = view.$;
    if ($) {
      const el = $(`[${name}]`).filter((_, e) => $(e).attr(name) === wanted).first();
      if (el.length) value = elementText(el) || el.attr('content') || el.attr('href')?.replace(/^(mailto|tel):/i, '') || null;
    }
  } else if ('meta' in ex) {
    const $ = view.$;
    if ($) {
      const el = $('meta').filter((_, e) => ($(e).attr('name') ?? $(e).attr('property') ?? '').toLowerCase() === ex.meta.toLowerCase()).first();
      value = el.attr('content') ?? null;
    }
  } else if ('regex' in ex) {
    const m = compilePattern(ex.regex, 'extract').exec(source(view, ex.in).slice(0, 200_000));
    if (m) value = m.groups?.value ?? m[1] ?? m[0];
  } else if ('header' in ex) {
    const key = ex.header.toLowerCase();
    const m = view.mail;
    if (key === 'reply-to' && ex.part !== 'value') value = ex.part === 'name' ? m.replyTo?.name ?? null : m.replyTo?.address ?? null;
    else if (key === 'from' && ex.part !== 'value') value = ex.part === 'name' ? m.from?.name ?? null : m.from?.address ?? null;
    else value = m.headers[key] ?? null;
  }
  if (value == null) return null;
  value = cleanSpaces(repairMojibake(value.replace(/\r\n?/g, '\n')).replace(/\n\s*/g, '\n'));
  if (ex.post) value = applyPost(value, ex.post);
  return value ? value : null;
}

// System and role mailboxes: never a person writing about a property.
const AUTOMATED = /^(no-?reply|do-?not-?reply|noresponder|no-?responder|notificaciones?|notifications?|mailer|bounce|alertas?|alerts?|notify|avisos?|leads?|contacto|info|comunica|newsletter|hola|hello|marketing|promo|promociones|ofertas|publicidad|ventas|sales|comercial|equipo|team)([.+_-]|@)/i;

function isAutomated(address: string): boolean {
  return AUTOMATED.test(address);
}

export { baseDomain } from './domain.ts';
const domainOf = baseDomain;

/** A value that can never be the client's `field`: the company's or portal's own, or a label. */
function refused(field: FieldName, value: string, own: OwnIdentifiers): boolean {
  if (isOwn(own, field, value)) return true;
  return (field === 'name' || field === 'firstName' || field === 'lastName') && isLabelText(value);
}

/** A national ID as printed, with thousands dots (RUT, DNI, CPF): a shape no phone is written in. */
export const ID_SHAPE = /(?<![\d.])\d{1,3}(?:\.\d{3}){2}(?:-[\dkK]{1,2})?(?![\d.])/g;

const COMPANY_CONTACT_LINE = /ll[aá]m(a|anos|enos)\b|cont[aá]ctanos|call us|atenci[oó]n (al cliente|telef)|mesa central|central telef|ligue|fale conosco|sac\b|soporte|horario|ayuda|help|centro de/i;

/** "De: Nombre <correo>" / "From: …" inside the body (not the forwarded-header block's portal). */
function senderLine(lines: string[]): { name: string; address: string } | null {
  for (const line of lines.slice(0, 200)) {
    const m = /^(?:de|from|remitente|nome)\s*:\s*"?([^"<>@]{0,80}?)"?\s*<\s*([\w.+-]+@[\w-]+(?:\.[\w-]+)+)\s*>/i.exec(line);
    if (m) return { name: m[1].trim(), address: m[2].toLowerCase() };
  }
  return null;
}

const CLOSING = /^(saludos|saludos cordiales|atentamente|cordialmente|muchas gracias|gracias|slds|un abrazo|quedo atent[oa]|att|atte|abra[cç]os|obrigad[oa]|regards|best regards|thanks)\b[^\n]{0,20}$/i;

/** The person's name on the line after a closing ("Saludos,\nClaudio Méndez"), or null. */
function signatureName(lines: string[]): string | null {
  for (let i = 0; i + 1 < lines.length && i < 200; i++) {
    if (CLOSING.test(lines[i].trim()) && looksLikePerson(lines[i + 1]) && !CLOSING.test(lines[i + 1])) return lines[i + 1].trim();
  }
  return null;
}

const NAME_BESIDE_PHONE = /(\p{Lu}[\p{L}'-]+(?: \p{Lu}[\p{L}'-]+){1,3})\s*[([]\s*\+?\d[\d ().-]{6,18}\d\s*[)\]]/u;

/** A display name that reads as a person's ("Camila Reyes"), not a system's ("Formulario Web"). */
function looksLikePerson(name: string | undefined): boolean {
  if (!name) return false;
  const words = name.trim().split(/\s+/);
  return words.length >= 2 && words.length <= 6 && words.every((w) => /^\p{L}[\p{L}'.-]*$/u.test(w)) && !/(formulario|form|web|notific|portal|no-?reply|ventas|contacto|info|sistema|leads?)/i.test(name);
}

/** The generic extraction: labels in three languages, then free-text fallbacks. */
function generic(view: MailView, country: Country, parsed: boolean, need: (f: FieldName) => boolean, own: OwnIdentifiers): { fields: Partial<ExtractedFields>; labels: number; projects: string[]; labelled: FieldName[] } {
  const fields: Partial<ExtractedFields> = {};
  const projects: string[] = [];
  const pairs = fieldPairs(view.lines);
  let labels = 0;
  let lastNameLabel = '';
  const phones: { label: string; value: string }[] = [];
  for (const p of pairs) {
    const field = fieldForLabel(p.label);
    if (!field || !p.value) continue;
    labels++;
    if (refused(field, p.value, own)) continue;
    if (field === 'phone') phones.push(p);
    if (field === 'project' && projects.length < 10) projects.push(cleanSpaces(p.value));
    if (!fields[field]) fields[field] = p.value;
    // "Apellido paterno" and "Apellido materno" (or "Primer/Segundo apellido") are one last name.
    else if (field === 'lastName' && p.label !== lastNameLabel && !fold(fields.lastName ?? '').includes(fold(p.value))) fields.lastName = `${fields.lastName} ${p.value}`;
    if (field === 'lastName' && !lastNameLabel) lastNameLabel = p.label;
  }
  // Several labelled phones (the client's and an office's): the one labelled as a mobile
  // ("Celular", "WhatsApp"), else one the numbering plan says is a mobile, else the first.
  if (phones.length > 1) {
    const rules = countryModule(country).phone;
    const byLabel = phones.find((p) => /\b(celular|cel|movil|mobile|whatsapp|wsp)\b/.test(fold(p.label)));
    const byPlan = phones.find((p) => findPhoneNumbersInText(p.value, rules.region).some((n) => n.number.getType() === 'MOBILE'));
    fields.phone = (byLabel ?? byPlan ?? phones[0]).value;
  }
  const labelled = Object.keys(fields) as FieldName[]; // before any free-text fallback fills more
  const mail = view.mail;
  const senderDomain = domainOf(mail.from?.address ?? '');
  const recipients = new Set(mail.to.map(domainOf));
  const ownMail = (a: string) => recipients.has(domainOf(a)) || isOwn(own, 'email', a);
  if (!fields.email && need('email')) {
    const reply = mail.replyTo?.address;
    const sender = senderLine(view.lines);
    if (reply && !isAutomated(reply) && domainOf(reply) !== senderDomain && !isOwn(own, 'email', reply)) {
      fields.email = reply;
      if (!fields.name && mail.replyTo?.name) fields.name = mail.replyTo.name;
    } else if (sender && !isAutomated(sender.address) && domainOf(sender.address) !== senderDomain && !ownMail(sender.address)) {
      // A form notification's "De: Nombre <correo>" line (Contact Form 7 and kin).
      fields.email = sender.address;
      if (!fields.name && sender.name) fields.name = sender.name;
    } else if (!parsed && mail.from?.address && !isAutomated(mail.from.address) && !ownMail(mail.from.address) && (labels === 0 || looksLikePerson(mail.from.name))) {
      // Someone writing to the company directly: the sender is the contact.
      fields.email = mail.from.address;
      if (!fields.name && mail.from.name && !mail.from.name.includes('@')) fields.name = mail.from.name;
      // No display name: the signature after "Saludos," names the writer.
      if (!fields.name) fields.name = signatureName(view.lines);
    } else {
      const found = beforeOtherListings(view.bodyText.slice(0, 50_000)).match(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g) ?? [];
      const candidate = found.find((a) => !isAutomated(a) && domainOf(a) !== senderDomain && !ownMail(a));
      if (candidate) fields.email = candidate;
    }
  }
  if (!fields.nationalId && need('nationalId')) {
    // The first ID in the text that is not the company's (its RUT in a signature comes first often).
    let text = beforeOtherListings(view.bodyText.slice(0, 100_000));
    for (let k = 0; k < 4; k++) {
      const id = findNationalIdInText(text, country);
      if (!id) break;
      if (!isOwn(own, 'nationalId', id.value)) { fields.nationalId = id.value; break; }
      text = text.split('\n').filter((l) => !isOwn(own, 'nationalId', findNationalIdInText(l, country)?.value)).join('\n');
    }
  }
  // A phone found only in free text is trusted when the mail carries some form data; in a portal's
  // account notice or report the only number is the portal's own.
  const formData = labels > 0 || (['name', 'email', 'nationalId'] as const).some((f) => fields[f] || !need(f));
  if (!fields.phone && need('phone') && (formData || !parsed)) {
    // Free-text phones: a mobile, not on a line that advertises the sender's own number.
    // IDs written with dot groups ("96.812.345-9", "35.908.214") are never phones: masked first.
    const text = linesBeforeOtherListings(view.lines).filter((l) => !COMPANY_CONTACT_LINE.test(l)).join('\n').slice(0, 20_000).replace(ID_SHAPE, (m) => ' '.repeat(m.length));
    const phone = countryModule(country).phone;
    const found = findPhoneNumbersInText(text, phone.region).find((p) => phone.isMobile(p.number) && !isOwn(own, 'phone', p.number.number));
    if (found) fields.phone = found.number.number;
  }
  // A chat notice names the person beside the number: "WhatsApp de Carlos Díaz (+56 9 5511 2233)".
  if (!fields.name && need('name') && fields.phone) {
    for (const line of view.lines.slice(0, 100)) {
      const m = NAME_BESIDE_PHONE.exec(line.slice(0, 500));
      if (m && looksLikePerson(m[1]) && !/inmobiliaria|constructora|oficina|sala de ventas|whatsapp/i.test(m[1])) {
        fields.name = m[1];
        // A name written beside its number is a person's form data, as a labelled pair is.
        labelled.push('name', 'phone');
        break;
      }
    }
  }
  return { fields, labels, projects, labelled };
}

/** Runs the parser's extractors, then lets the generic extraction fill what they missed (IDs and phones of `country`). */
export function extractFields(view: MailView, parser: LoadedParser | null, country: Country, deadline = Infinity, trace?: ExtractTrace, company: OwnIdentifiers = NO_OWN): Extraction {
  const own = mergeOwn(company, parser?.config.own);
  const fields = Object.fromEntries(FIELD_NAMES.map((f) => [f, null])) as ExtractedFields;
  const fromParser: FieldName[] = [];
  const checkTime = () => {
    if (performance.now() > deadline) throw new LimitExceeded('maxExtractMs', 'extraction took longer than limits.maxExtractMs');
  };
  for (const f of FIELD_NAMES) {
    for (const ex of parser?.config.fields[f] ?? []) {
      checkTime();
      let note: ExtractNote | undefined;
      const v = runExtractor(view, ex, trace && ((why) => { note = why; }));
      const refusal: ExtractNote | undefined = v && refused(f, v, own) ? { code: isOwn(own, f, v) ? 'own-id' : 'label' } : undefined;
      trace?.push({ field: f, source: 'parser', rule: JSON.stringify(ex), raw: v, note: refusal ?? (v ? undefined : note ?? { code: 'nothing' }) });
      if (refusal) continue;
      if (v) { fields[f] = v; fromParser.push(f); break; }
    }
  }
  const need = (f: FieldName) => !fields[f] && !parser?.config.noFallback.includes(f);
  const fallback = generic(view, country, parser !== null, need, own);
  checkTime();
  const fromFallback: FieldName[] = [];
  for (const f of FIELD_NAMES) {
    const v = fallback.fields[f];
    if (v && need(f)) {
      fields[f] = cleanSpaces(v);
      if (parser && parser.config.fields[f]) fromFallback.push(f);
      const labelled = fallback.labelled.includes(f);
      trace?.push({ field: f, source: labelled ? 'label' : 'free-text', rule: labelled ? 'etiqueta genérica' : 'texto libre', raw: fields[f] });
    }
  }
  if (!fields.name && (fields.firstName || fields.lastName)) fields.name = [fields.firstName, fields.lastName].filter(Boolean).join(' ');
  // "Nombre: Juan" + "Apellido: Pérez" is one name.
  else if (fields.name && fields.lastName && !fold(fields.name).includes(fold(fields.lastName))) fields.name = `${fields.name} ${fields.lastName}`;
  const projectCandidates = [...new Set([fields.project, ...fallback.projects].filter((p): p is string => Boolean(p)))];
  return { fields, projectCandidates, fromFallback, fromParser, labelsFound: fallback.labels, labelledFields: fallback.labelled };
}
