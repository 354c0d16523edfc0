/**
 * Bounds HTML before any DOM is built: CSS selectors over a deep tree cost elements × depth, so a
 * few MB of nested <div>s made one email take a minute. One linear pass over the tags: tags past
 * `maxDepth` are dropped (their text stays; a dropped block tag leaves a line break), and the
 * document is cut after `maxElements` elements.
 */

export interface HtmlBounds {
  maxDepth: number;
  maxElements: number;
}

export interface BoundedHtml {
  html: string;
  /** Set when tags were dropped or the document was cut. */
  changed: boolean;
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'basefont', 'bgsound', 'frame', 'keygen']);
const BLOCK = new Set(['div', 'p', 'table', 'tbody', 'thead', 'tfoot', 'tr', 'td', 'th', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'section', 'article', 'header', 'footer', 'blockquote', 'pre', 'center', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** Tags HTML closes implicitly when a sibling of the same kind opens (<li>a<li>b). */
const SELF_CLOSING_SIBLINGS: Record<string, string[]> = {
  p: ['p'], li: ['li'], option: ['option'], dt: ['dt', 'dd'], dd: ['dt', 'dd'], tr: ['tr', 'td', 'th'], td: ['td', 'th'], th: ['td', 'th'],
};
// Comments and raw-text elements are skipped whole so a '<div>' inside them is not counted.
const TOKEN = /<!--[\s\S]*?(?:-->|$)|<(script|style)\b[^<>]*>[\s\S]*?(?:<\/\1\s*>|$)|<(\/?)([a-zA-Z][\w:-]*)\b[^<>]*>/gi;

export function boundHtml(html: string, bounds: HtmlBounds): BoundedHtml {
  const stack: string[] = [];
  const open = new Map<string, number>();
  const push = (name: string) => {
    stack.push(name);
    open.set(name, (open.get(name) ?? 0) + 1);
  };
  const pop = () => {
    const name = stack.pop()!;
    open.set(name, open.get(name)! - 1);
  };
  let out = '';
  let at = 0;
  let elements = 0;
  let changed = false;
  let m: RegExpExecArray | null;
  TOKEN.lastIndex = 0;
  while ((m = TOKEN.exec(html))) {
    const [token, , slash, rawName] = m;
    if (!rawName) continue; // comment, script or style: kept as is
    const name = rawName.toLowerCase();
    if (!slash) {
      if (++elements > bounds.maxElements) {
        out += html.slice(at, m.index);
        return { html: out, changed: true };
      }
      if (VOID.has(name) || token.endsWith('/>')) continue;
      const siblings = SELF_CLOSING_SIBLINGS[name];
      if (siblings && stack.length && siblings.includes(stack[stack.length - 1])) pop();
      push(name);
      if (stack.length > bounds.maxDepth) {
        out += html.slice(at, m.index) + (BLOCK.has(name) ? '<br>' : '');
        at = m.index + token.length;
        changed = true;
      }
      continue;
    }
    // A close tag with no matching open element is ignored, as parsers do.
    if (!open.get(name)) continue;
    // Popping to the match is amortised linear: every element is pushed once and popped once.
    let dropped = false;
    while (stack.length) {
      const deep = stack.length > bounds.maxDepth;
      const top = stack[stack.length - 1];
      pop();
      if (top === name) {
        dropped = deep;
        break;
      }
    }
    if (dropped) {
      out += html.slice(at, m.index) + (BLOCK.has(name) ? '<br>' : '');
      at = m.index + token.length;
    }
  }
  return changed ? { html: out + html.slice(at), changed } : { html, changed: false };
}
