// Replies in a thread: a client answering a vendor's or a portal's email is a lead of that client.
// Only the text above the quote is the new lead's; the quoted part is read only to find the earlier
// lead (its Message-IDs, its sender and the emails it names), never for the new lead's fields.
import type { Address, ParsedEmail } from './mime.ts';

export interface ThreadInfo {
  /** The mail answers another one (a "Re:" subject or an In-Reply-To header, not a forward). */
  isReply: boolean;
  /** Message-IDs of the earlier messages: In-Reply-To first, then References newest first. */
  messageIds: string[];
  /** Who wrote the quoted message ("El … , Pedro <p@x.cl> escribió:", "De: …"), when found. */
  quotedFrom: Address | null;
  /** Email addresses the quoted text names (the earlier lead's own form data, a vendor's address). */
  quotedEmails: string[];
}

const REPLY_SUBJECT = /^\s*(re|res|resp|aw|sv|antw|r)\s*(\[\d{1,4}\])?\s*:/i;
const FORWARD_SUBJECT = /^\s*(fwd?|rv|enc|tr|reenv|i)\s*(\[\d{1,4}\])?\s*:/i;

// A portal's notification may carry In-Reply-To (threaded notices): only a person's mail is a reply by it.
const SYSTEM_SENDER = /^(no-?reply|do-?not-?reply|noresponder|no-?responder|notificaciones?|notifications?|mailer|alertas?|alerts?|avisos?|leads?|comunica|wordpress|forms?)([.+_-]|@)/i;

export function isReplyMail(mail: ParsedEmail): boolean {
  if (FORWARD_SUBJECT.test(mail.subject)) return false;
  if (REPLY_SUBJECT.test(mail.subject)) return true;
  return Boolean(mail.headers['in-reply-to']?.trim()) && !SYSTEM_SENDER.test(mail.from?.address ?? '');
}

const ATTRIBUTION = /(escribi[oó]|wrote|escreveu|a [ée]crit|schrieb|ha scritto)\s*:?\s*$/i;
const ATTRIBUTION_START = /^(el|on|em|le|am|il)\s/i;
const ORIGINAL = /^-{2,}\s*(mensaje original|original message|mensagem original|message d'origine)/i;
const RULE = /^_{8,}\s*$/;
const HEADER_FROM = /^\*?(de|from|von|remetente)\s*:\*?\s*\S/i;
const HEADER_NEXT = /^\*?(enviado( el)?|sent|fecha|date|para|to|asunto|subject|enviada em|data|cc)\s*:/i;

/** Index of the first line of the quoted part, or -1. */
export function quoteStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*>/.test(line) || ORIGINAL.test(line) || RULE.test(line)) return i;
    if (line.length < 400 && ATTRIBUTION.test(line)) {
      // Gmail wraps a long attribution: "El lun, 23 nov 2026 a las 16:02, Pedro\n<p@x.cl> escribió:".
      return !ATTRIBUTION_START.test(line) && i > 0 && ATTRIBUTION_START.test(lines[i - 1]) ? i - 1 : i;
    }
    if (HEADER_FROM.test(line) && lines.slice(i + 1, i + 5).some((l) => HEADER_NEXT.test(l))) return i;
  }
  return -1;
}

// Where mail clients open the quoted message in HTML.
const HTML_QUOTE = /<blockquote\b|<div\b[^<>]{0,300}?(gmail_quote|divRplyFwdMsg|moz-cite-prefix|yahoo_quoted|OutlookMessageHeader)/i;

/** The HTML before the quoted message (the whole HTML when none is marked). */
export function htmlBeforeQuote(html: string): string {
  const m = HTML_QUOTE.exec(html);
  return m ? html.slice(0, m.index) : html;
}

const ADDRESS = /[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}/g;

/** The thread facts of a reply: Message-IDs from the headers, sender and emails from the quote. */
export function threadInfo(mail: ParsedEmail, quoted: string[]): ThreadInfo {
  const ids = (s: string | undefined) => (s ?? '').slice(0, 4000).match(/<[^<>\s]{1,300}>/g) ?? [];
  const messageIds = [...new Set([...ids(mail.headers['in-reply-to']), ...ids(mail.headers['references']).reverse()])].slice(0, 20);
  let quotedFrom: Address | null = null;
  const emails: string[] = [];
  for (const full of quoted.slice(0, 400)) {
    const line = full.slice(0, 1000);
    for (const a of line.match(ADDRESS) ?? []) if (!emails.includes(a.toLowerCase())) emails.push(a.toLowerCase());
    if (!quotedFrom && (HEADER_FROM.test(line) || ATTRIBUTION.test(line))) {
      const m = /([^<>:,"]{0,80}?)\s*"?\s*[<[(]?(?:mailto:)?([\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8})/.exec(line.replace(HEADER_FROM, (s) => s.slice(-1)));
      if (m) quotedFrom = { name: m[1].replace(/^(el|on|em)\s.*,\s*/i, '').replace(/^\S\s*$/, '').trim(), address: m[2].toLowerCase() };
    }
  }
  return { isReply: isReplyMail(mail), messageIds, quotedFrom, quotedEmails: emails.slice(0, 20) };
}
