// Where a confirmed value sits in a sample, as extractors that read the same place in other
// emails of the layout: a label, a header, a class selector, stable text, the element's position.
import { runExtractor, type MailView } from '../pipeline/extract.ts';
import { headerCells, isFieldLabel, isLabelText, rowValues, splitLabelLine } from '../pipeline/labels.ts';
import { escapeRegExp, fold } from '../pipeline/text.ts';
import type { ProjectIndex } from '../pipeline/project.ts';
import type { Country } from '../normalize/national-id.ts';
import { PLACEHOLDER, plausible, sameValue, shortLabel, type LearnField } from './learn.ts';
import { patternProblem } from './patterns.ts';
import type { Extractor, PostStep } from './schema.ts';


/** Extractors that could read `value` in the sample, most robust first. */
export function locatorCandidates(view: MailView, field: LearnField, value: string, country: Country, projects: ProjectIndex): Extractor[] {
  const out: Extractor[] = [];
  const same = (x: string | null) => sameValue(field, x, value, country, projects);
  const post = field === 'message' ? [PLACEHOLDER] : ['firstLine' as const, PLACEHOLDER];
  // 1. A label beside it (same line, same row, or the cell above).
  const lines = view.lines;
  for (let i = 0; i < lines.length && i < 400; i++) {
    const split = splitLabelLine(lines[i]);
    // "Parque Los Robles - Código 1000": the value, then a separator the template always writes.
    const sep = split && split.value.toLowerCase().startsWith(value.toLowerCase()) ? /^\s*([-–|·,(])/.exec(split.value.slice(value.length)) : null;
    if (split && sep && shortLabel(split.label)) out.push({ label: split.label, post: ['firstLine', { before: ` ${sep[1]}`.replace(' ,', ',') }, PLACEHOLDER] });
    if (split && shortLabel(split.label) && same(split.value)) out.push({ label: split.label, post });
    const bare = lines[i].replace(/[:*]+$/, '').trim();
    if (!split && i + 1 < lines.length && shortLabel(bare) && bare.split(/\s+/).length <= 4 && same(lines[i + 1])) out.push({ label: bare, post });
  }
  // 1b. A table: the column's header above the value ("Documento" over "15.432.876-9").
  for (let i = 0; i + 1 < lines.length && i < 400; i++) {
    const headers = headerCells(lines[i], isFieldLabel);
    if (!headers || !lines[i + 1].includes('\t')) continue;
    for (const [h, v] of rowValues(headers, lines[i + 1].split('\t').map((c) => c.trim()))) if (same(v)) out.push({ label: h, post });
  }
  // 2. The headers: a reply-to that is the client.
  const m = view.mail;
  if (field === 'email' && same(m.replyTo?.address ?? null)) out.push({ header: 'reply-to', part: 'address' });
  if (field === 'name' && same(m.replyTo?.name ?? null)) out.push({ header: 'reply-to', part: 'name' });
  if (field === 'email' && same(m.from?.address ?? null)) out.push({ header: 'from', part: 'address' });
  if (field === 'name' && same(m.from?.name ?? null)) out.push({ header: 'from', part: 'name' });
  // 3. The shortest class-based selector that finds the element holding the value.
  const $ = view.$;
  if ($) {
    $('[class], [id]').each((_, el) => {
      if (out.length > 12) return false;
      const node = $(el);
      if (!same(node.text().replace(/\s+/g, ' ').trim())) return;
      const tag = (el as { tagName?: string }).tagName ?? '';
      const classes = (node.attr('class') ?? '').split(/\s+/).filter((c) => /^[A-Za-z_][\w-]*$/.test(c));
      const sels = [...classes.map((c) => `${tag}.${c}`), ...(node.attr('id') && /^[A-Za-z][\w-]*$/.test(node.attr('id')!) ? [`#${node.attr('id')}`] : [])];
      const unique = sels.find((s) => $(s).length === 1);
      if (unique) out.push({ css: unique, post: [PLACEHOLDER] });
      return undefined;
    });
  }
  // <meta name="lead_name" content="…"> in the head: structure a sender keeps.
  $?.('meta[name][content]').each((_, el) => {
    const name = $(el).attr('name')!;
    if (same($(el).attr('content') ?? null) && /^[\w:.-]{1,60}$/.test(name)) out.push({ meta: name, post: [PLACEHOLDER] });
  });
  // 4. A regular expression anchored on the stable text before the value on its line, then
  // the element's place in the document, then a regex anchored on the line above.
  const regexes = anchoredRegexes(lines, field, value, country, projects);
  out.push(...regexes.filter((r) => r.sameLine).map((r) => r.ex));
  if ($) {
    $('body *').each((_, el) => {
      if (out.length > 20) return false;
      const node = $(el);
      if (node.children().length || !same(node.text().replace(/\s+/g, ' ').trim())) return;
      const sel = structuralSelector($, el);
      if (sel) out.push({ css: sel, post: [PLACEHOLDER] });
      return undefined;
    });
  }
  out.push(...regexes.filter((r) => !r.sameLine).map((r) => r.ex));
  // 5. The subject ("Nuevo contacto para Palermo Soho Lofts").
  for (const r of anchoredRegexes([m.subject], field, value, country, projects)) if (r.sameLine) out.push({ ...r.ex, in: 'subject' });
  return out;
}

type Cheerio$ = NonNullable<MailView['$']>;
type El = Parameters<Cheerio$>[0];

/** `table.lead > tr:nth-child(2) > td:nth-child(1)`: the path from the nearest classed ancestor. */
function structuralSelector($: Cheerio$, el: El): string | null {
  const parts: string[] = [];
  let node = $(el);
  for (let depth = 0; depth < 8 && node.length; depth++) {
    const e = node.get(0) as { tagName?: string } | undefined;
    const tag = e?.tagName;
    if (!tag || tag === 'html') break;
    const cls = (node.attr('class') ?? '').split(/\s+/).find((c) => /^[A-Za-z_][\w-]*$/.test(c));
    if (tag === 'body' || (cls && depth > 0)) {
      parts.unshift(tag === 'body' ? 'body' : `${tag}.${cls}`);
      break;
    }
    parts.unshift(`${tag}:nth-child(${node.index() + 1})`);
    node = node.parent();
  }
  const sel = parts.join(' > ');
  try {
    return parts.length > 1 && $(sel).length === 1 ? sel : null;
  } catch {
    return null;
  }
}

/** Regexes anchored on the words before the value (same line) or on the line above. */
function anchoredRegexes(lines: string[], field: LearnField, value: string, country: Country, projects: ProjectIndex): { ex: Extractor; sameLine: boolean }[] {
  const out: { ex: Extractor; sameLine: boolean }[] = [];
  for (let i = 0; i < lines.length && i < 400; i++) {
    const at = findIn(lines[i], field, value, country, projects);
    if (!at) continue;
    // Only the words after the last separator: what precedes them may be another field's value.
    const words = lines[i].slice(0, at.start).split(/[·|;,\t]/).pop()!.trim().split(/\s+/).filter(Boolean);
    let k = words.length;
    while (k > 0 && words.length - k < 3 && !/\d|@/.test(words[k - 1])) k--;
    const before = words.slice(k).join(' ');
    const after = lines[i].slice(at.end).trim();
    const sameLine = before !== '';
    const anchor = sameLine ? `${escapeRegExp(before).replace(/ /g, '\\s+')}\\s*` : i > 0 && lines[i - 1] ? `${escapeRegExp(lines[i - 1].slice(-40))}\\n` : '';
    if (!anchor || /\d{3}|@/.test(anchor)) continue;
    const regex = `${anchor}(?<value>\\S[^\\n]{0,199})`;
    if (patternProblem(regex)) continue;
    // The value ends where the template's next word starts ("… RUT 15.432.876-9": before " RUT").
    const stop = /^[\p{L}][\p{L}.:]*/u.exec(after)?.[0];
    const steps: PostStep[] = stop ? [{ before: ` ${stop}` }, PLACEHOLDER] : [PLACEHOLDER];
    out.push({ ex: { regex, in: 'body', post: steps }, sameLine });
  }
  return out;
}

/** Where the value is written on a line: its start and end, or null. */
function findIn(line: string, field: LearnField, value: string, country: Country, projects: ProjectIndex): { start: number; end: number } | null {
  const i = line.toLowerCase().indexOf(value.toLowerCase());
  if (i >= 0) return { start: i, end: i + value.length };
  if (field === 'phone' || field === 'nationalId') {
    for (const m of line.matchAll(/\+?[\d(][\d\s().kK-]{5,20}[\dkK]/g)) {
      if (sameValue(field, m[0], value, country, projects)) return { start: m.index!, end: m.index! + m[0].length };
    }
  }
  return null;
}

/** The texts a rule is keyed on: labels, selectors, patterns and its post steps' words. */
function ruleTexts(ex: Extractor): string[] {
  const out: string[] = [];
  const e = ex as Record<string, unknown>;
  for (const k of ['label', 'css', 'attr', 'attribute', 'meta', 'regex', 'header']) {
    const v = e[k];
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) out.push(...v.filter((x): x is string => typeof x === 'string'));
  }
  for (const step of (e.post as unknown[] | undefined) ?? []) {
    if (step && typeof step === 'object') for (const v of Object.values(step)) out.push(...(Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string'));
  }
  return out;
}

/**
 * Why a rule is keyed on a value instead of the layout ("it contains the sample's name …"), or null.
 * Words compare folded; IDs and phones by their digits (6 or more), however they are written.
 */
export function embeddedValue(ex: Extractor, values: Partial<Record<string, string | null>>): string | null {
  const texts = ruleTexts(ex);
  // A regex's escapes ("Mu\u00f1oz", "15\.432") and its spaces ("Camila\s+Rojas") would hide the value: read it unescaped, spaces as spaces.
  const folded = texts.map((t) => fold(t.replace(/\\s[+*?]?/g, ' ').replace(/\\(.)/g, '$1')).replace(/\s+/g, ' '));
  const digits = texts.map((t) => t.replace(/\D/g, ''));
  for (const [field, value] of Object.entries(values)) {
    if (!value) continue;
    const f = fold(value).replace(/\s+/g, ' ');
    const d = value.replace(/\D/g, '');
    const words = f.length >= 4 && (field !== 'message' || f.length <= 80);
    const hit = (words && folded.some((t) => t.includes(f))) || (d.length >= 6 && /^[\d\s.+()kK-]+$/.test(value.trim()) && digits.some((t) => t.includes(d)));
    if (hit) return `it contains the sample's ${field} ${JSON.stringify(value)}: a rule must read the layout, never a value`;
  }
  return null;
}

/** Whether a value read on another sample is that sample's own value of `field`, not text of the template. */
function ownValue(field: LearnField, v: string | null, firstValue: string, country: Country, projects: ProjectIndex): boolean {
  // Each sample is a lead of its own: its name, ID and email are there, and are not the first one's.
  if (!v) return field === 'phone' || field === 'project' || field === 'message';
  if (!plausible(field, v, country) || isLabelText(v)) return false;
  if ((field === 'name' || field === 'project') && (/@/.test(v) || (v.match(/\d/g)?.length ?? 0) >= 6 || v.includes('\t'))) return false;
  if ((field === 'name' || field === 'email' || field === 'nationalId') && sameValue(field, v, firstValue, country, projects)) return false;
  return true;
}

export interface LocatorChoice {
  ex: Extractor | null;
  /** Rules tried and refused, with the reason (said by `parsers learn`). */
  refused: string[];
}

/**
 * The first extractor that reads `value` on the first sample and each other sample's own value
 * there, and is not keyed on any sample's value (`values`: every confirmed value of the first).
 */
export function chooseLocator(views: MailView[], field: LearnField, value: string, country: Country, projects: ProjectIndex, values: Partial<Record<string, string | null>> = { [field]: value }): LocatorChoice {
  const refused: string[] = [];
  for (const ex of locatorCandidates(views[0], field, value, country, projects)) {
    if (!sameValue(field, runExtractor(views[0], ex), value, country, projects)) continue;
    const embedded = embeddedValue(ex, values);
    if (embedded) { refused.push(`${JSON.stringify(ex)}: ${embedded}`); continue; }
    const others = views.slice(1).map((v) => runExtractor(v, ex));
    const bad = others.findIndex((o) => !ownValue(field, o, value, country, projects));
    if (bad >= 0) { refused.push(`${JSON.stringify(ex)}: on sample ${bad + 2} it reads ${JSON.stringify(others[bad])}, not that sample's own ${field}`); continue; }
    // The other samples' values must not be in the rule either.
    const again = embeddedValue(ex, Object.fromEntries(others.map((o, k) => [`${field} (sample ${k + 2})`, o])));
    if (again) { refused.push(`${JSON.stringify(ex)}: ${again}`); continue; }
    return { ex, refused };
  }
  return { ex: null, refused };
}

