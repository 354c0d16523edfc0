// `parsers learn`: from sample emails and the values an admin confirms, a parser config whose
// extractors lean on the layout (labels, classes, stable text), never on the sample's own values.
// Pure: the CLI reads the samples and writes the files.
import { findPhoneNumbersInText } from 'libphonenumber-js/max';
import { COUNTRY_CODES, countryModule } from '../countries/index.ts';
import { checkNationalId, type Country } from '../normalize/national-id.ts';
import { normalizeEmail } from '../normalize/email.ts';
import { normalizeName } from '../normalize/name.ts';
import { normalizePhone, phoneSearchForms } from '../normalize/phone.ts';
import { forwardedSenders } from '../pipeline/choose-parser.ts';
import { baseDomain, type MailView } from '../pipeline/extract.ts';
import { fieldForLabel, headerCells, isFieldLabel, isLabelText, rowValues, splitLabelLine } from '../pipeline/labels.ts';
import { isOwn, NO_OWN, type OwnIdentifiers } from '../pipeline/own.ts';
import { findProjectIn, matchProject, type ProjectIndex } from '../pipeline/project.ts';
import { escapeRegExp, fold } from '../pipeline/text.ts';
import { compilePattern, patternProblem } from './patterns.ts';
import type { Extractor, PostStep } from './schema.ts';

export const LEARN_FIELDS = ['name', 'nationalId', 'email', 'phone', 'project', 'message'] as const;
export type LearnField = (typeof LEARN_FIELDS)[number];

export interface Candidate {
  value: string;
  /** The label beside it in the sample, when there is one. */
  label: string | null;
  line: number;
  /** What the value reads as: a valid ID, an email, a phone, a configured project, a name, a message. */
  types: LearnField[];
}

/** Placeholders portals print for an empty field ("No informado"): read as missing. */
export const PLACEHOLDER: PostStep = { replace: ['^(?:no informad[oa]|sin informaci[oó]n|no especificad[oa]|no indica|n/?a|-+)$', ''] };
const FREE_MAIL = /^(gmail|googlemail|hotmail|outlook|live|yahoo|icloud|me|aol|proton|protonmail|msn)\./;

/** What a value reads as, in `country` and against the configured projects. */
export function typesOf(value: string, country: Country, projects: ProjectIndex): LearnField[] {
  const v = value.trim();
  const out: LearnField[] = [];
  if (!v || v.length > 2000) return out;
  if (/^\S+@\S+\.\S+$/.test(v) && normalizeEmail(v).email) out.push('email');
  if (v.length <= 30 && /\d/.test(v) && checkNationalId(v, country).id) out.push('nationalId');
  // A bare 9-digit number may be an ID or a mobile: offered as both, the admin picks.
  // An ID printed with its dots and check digit ("76.543.210-3") is never a phone.
  const idShape = /^\d{1,3}(?:\.\d{3}){2}(?:-[\dkK]{1,2})?$/.test(v);
  if (v.length <= 30 && !idShape && (v.match(/\d/g)?.length ?? 0) >= 8 && normalizePhone(v, country).e164) out.push('phone');
  if (v.length <= 120 && matchProject(v, projects).project) out.push('project');
  const words = v.split(/\s+/).length;
  if (!out.length && words >= 2 && words <= 6 && v.length <= 60 && !/\d/.test(v) && normalizeName(v).name) out.push('name');
  if (!out.includes('email') && v.length >= 20 && words >= 4) out.push('message');
  return out;
}

export const shortLabel = (l: string) => l.length > 0 && l.length <= 40 && l.split(/\s+/).length <= 5 && !/\d{3}|@/.test(l);

