// Where a confirmed value sits in a sample, as extractors that read the same place in other
// emails of the layout: a label, a header, a class selector, stable text, the element's position.
import { runExtractor, type MailView } from '../pipeline/extract.ts';
import { splitLabelLine } from '../pipeline/labels.ts';
import type { ProjectIndex } from '../pipeline/project.ts';
import type { Country } from '../normalize/national-id.ts';
import { escape, PLACEHOLDER, plausible, sameValue, shortLabel, type LearnField } from './learn.ts';
import { patternProblem, type Extractor, type PostStep } from './schema.ts';


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
    const anchor = sameLine ? `${escape(before).replace(/ /g, '\\s+')}\\s*` : i > 0 && lines[i - 1] ? `${escape(lines[i - 1].slice(-40))}\\n` : '';
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

/** The first extractor that reads `value` on the first sample and a plausible value on every other. */
export function chooseLocator(views: MailView[], field: LearnField, value: string, country: Country, projects: ProjectIndex): Extractor | null {
  for (const ex of locatorCandidates(views[0], field, value, country, projects)) {
    if (!sameValue(field, runExtractor(views[0], ex), value, country, projects)) continue;
    if (views.slice(1).every((v) => plausible(field, runExtractor(v, ex), country))) return ex;
  }
  return null;
}

