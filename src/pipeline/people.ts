// Messages carrying several people (a portal's daily digest, a form's "3 nuevos contactos", a CSV
// or XLSX export with several rows): each person's lines, read as if each had come in its own email.
// Only sibling blocks split: a quoted or forwarded earlier message is history, never a second person.
import { fieldForLabel, fieldPairs, headerCells, isFieldLabel } from './labels.ts';
import type { ParsedEmail } from './mime.ts';
import { htmlBeforeQuote, quoteStart } from './reply.ts';
import { repairMojibake } from '../normalize/mojibake.ts';
import { htmlToText, fold, textLines } from './text.ts';
import { MailView } from './view.ts';

/** At most this many people from one message (a bound on the work one email can cause). */
export const MAX_PEOPLE = 200;

const FORWARD_MARKER = /^\s*(-{2,}\s*(forwarded message|mensaje reenviado|mensagem encaminhada|mensaje original|original message|mensagem original)|begin forwarded message|inicio del mensaje reenviado)/im;
const CONTACT = new Set(['email', 'phone', 'nationalId']);

/** The message quotes or forwards an earlier one: its labels are history, so it never splits. */
function carriesHistory(mail: ParsedEmail, isReply: boolean): boolean {
  if (isReply) return true;
  if (mail.attached.some((a) => a.kind === 'message')) return true;
  const text = mail.text ?? '';
  // A rule of underscores alone separates a digest's people; a quoted message has more (a header, an attribution).
  if (FORWARD_MARKER.test(text) || quoteStart(text.split(/\r?\n/).filter((l) => !/^\s*_{8,}\s*$/.test(l))) >= 0) return true;
  const html = mail.html ?? '';
  return html.length > 0 && (htmlBeforeQuote(html).length < html.length || FORWARD_MARKER.test(html.replace(/<[^<>]*>/g, '\n')));
}

/** What identifies a person in a block: its emails, phones (last 8 digits) and IDs. */
function contactKeys(lines: string[]): string[] {
  const keys: string[] = [];
  for (const p of fieldPairs(lines)) {
    const f = fieldForLabel(p.label);
    if (!f || !CONTACT.has(f) || !p.value) continue;
    const v = f === 'email' ? p.value.trim().toLowerCase() : p.value.replace(/[^\dkK]/g, '').slice(-8).toLowerCase();
    if (v.length >= 5) keys.push(`${f}:${v}`);
  }
  return keys;
}

/** Table rows under one header row (an HTML table or a CSV/XLSX export): one block per row. */
function tableBlocks(lines: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    const headers = headerCells(lines[i], isFieldLabel);
    if (!headers) continue;
    let j = i + 1;
    while (j < lines.length && lines[j].includes('\t') && !headerCells(lines[j], isFieldLabel)) {
      out.push([lines[i], lines[j]]);
      j++;
    }
    i = j - 1;
  }
  return out;
}

/**
 * Repeated label blocks: the first repeated label opens a person; the same label again opens the next.
 * Lines before the first block (an intro naming the project) are shared by every person.
 */
function labelBlocks(lines: string[]): { intro: string[]; blocks: string[][] } {
  const pairs = fieldPairs(lines).filter((p) => !lines[p.line].includes('\t') || !headerCells(lines[p.line], isFieldLabel));
  if (pairs.length < 4) return { intro: lines, blocks: [] };
  // The opener: the first label that comes again (an intro's "Proyecto" comes once).
  const count = new Map<string, number>();
  for (const p of pairs) count.set(fold(p.label), (count.get(fold(p.label)) ?? 0) + 1);
  const first = pairs.find((p) => (count.get(fold(p.label)) ?? 0) >= 2);
  if (!first) return { intro: lines, blocks: [] };
  const opener = fold(first.label);
  const starts = pairs.filter((p) => fold(p.label) === opener).map((p) => p.line);
  if (starts.length < 2) return { intro: lines, blocks: [] };
  const blocks = starts.map((s, k) => lines.slice(s, k + 1 < starts.length ? starts[k + 1] : lines.length));
  // Siblings share their shape: each block's labels mostly the first one's (a company's block
  // "RUT, Teléfono" above the client's form is not a second person).
  const shape = (start: number, end: number) => new Set(pairs.filter((p) => p.line >= start && p.line < end).map((p) => fold(p.label)));
  const shapes = starts.map((s, k) => shape(s, k + 1 < starts.length ? starts[k + 1] : lines.length));
  const alike = (a: Set<string>, b: Set<string>) => [...a].filter((x) => b.has(x)).length / new Set([...a, ...b]).size >= 0.6;
  if (!shapes.every((s) => alike(s, shapes[0]))) return { intro: lines, blocks: [] };
  return { intro: lines.slice(0, starts[0]), blocks };
}

