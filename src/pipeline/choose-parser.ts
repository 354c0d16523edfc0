import type { LoadedParser } from '../parsers/load.ts';
import type { MailView } from './extract.ts';
import { escapeRegExp } from './text.ts';

/** Senders of the original message inside a forward ("De: Portal <noreply@portal.cl>"). */
export function forwardedSenders(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines.slice(0, 400)) {
    // "De: Portal <a@b.cl>", "From: a@b.cl", Outlook's "De: Portal [mailto:a@b.cl]".
    const m = /^(?:de|from|remetente|enviado por)\s*:\s*(?:[^<\[]*?(?:<|\[mailto:))?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)/i.exec(line);
    if (m) out.push(m[1].toLowerCase());
  }
  return out;
}

/** The first `from` rule (an address, or a domain and its subdomains) that one of the senders matches. */
export function matchingSenderRule(rules: string[], senders: string[]): string | undefined {
  return rules.find((rule) =>
    senders.some((s) => (rule.includes('@') ? s === rule : s.endsWith(`@${rule}`) || s.endsWith(`.${rule}`))),
  );
}

const markerPatterns = new Map<string, RegExp>();

/**
 * The first of `markers` (lower case) the message carries in any case, in its text or its HTML. A
 * reply's quote (the portal's email being answered) does not make the reply the portal's. Searched
 * in place: a lower-cased copy of text and HTML was a twelfth of what the worker allocated.
 */
export function bodyMarkerIn(view: MailView, markers: string[]): string | undefined {
  const html = view.isReply ? '' : (view.mail.html ?? '');
  return markers.find((m) => {
    let re = markerPatterns.get(m);
    if (!re) markerPatterns.set(m, (re = new RegExp(escapeRegExp(m), 'i')));
    return re.test(view.fullText) || re.test(html);
  });
}

/** What each of a parser's match rules matched on an email (a rule it does not have stays unset). */
export interface RuleHits {
  /** The `from` rule a sender matched. */
  sender?: string;
  subject?: true;
  /** The body marker found. */
  body?: string;
  headers?: true;
}

/** The senders a `from` rule is tried on: the From address and, for forwarded mail, the original senders. */
export function sendersOf(view: MailView): string[] {
  return [view.mail.from?.address ?? '', ...forwardedSenders(view.lines)].filter(Boolean);
}

/** The match rules of `p` on this email: what each matched, or null when one of them fails. */
export function ruleHits(view: MailView, p: LoadedParser, senders = sendersOf(view)): RuleHits | null {
  const mail = view.mail;
  const hits: RuleHits = {};
  if (p.fromRules.length) {
    const sender = matchingSenderRule(p.fromRules, senders);
    if (sender === undefined) return null;
    hits.sender = sender;
  }
  if (p.subject) {
    if (!p.subject.test(mail.subject)) return null;
    hits.subject = true;
  }
  if (p.bodyMarkers.length) {
    const body = bodyMarkerIn(view, p.bodyMarkers);
    if (body === undefined) return null;
    hits.body = body;
  }
  if (p.headerRules.length) {
    if (!p.headerRules.every(([name, re]) => re.test(mail.headers[name] ?? ''))) return null;
    hits.headers = true;
  }
  return hits;
}

/**
 * The parser whose match rules all hold; the most specific (most rules, then priority) wins. A
 * sender rule counts twice: an address is the strongest sign of who wrote the email.
 */
export function chooseParser(view: MailView, parsers: LoadedParser[]): LoadedParser | null {
  const senders = sendersOf(view);
  let best: { parser: LoadedParser; score: number } | null = null;
  for (const p of parsers) {
    const hits = ruleHits(view, p, senders);
    if (!hits) continue;
    const rules = (hits.sender !== undefined ? 2 : 0) + (hits.subject ? 1 : 0) + (hits.body !== undefined ? 1 : 0) + (hits.headers ? 1 : 0);
    const score = rules * 1000 + p.config.priority;
    if (!best || score > best.score) best = { parser: p, score };
  }
  return best?.parser ?? null;
}
