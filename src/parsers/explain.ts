// `parsers explain`: what the product saw in one email and why each field came out as it did.
// Pure apart from CPU: the caller reads the file or the stored bytes.
import { parsePhoneNumberFromString, validatePhoneNumberLength } from 'libphonenumber-js/max';
import { countryModule } from '../countries/index.ts';
import { checkNationalId, type Country } from '../normalize/national-id.ts';
import { normalizeEmail } from '../normalize/email.ts';
import { normalizeName } from '../normalize/name.ts';
import { normalizePhone } from '../normalize/phone.ts';
import { chooseParser, ruleHits } from '../pipeline/choose-parser.ts';
import { classify } from '../pipeline/classify.ts';
import { extractFields, MailView, type ExtractTrace } from '../pipeline/extract.ts';
import { accountNoticeReason, notALeadReason, notAnEmail } from '../pipeline/ignore.ts';
import { parseMime } from '../pipeline/mime.ts';
import { PersonView, peopleIn } from '../pipeline/people.ts';
import { normalizeFields } from '../pipeline/normalize.ts';
import { findProjectIn, matchProject } from '../pipeline/project.ts';
import type { PipelineContext } from '../pipeline/index.ts';
import type { LoadedParser } from './load.ts';
import { FIELD_NAMES, type FieldName } from './patterns.ts';
import { recognizeCase, type CaseSignal } from '../pipeline/recognize-case.ts';
import { explainLang, explainWords, type ExplainWords } from './explain-words.ts';

export interface FieldExplanation {
  field: FieldName;
  /** 'parser' (the portal's own rule), 'label' (generic label), 'free-text' (fallback), or null: nothing found. */
  source: string | null;
  rule: string | null;
  raw: string | null;
  normalized: string | null;
  /** Why the raw value was refused, or why the parser's rules found nothing. */
  problems: string[];
  /** The parser's rules tried for this field, each with what it found. */
  tried: { rule: string; raw: string | null; note?: string }[];
}

export interface Explanation {
  from: string | null;
  subject: string;
  lines: string[];
  parser: string | null;
  /** Why the parser was chosen (its rules that held), or why none was. */
  parserReason: string[];
  country: Country;
  ignored: string | null;
  quality: string;
  problems: string[];
  fields: FieldExplanation[];
  /** Case or lead: what the text says (src/pipeline/recognize-case.ts) and why. */
  service: CaseSignal;
  /** A message carrying several people (a digest): each person's reading, by position; absent for one. */
  people?: PersonExplanation[];
}

/** One person of a message carrying several: their position, fields and quality (each becomes a lead). */
export interface PersonExplanation {
  part: number;
  lines: string[];
  quality: string;
  problems: string[];
  fields: FieldExplanation[];
}

/** The match rules of `p` that hold on this email (in `words`' language), or null when one of them fails. */
export function matchReasons(view: MailView, p: LoadedParser, words: ExplainWords = explainWords('es')): string[] | null {
  const hits = ruleHits(view, p);
  if (!hits) return null;
  const reasons: string[] = [];
  if (hits.sender !== undefined) reasons.push(words.sender(hits.sender));
  if (hits.subject) reasons.push(words.subject(p.config.match.subject!));
  if (hits.body !== undefined) reasons.push(words.body(hits.body));
  if (hits.headers) for (const [name, re] of p.headerRules) reasons.push(words.header(name, re.source));
  return reasons;
}

/** Why a phone is refused: the length libphonenumber expects, else an unallocated range. */
export function phoneReason(raw: string, country: Country, words: ExplainWords = explainWords(explainLang(country))): string {
  const region = countryModule(country).phone.region;
  const len = validatePhoneNumberLength(raw, region);
  if (len === 'TOO_SHORT') return words.phoneTooShort(raw, country);
  if (len === 'TOO_LONG') return words.phoneTooLong(raw, country);
  if (len === 'NOT_A_NUMBER' || len === 'INVALID_COUNTRY') return words.notAPhone(raw);
  const n = parsePhoneNumberFromString(raw, region);
  return words.phoneUnallocated(raw, n?.country ?? country);
}

function valueReason(field: FieldName, raw: string, country: Country, ctx: PipelineContext, words: ExplainWords): string | null {
  switch (field) {
    case 'nationalId': {
      const r = checkNationalId(raw, country);
      return r.reason ? `${r.reason} ("${raw}")` : null;
    }
    case 'email': return normalizeEmail(raw).email ? null : words.badEmail(raw);
    case 'phone': return normalizePhone(raw, country).e164 ? null : phoneReason(raw, country, words);
    case 'name': return normalizeName(raw).name ? null : words.badName(raw);
    case 'project': {
      const m = matchProject(raw, ctx.projects);
      return m.project ? null : words.unknownProject(raw, m.candidate ? { name: m.candidate, similarity: m.similarity } : null);
    }
    default: return null;
  }
}