/** Every value in the sample worth offering, labelled ones first, then values found in free text. */
export function findCandidates(view: MailView, country: Country, projects: ProjectIndex, own: OwnIdentifiers = NO_OWN): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const add = (value: string, label: string | null, line: number) => {
    const v = value.trim();
    const key = fold(v);
    // A table's header row or a whole value row is no one value.
    if (!v || seen.has(key) || PLACEHOLDER_RE.test(v) || v.includes('\t') || isLabelText(v)) return;
    seen.add(key);
    // The company's own phone, RUT or address is never offered as the client's.
    const types = typesOf(v, country, projects).filter((t) => !isOwn(own, t, v));
    if (types.length === 0 && ['phone', 'nationalId', 'email'].some((t) => isOwn(own, t, v))) return;
    out.push({ value: v, label, line, types });
  };
  const lines = view.lines;
  for (let i = 0; i < lines.length && i < 400; i++) {
    const line = lines[i];
    // A table: each column's header is the label of the value under it.
    const headers = headerCells(line, isFieldLabel);
    if (headers && lines[i + 1]?.includes('\t')) {
      for (const [h, v] of rowValues(headers, lines[i + 1].split('\t').map((c) => c.trim()))) add(v, h, i + 1);
      i++;
      continue;
    }
    const split = splitLabelLine(line);
    if (split && shortLabel(split.label) && split.value) add(split.value, split.label, i);
    else {
      // A label alone in its cell: "Nombre" then "Camila Rojas" on the next line.
      const bare = line.replace(/[:*]+$/, '').trim();
      const next = lines[i + 1];
      if (next && shortLabel(bare) && bare.split(/\s+/).length <= 4 && !splitLabelLine(next) && (line.endsWith(':') || fieldForLabel(bare) || typesOf(next, country, projects).some((t) => t !== 'name' && t !== 'message'))) add(next, bare, i + 1);
    }
  }
  // Unlabelled paragraphs: the client's own words are often not labelled at all.
  let paragraphs = 0;
  for (let i = 0; i < lines.length && i < 400 && paragraphs < 5; i++) {
    const l = lines[i];
    if (l.length < 20 || splitLabelLine(l) || /https?:|@|\d{4}/.test(l) || l.split(/\s+/).length < 5) continue;
    add(l, null, i);
    paragraphs++;
  }
  const text = view.fullText.slice(0, 50_000);
  for (const m of text.match(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g) ?? []) add(m, null, -1);
  for (const m of text.match(/\b\d{1,3}(?:\.?\d{3}){2}-?[\dkK]\b|\b\d{8,11}\b/g) ?? []) if (checkNationalId(m, country).id) add(m, null, -1);
  for (const p of findPhoneNumbersInText(text, countryModule(country).phone.region)) add(text.slice(p.startsAt, p.endsAt), null, -1);
  const project = findProjectIn(`${view.mail.subject}\n${text}`, projects);
  if (project) add(project, null, -1);
  return out;
}
const PLACEHOLDER_RE = new RegExp((PLACEHOLDER as { replace: [string, string] }).replace[0], 'iu');

/** The candidate most likely to be each field: labelled and of the right type first. */
export function bestGuesses(cands: Candidate[]): Partial<Record<LearnField, Candidate>> {
  const out: Partial<Record<LearnField, Candidate>> = {};
  for (const f of LEARN_FIELDS) {
    const byLabel = (c: Candidate) => c.label !== null && fieldForLabel(c.label) === f;
    out[f] = cands.find((c) => byLabel(c) && (c.types.includes(f) || f === 'name' || f === 'message'))
      ?? cands.find((c) => c.types.includes(f) && (f !== 'name' || c.label !== null) && !Object.values(out).includes(c));
  }
  return out;
}

/** Whether two texts mean the same value of `field` (an ID or phone in any writing). */
export function sameValue(field: LearnField, a: string | null, b: string | null, country: Country, projects: ProjectIndex): boolean {
  if (!a || !b) return false;
  const norm = (s: string): string => {
    switch (field) {
      case 'nationalId': return checkNationalId(s, country).id?.value ?? fold(s);
      case 'phone': return normalizePhone(s, country).e164 ?? s.replace(/\D/g, '');
      case 'email': return normalizeEmail(s).email ?? s.toLowerCase().trim();
      case 'project': return matchProject(s, projects).project ?? fold(s);
      case 'name': return fold(normalizeName(s).name?.full ?? s);
      default: return fold(s).split('\n')[0];
    }
  };
  // A phone may read several ways (Argentina's 15 and 9): any reading of one that is the other.
  if (field === 'phone') {
    const [ra, rb] = [phoneSearchForms(a, country), phoneSearchForms(b, country)];
    if (ra.some((r) => rb.includes(r))) return true;
  }
  const [x, y] = [norm(a), norm(b)];
  return field === 'message' ? x.startsWith(y.slice(0, 60)) || y.startsWith(x.slice(0, 60)) : x === y;
}

