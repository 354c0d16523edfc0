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

/**
 * The parser whose match rules all hold; the most specific (most rules, then priority) wins.
 * The sender may be the From address or, for forwarded mail, the original sender.
 */
export function chooseParser(view: MailView, parsers: LoadedParser[]): LoadedParser | null {
  const mail = view.mail;
  const senders = [mail.from?.address ?? '', ...forwardedSenders(view.lines)].filter(Boolean);
  let best: { parser: LoadedParser; score: number } | null = null;
  for (const p of parsers) {
    let score = 0;
    if (p.fromRules.length) {
      if (matchingSenderRule(p.fromRules, senders) === undefined) continue;
      score += 2;
    }
    if (p.subject) {
      if (!p.subject.test(mail.subject)) continue;
      score += 1;
    }
    if (p.bodyMarkers.length) {
      if (bodyMarkerIn(view, p.bodyMarkers) === undefined) continue;
      score += 1;
    }
    if (p.headerRules.length) {
      if (!p.headerRules.every(([name, re]) => re.test(mail.headers[name] ?? ''))) continue;
      score += 1;
    }
    score = score * 1000 + p.config.priority;
    if (!best || score > best.score) best = { parser: p, score };
  }
  return best?.parser ?? null;
}
