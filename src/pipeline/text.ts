import { decodeHTML } from 'entities';

/**
 * A pure function of a short string, remembered: extraction asks the same lines and labels the
 * same questions several times per email, and templates repeat across emails. Longer strings are
 * computed each time; the table is bounded (each worker thread keeps its own) and small: a key
 * cut from an email's text can keep that whole text alive (at 20,000 keys the worker's live heap
 * grew from 17 to 40 MB over a 10,000-email backlog; at 2,000 it stays at 19 MB).
 */
export function remembered<R>(f: (s: string) => R, maxLength = 200): (s: string) => R {
  const seen = new Map<string, R>();
  return (s) => {
    if (s.length > maxLength) return f(s);
    const hit = seen.get(s);
    if (hit !== undefined || seen.has(s)) return hit as R;
    if (seen.size >= 2_000) seen.clear();
    const r = f(s);
    seen.set(s, r);
    return r;
  };
}

/** Lower case, no accents, punctuation as spaces, single spaces: the form labels and names are compared in. */
export const fold = remembered(foldOf);

function foldOf(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9ñ]+/g, ' ')
    .trim();
}

/** Text matched literally in a regular expression. */
export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Non-breaking and other exotic spaces become plain spaces; runs collapse. */
const EXOTIC_SPACE = /[\u00a0\u2000-\u200a\u202f\u205f\u3000\u00ad\u200b-\u200d\u2060\ufeff]/;
const EXOTIC_SPACES = /[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g;
// Zero-width characters and soft hyphens split a word without showing ("Mi\u00adranda",
// "ana\u200b@correo.cl"): removed, never turned into a space.
const INVISIBLE = /[\u00ad\u200b-\u200d\u2060\ufeff]/g;

export function cleanSpaces(s: string): string {
  // Most cells are already clean: test before replacing (this runs on every line of every email).
  if (EXOTIC_SPACE.test(s)) s = s.replace(INVISIBLE, '').replace(EXOTIC_SPACES, ' ');
  if (/\t| {2}/.test(s)) s = s.replace(/[ \t]+/g, ' ');
  return s.trim();
}

// Tag patterns use [^<>]*, never [^>]*: a '<' with no '>' after it must not make every later '<'
// scan to the end of the text (quadratic: 4 s for 100 KB of '<' before this was fixed).
const TAG = /<[^<>]*>/g;
const CELL_CLOSE = /^<\/t[dh]\s*>$/i;
const CELL_OPEN = /^<t[dh]\b/i;
const P_OPEN = /^<p\b/i;
const P_CLOSE = /^<\/p\s*>$/i;
const PARAGRAPH = /^(<\/(p|table|dl|ul|ol|h[1-6]|blockquote|pre|section|article)\s*>|<(hr|table)\b)/i;
const LINE = /^(<\/(div|tr|li|dt|dd|dl|tbody|thead|header|footer|center)\s*>|<br\b|<(p|div|tr|li|dt|dd|h[1-6])\b)/i;
const CELL_CLOSE_AHEAD = /\s*<\/t[dh]\s*>/iy;
const SPACES = /\s*/y;
/** Only whitespace (as \s reads it: NBSP and the wide spaces too) between `from` and `to`. */
const blank = (s: string, from: number, to: number) => {
  SPACES.lastIndex = from;
  SPACES.test(s);
  return SPACES.lastIndex >= to;
};

/**
 * Every tag in one pass: a cell's end is a tab, a paragraph's a marked blank line, a line's a line
 * break, any other tag nothing. Word and Outlook wrap every cell's content in <p class=MsoNormal>:
 * a <p> right inside a cell and a </p> right before its end are dropped, so a cell is still one cell.
 */
function tagsToBreaks(body: string): string {
  let cellOpenedAt = -1; // where the last tag ended, when it opened a cell
  const out = body.replace(TAG, (tag: string, at: number) => {
    const afterCell = cellOpenedAt >= 0 && blank(body, cellOpenedAt, at);
    cellOpenedAt = CELL_OPEN.test(tag) ? at + tag.length : -1;
    if (CELL_CLOSE.test(tag)) return '\t';
    if (afterCell && P_OPEN.test(tag)) return '';
    if (P_CLOSE.test(tag)) {
      CELL_CLOSE_AHEAD.lastIndex = at + tag.length;
      if (CELL_CLOSE_AHEAD.test(body)) return '';
    }
    if (PARAGRAPH.test(tag)) return '\n\u0001\n';
    if (LINE.test(tag)) return '\n';
    return '';
  });
  // Broken markup ("<b<br>>") leaves a tag made of the pieces around a replaced one.
  return out.includes('<') ? out.replace(TAG, '') : out;
}

/**
 * Removes `open ... close` spans in one linear pass; an unclosed span removes the rest. `close` is
 * searched case-insensitively in place (a lower-cased copy of the whole HTML was most of this work).
 */
function cutSpans(s: string, open: RegExp, closeFor: (m: RegExpExecArray) => RegExp): string {
  let out = '';
  let at = 0;
  open.lastIndex = 0;
  for (let m = open.exec(s); m; m = open.exec(s)) {
    out += `${s.slice(at, m.index)} `;
    const close = closeFor(m);
    close.lastIndex = m.index + m[0].length;
    const end = close.exec(s)?.index ?? -1;
    if (end < 0) return out;
    const gt = s.indexOf('>', end); // the close tag's own end ("</script >")
    at = gt < 0 ? s.length : gt + 1;
    open.lastIndex = at;
  }
  return out + s.slice(at);
}

const COMMENT_END = /-->/g;
const HIDDEN_END: Record<string, RegExp> = { script: /<\/script/gi, style: /<\/style/gi, head: /<\/head/gi, title: /<\/title/gi };

/**
 * HTML to text that keeps the structure label lookup needs: a table row or block per line, cells
 * separated by tabs. Regex based (no DOM) so it is cheap; every pattern is linear in the input.
 */
export function htmlToText(html: string): string {
  const noComments = cutSpans(html, /<!--/g, () => COMMENT_END);
  const noScripts = cutSpans(noComments, /<(script|style|head|title)\b[^<>]*>/gi, (m) => HIDDEN_END[m[1].toLowerCase()]);
  const body = tagsToBreaks(noScripts.replace(/[\r\n]+/g, ' '));
  // Empty lines from adjacent block tags go; a paragraph mark becomes one blank line.
  const lines = decodeHTML(body)
    .split('\n')
    .map((line) => line.split('\t').map(cleanSpaces).filter(Boolean).join('\t'))
    .filter(Boolean);
  return lines
    .join('\n')
    .replace(/(\n?\u0001\n?)+/g, '\n\n')
    .trim();
}

// RFC 2047 encoded words pasted into a body (a forwarded header block: "De: =?UTF-8?B?THVjw61h?=").
const ENCODED_WORD = /=\?[\w.-]{1,40}\?[bBqQ]\?[^?\s]{1,500}\?=/;
const ENCODED_WORDS = /=\?[\w.-]{1,40}\?[bBqQ]\?[^?\s]{1,500}\?=(?:\s+(?==\?))?/g;

function decodeWords(line: string): string {
  if (!ENCODED_WORD.test(line)) return line;
  return line.replace(ENCODED_WORDS, (w) => {
    const m = /^=\?([\w.-]+?)(?:\*[\w-]+)?\?([bBqQ])\?([^?\s]*)\?=/.exec(w.trim());
    if (!m) return w;
    try {
      const bytes = /b/i.test(m[2])
        ? Buffer.from(m[3], 'base64')
        : Buffer.from(m[3].replace(/_/g, ' ').replace(/=([0-9a-fA-F]{2})/g, (_h, x: string) => String.fromCharCode(parseInt(x, 16))), 'latin1');
      return new TextDecoder(m[1].toLowerCase(), { fatal: false }).decode(bytes);
    } catch {
      return w; // an unknown charset: leave the word as written
    }
  });
}

// Addresses written against harvesters: "ana[at]correo[dot]cl", "ana (arroba) correo (punto) cl".
const OBFUSCATED_AT = /([\w.+-])\s*[[({]\s*(?:at|arroba)\s*[\])}]\s*(?=[\w-])/gi;
const OBFUSCATED_DOT = /(@[\w.-]*[\w-])\s*[[({]\s*(?:dot|punto)\s*[\])}]\s*(?=[\w-])/gi;

function deobfuscate(line: string): string {
  if (!/[[({]\s*(?:at|arroba)\s*[\])}]/i.test(line)) return line;
  let out = line.replace(OBFUSCATED_AT, '$1@');
  // Each pass joins one "[dot]" after the domain so far ("correo[dot]com[dot]ar" takes two).
  for (let i = 0; i < 4 && OBFUSCATED_DOT.test(out); i++) out = out.replace(OBFUSCATED_DOT, '$1.');
  return out;
}

// A dot leader between a label and its value ("Nombre y apellido ........ Lucía Ferreyra",
// "D.N.I. ....... 35.908.214"): read as a column break. Five dots at least, so "Hola... quiero" stays.
const DOT_LEADER = /(\S)[ \t]*(?:\.[ \t]?){5,}[ \t]*(?=\S)|(\S)[ \t]*[…]{2,}[ \t]*(?=\S)/g;

/** One line's fixes before it is split in cells: encoded words, obfuscated addresses, dot leaders. */
function repairLine(line: string): string {
  let out = decodeWords(line);
  out = deobfuscate(out);
  if (out.includes('....') || out.includes('……')) out = out.replace(DOT_LEADER, (_m, a?: string, b?: string) => `${a ?? b}\t`);
  return out;
}

/**
 * Lines of a text body, quoted-reply markers removed so forwarded and replied forms read like the
 * original. Runs of blank lines become one '' (a paragraph break).
 */
export function textLines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = repairLine(raw.replace(/^(\s*>)+\s?/, ''))
      // Columns aligned with spaces ("Nombre        Ana Soto") separate like tabs.
      .replace(/(\S) {3,}(?=\S)/g, '$1\t')
      .split('\t')
      .map(cleanSpaces)
      .filter(Boolean)
      .join('\t');
    if (line || (out.length && out[out.length - 1] !== '')) out.push(line);
  }
  return out;
}