/** Explains one raw email against the context's parsers (or the one named `parserId`). */
export async function explainEmail(raw: Buffer, ctx: PipelineContext, parserId?: string): Promise<Explanation> {
  const mail = await parseMime(raw, ctx.limits);
  const view = new MailView(mail);
  const ignored = notAnEmail(mail) ? 'not-an-email' : notALeadReason(mail) ?? accountNoticeReason(mail, view.bodyText);
  let parser: LoadedParser | null;
  const parserReason: string[] = [];
  // The company's language (a parser's own country only changes how IDs and phones are read).
  const words = explainWords(explainLang(ctx.country));
  if (parserId) {
    parser = ctx.parsers.find((p) => p.config.id === parserId) ?? null;
    if (!parser) throw new Error(`no hay un parser con id "${parserId}"`);
    parserReason.push(words.forced(matchReasons(view, parser, words)));
  } else {
    parser = chooseParser(view, ctx.parsers);
    if (parser) parserReason.push(...(matchReasons(view, parser, words) ?? []));
    else parserReason.push(words.noParser);
  }
  const country = parser?.config.country ?? ctx.country;
  const split = peopleIn(view, parser?.config.repeat?.css);
  const people = split?.map((person, part) => ({ part, lines: person.lines, ...explainFields(new PersonView(mail, person), parser, country, ctx, words) }));
  const first = people?.[0] ?? explainFields(view, parser, country, ctx, words);
  return {
    from: mail.from?.address ?? null,
    subject: mail.subject,
    lines: view.lines,
    parser: parser?.config.id ?? null,
    parserReason,
    country,
    ignored,
    quality: first.quality,
    problems: first.problems,
    fields: first.fields,
    service: recognizeCase({ subject: mail.subject, body: view.bodyText, parser: parser ? { id: parser.config.id, medium: parser.config.medium } : null }),
    ...(people ? { people } : {}),
  };
}

/** What the extraction reads in one view (the whole message, or one person's lines), traced. */
function explainFields(view: MailView, parser: LoadedParser | null, country: Country, ctx: PipelineContext, words: ExplainWords): Pick<Explanation, 'quality' | 'problems' | 'fields'> {
  const mail = view.mail;
  const trace: ExtractTrace = [];
  const extraction = extractFields(view, parser, country, Infinity, trace, ctx.company);
  const projectFallback = () => findProjectIn(mail.subject, ctx.projects) ?? findProjectIn(view.bodyText, ctx.projects);
  const normalized = normalizeFields(extraction.fields, country, ctx.projects, projectFallback, extraction.projectCandidates);
  const verdict = classify(normalized);
  const fields: FieldExplanation[] = FIELD_NAMES.map((field) => {
    const steps = trace.filter((t) => t.field === field);
    const tried = steps.filter((t) => t.source === 'parser').map((t) => ({ rule: t.rule, raw: t.raw, note: t.note && words.note(t.note) }));
    const won = steps.find((t) => t.raw) ?? null;
    const raw = extraction.fields[field];
    const problems: string[] = [];
    if (tried.length && !tried.some((t) => t.raw)) {
      const why = tried.map((t) => t.note).join('; ');
      // Shown on the page's "¿Por qué?" as they are: in the company's language, like the page.
      problems.push(words.ruleFoundNothing(field, why, won !== null));
    }
    const reason = raw ? valueReason(field, raw, country, ctx, words) : null;
    if (reason) problems.push(reason);
    const value = (normalized.fields as unknown as Record<string, string | null>)[field] ?? null;
    // Name parts merged into `name` are not traced as their own step.
    const source = won?.source ?? (raw ? 'combined' : null);
    return { field, source, rule: won?.rule ?? (raw ? words.combined : null), raw, normalized: value, problems, tried };
  });
  return { quality: verdict.quality, problems: verdict.problems, fields };
}

/** The explanation as text for a terminal. */
export function formatExplanation(e: Explanation): string {
  const out: string[] = [];
  out.push(`de: ${e.from ?? '-'}`, `asunto: ${e.subject}`, '', 'el texto que lee la extracción:');
  const width = String(e.lines.length).length;
  e.lines.forEach((l, i) => out.push(`  ${String(i + 1).padStart(width)} | ${l}`));
  out.push('', `parser: ${e.parser ?? '(ninguno)'} (país ${e.country})`);
  for (const r of e.parserReason) out.push(`  ${r}`);
  if (e.ignored) out.push(`ignorado por el pipeline: ${e.ignored}`);
  if (e.people) {
    out.push('', `personas: ${e.people.length} (un lead cada una, por posición)`);
    for (const p of e.people) {
      out.push('', `persona ${p.part} (líneas: ${p.lines.filter(Boolean).length}):`);
      pushFields(out, p.fields);
      out.push(`  calidad: ${p.quality}${p.problems.length ? ` (${p.problems.join(', ')})` : ''}`);
    }
  } else {
    out.push('', 'campos:');
    pushFields(out, e.fields);
    out.push('', `calidad: ${e.quality}${e.problems.length ? ` (${e.problems.join(', ')})` : ''}`);
  }
  const s = e.service;
  out.push('', `caso o lead: ${s.verdict === 'case' ? `un caso de postventa (${s.category})` : 'un lead de venta'}${s.unit ? `, unidad ${s.unit}` : ''}${s.caseNumber !== null ? `, nombra el caso ${s.caseNumber}` : ''}`);
  for (const line of s.evidence) out.push(`  ${line}`);
  out.push('  al guardar: una respuesta en el hilo de un caso se une a él; un buzón de servicio, o un cliente con minuta o desembolso que escribe por su cuenta, también abren un caso');
  return `${out.join('\n')}\n`;
}

/** Lead fields: found or not, where from, the raw value, what was tried and refused. */
function pushFields(out: string[], fields: FieldExplanation[]): void {
  for (const f of fields) {
    // The lead's own fields always show, found or not; name parts only when something was found.
    if (!f.raw && !f.tried.length && (f.field === 'firstName' || f.field === 'lastName')) continue;
    out.push(`  ${f.field}: ${f.normalized ?? '(ninguno)'}`);
    out.push(`    origen: ${f.source ?? 'nada'}${f.rule ? ` — ${f.rule}` : ''}`);
    if (f.raw !== null) out.push(`    texto: ${JSON.stringify(f.raw)}`);
    for (const t of f.tried) if (!t.raw) out.push(`    probado ${t.rule}: ${t.note ?? 'no encontró nada'}`);
    for (const p of f.problems) out.push(`    ! ${p}`);
  }
}