/** A block's contact without labels (a parser's `repeat:` element): its addresses and long numbers. */
function freeKeys(lines: string[]): string[] {
  const text = lines.join('\n').slice(0, 20_000);
  const emails = (text.match(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g) ?? []).map((e) => `email:${e.toLowerCase()}`);
  const numbers = (text.match(/\+?\d[\d .()-]{6,20}\d/g) ?? []).map((n) => n.replace(/\D/g, '')).filter((n) => n.length >= 8).map((n) => `number:${n.slice(-8)}`);
  return [...emails, ...numbers];
}

/** Keeps one block per person: the HTML and text parts repeat each other; a block without contact is none. */
function distinct(blocks: string[][], keysOf: (lines: string[]) => string[] = contactKeys): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const b of blocks) {
    const keys = keysOf(b);
    if (!keys.length) return []; // a block with no contact of its own: not a list of people
    if (keys.some((k) => seen.has(k))) continue;
    for (const k of keys) seen.add(k);
    out.push(b);
  }
  return out;
}

/** One person of a message carrying several: their lines, and their HTML for a parser's `repeat:`. */
export interface Person {
  lines: string[];
  html: string | null;
}

/** The elements a parser's `repeat: {css}` names, each one person's HTML and lines. */
function repeatedElements(view: MailView, css: string): Person[] {
  const $ = view.$;
  if (!$) return [];
  return $(css)
    .toArray()
    .slice(0, MAX_PEOPLE * 2)
    .map((e) => {
      const html = $.html(e);
      return { html, lines: textLines(repairMojibake(htmlToText(html))) };
    });
}

/**
 * Each person when the message carries two or more, else null (one lead, as always). A parser's
 * `repeat:` selector first, then tables (a header row over value rows), then repeated label blocks.
 */
export function peopleIn(view: MailView, repeatCss?: string): Person[] | null {
  if (carriesHistory(view.mail, view.isReply)) return null;
  if (repeatCss) {
    const elements = repeatedElements(view, repeatCss);
    const kept = new Set(distinct(elements.map((p) => p.lines), freeKeys));
    const people = elements.filter((p) => kept.has(p.lines));
    if (people.length >= 2) return people.slice(0, MAX_PEOPLE);
  }
  const lines = peopleLines(view);
  return lines ? lines.map((l) => ({ lines: l, html: null })) : null;
}

/** Each person's lines found without a parser's help (tables, repeated label blocks), or null. */
function peopleLines(view: MailView): string[][] | null {
  const lines = view.lines;
  const rows = distinct(tableBlocks(lines));
  if (rows.length >= 2) return rows.slice(0, MAX_PEOPLE);
  const { intro, blocks } = labelBlocks(lines);
  const people = distinct(blocks);
  if (people.length < 2) return null;
  // The intro is read before each person (a project named once for all); its own labels never repeat.
  return people.slice(0, MAX_PEOPLE).map((b) => [...intro, '', ...b]);
}

/** One person's view: the message's headers, only that person's lines (and HTML, for `repeat:`), no sender fallback. */
export class PersonView extends MailView {
  private readonly own: string[];
  constructor(mail: ParsedEmail, person: Person) {
    super({ ...mail, html: person.html, text: person.lines.join('\n'), replyTo: null, from: null, attached: [] });
    this.own = person.lines;
  }

  override get lines(): string[] {
    return this.own;
  }
}