/** Whether a value found on another sample reads as a valid value of `field`. */
export function plausible(field: LearnField, v: string | null, country: Country): boolean {
  if (!v) return true; // an empty field on another sample is allowed (the lead left it blank)
  switch (field) {
    case 'nationalId': return checkNationalId(v, country).id !== null;
    case 'phone': return normalizePhone(v, country).e164 !== null;
    case 'email': return normalizeEmail(v).email !== null;
    case 'name': return normalizeName(v).name !== null && !v.includes('@');
    default: return v.length <= 2000;
  }
}

/** The country whose rules read the confirmed ID and phone: the sender's TLD first, then the company's. */
export function guessCountry(views: MailView[], confirmed: Partial<Record<LearnField, string | null>>, fallback: Country): Country {
  const tld = (views[0].mail.from?.address ?? '').split('.').pop()?.toUpperCase() ?? '';
  // A phone confirmed in international form names its country by its calling code.
  const digits = confirmed.phone?.trim().startsWith('+') ? confirmed.phone.replace(/\D/g, '') : '';
  const byCode = COUNTRY_CODES.find((c) => digits && digits.startsWith(countryModule(c).phone.callingCode));
  const byTld = COUNTRY_CODES.find((c) => c === tld);
  const order = [...new Set([byCode, byTld, fallback, ...COUNTRY_CODES].filter(Boolean))] as Country[];
  const fits = (c: Country) => (!confirmed.nationalId || checkNationalId(confirmed.nationalId, c).id) && (!confirmed.phone || normalizePhone(confirmed.phone, c).e164);
  return order.find(fits) ?? fallback;
}

/** Match rules: the sender's domain, and the subject's words every sample shares when there are several. */
export function matchRules(views: MailView[], values: string[]): { from?: string[]; subject?: string; body?: string } {
  // A sample forwarded by a person: the portal is the original sender inside the forward.
  const own = views[0].mail.from?.address ?? '';
  const inner = FREE_MAIL.test(baseDomain(own)) ? forwardedSenders(views[0].lines).find((s) => !FREE_MAIL.test(baseDomain(s))) : undefined;
  const address = inner ?? own;
  const domain = address ? baseDomain(address) : '';
  const rules: { from?: string[]; subject?: string; body?: string } = {};
  const personal = FREE_MAIL.test(domain);
  if (domain && !personal) rules.from = [domain];
  else if (address) rules.from = [address.toLowerCase()];
  const words = views.map((v) => v.mail.subject.split(/\s+/).filter(Boolean));
  const shared: string[] = [];
  for (let i = 0; i < words[0].length; i++) {
    const w = words[0][i];
    if (!words.every((ws) => fold(ws[i] ?? '') === fold(w)) || /\d/.test(w) || values.some((v) => fold(v).includes(fold(w)))) break;
    shared.push(w);
  }
  // A portal's own domain is enough, and a subject rule would drop its other kinds of notice;
  // a sender on a personal mailbox (a form relayed through Gmail) needs the shared words.
  if (shared.length >= 2 && personal) rules.subject = `^${escapeRegExp(shared.slice(0, 4).join(' ')).replace(/ /g, '\\s+')}`;
  if (patternProblem(rules.subject ?? 'x', 'test')) delete rules.subject;
  return rules;
}

/** Each generated regex timed on hostile input (long runs of spaces, letters, almost-matches). */
export function hostileTimes(fields: Record<string, unknown>): { pattern: string; ms: number }[] {
  const inputs = [' '.repeat(50_000), 'a'.repeat(50_000), `${'a: '.repeat(20_000)}\n`, '\t\n'.repeat(25_000)];
  const out: { pattern: string; ms: number }[] = [];
  for (const ex of Object.values(fields) as Extractor[]) {
    if (!('regex' in ex)) continue;
    const re = compilePattern(ex.regex, 'extract'); // the engine the pipeline runs it on
    const start = performance.now();
    for (const s of inputs) re.exec(s);
    out.push({ pattern: ex.regex, ms: performance.now() - start });
  }
  return out;
}
