import { load } from 'cheerio/slim';

/**
 * Checks that make `parsers check` test behaviour, not only shape: what passes here is what the
 * pipeline runs, so a portal's emails never all fail on a typo found only in production.
 */

// The extractor runs selectors with cheerio (cheerio/slim in pipeline/extract.ts); compiling them
// against a tiny document uses the same parser, jQuery extensions (:contains, :first) included.
let probe: ReturnType<typeof load> | null = null;

/** Why a CSS selector does not compile, or null. */
export function selectorProblem(css: string): string | null {
  probe ??= load('<p></p>');
  try {
    probe(css);
    return null;
  } catch (e) {
    return `invalid CSS selector: ${(e as Error).message}`;
  }
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DOMAIN = new RegExp(`^(?:${LABEL}\\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$`, 'i');
const LOCAL = /^[\w.+-]+$/; // what forwardedSenders() can read back from a forwarded header

/**
 * Why a `match.from` rule is neither an email address nor a domain, or null. A list item indented
 * wrongly turns two senders into one string ("goplaceit.com - goplaceit.cl") that matches nothing.
 */
export function senderProblem(rule: string): string | null {
  const s = rule.trim();
  const at = s.lastIndexOf('@');
  const ok = at < 0 ? DOMAIN.test(s) : at > 0 && LOCAL.test(s.slice(0, at)) && DOMAIN.test(s.slice(at + 1));
  if (ok) return null;
  const hint = /[\s,;]/.test(s) ? ' (two senders in one string? write each as its own list item)' : '';
  return `not an email address or a domain${hint}`;
}
