import { decodeHTML } from 'entities';

/** Lower case, no accents, punctuation as spaces, single spaces: the form labels and names are compared in. */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9ñ]+/g, ' ')
    .trim();
}

/** Non-breaking and other exotic spaces become plain spaces; runs collapse. */
const EXOTIC_SPACE = /[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]/;
const EXOTIC_SPACES = /[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]/g;

export function cleanSpaces(s: string): string {
  // Most cells are already clean: test before replacing (this runs on every line of every email).
  if (EXOTIC_SPACE.test(s)) s = s.replace(EXOTIC_SPACES, ' ');
  if (/\t| {2}/.test(s)) s = s.replace(/[ \t]+/g, ' ');
  return s.trim();
}

// Tag patterns use [^<>]*, never [^>]*: a '<' with no '>' after it must not make every later '<'
// scan to the end of the text (quadratic: 4 s for 100 KB of '<' before this was fixed).
const PARAGRAPH = /<\/(p|table|dl|ul|ol|h[1-6]|blockquote|pre|section|article)\s*>|<(hr|table)\b[^<>]*>/gi;
const LINE = /<\/(div|tr|li|dt|dd|dl|tbody|thead|header|footer|center)\s*>|<br\b[^<>]*>|<(p|div|tr|li|dt|dd|h[1-6])\b[^<>]*>/gi;

/** Removes `open ... close` spans in one linear pass; an unclosed span removes the rest. */
function cutSpans(s: string, open: RegExp, closeFor: (m: RegExpExecArray) => string): string {
  let out = '';
  let at = 0;
  const lower = s.toLowerCase();
  open.lastIndex = 0;
  for (let m = open.exec(s); m; m = open.exec(s)) {
    out += `${s.slice(at, m.index)} `;
    const close = closeFor(m);
    const end = lower.indexOf(close, m.index + m[0].length);
    if (end < 0) return out;
    const gt = s.indexOf('>', end); // the close tag's own end ("</script >")
    at = gt < 0 ? s.length : gt + 1;
    open.lastIndex = at;
  }
  return out + s.slice(at);
}

/**
 * HTML to text that keeps the structure label lookup needs: a table row or block per line, cells
 * separated by tabs. Regex based (no DOM) so it is cheap; every pattern is linear in the input.
 */
export function htmlToText(html: string): string {
  const noComments = cutSpans(html, /<!--/g, () => '-->');
  const noScripts = cutSpans(noComments, /<(script|style|head|title)\b[^<>]*>/gi, (m) => `</${m[1].toLowerCase()}`);
  const body = noScripts
    .replace(/[\r\n]+/g, ' ')
    // Word and Outlook wrap every cell's content in <p class=MsoNormal>: a cell is still one cell.
    .replace(/(<t[dh]\b[^<>]*>)\s*<p\b[^<>]*>/gi, '$1')
    .replace(/<\/p\s*>\s*(<\/t[dh]\s*>)/gi, '$1')
    .replace(/<\/t[dh]\s*>/gi, '\t')
    .replace(PARAGRAPH, '\n\u0001\n')
    .replace(LINE, '\n')
    .replace(/<[^<>]*>/g, '');
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

/**
 * Lines of a text body, quoted-reply markers removed so forwarded and replied forms read like the
 * original. Runs of blank lines become one '' (a paragraph break).
 */
export function textLines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw
      .replace(/^(\s*>)+\s?/, '')
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
