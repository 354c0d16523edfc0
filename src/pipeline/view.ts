import { load, type CheerioAPI } from 'cheerio/slim';
import { repairMojibake } from '../normalize/mojibake.ts';
import { splitMultiLabelLines } from './labels.ts';
import type { ParsedEmail } from './mime.ts';
import { payloadLines } from './payload.ts';
import { htmlBeforeQuote, isReplyMail, quoteStart, threadInfo, type ThreadInfo } from './reply.ts';
import { htmlToText, textLines } from './text.ts';

const FORWARD_MARKER = /^(-{2,}\s*(forwarded message|mensaje reenviado|mensagem encaminhada|mensaje original|original message|mensagem original)|begin forwarded message|inicio del mensaje reenviado)/i;

/**
 * In a forward the portal's form is below the marker and the forwarder's signature above it:
 * read the forwarded part first so its fields win.
 */
function forwardedFirst(lines: string[]): string[] {
  const k = lines.findIndex((l) => FORWARD_MARKER.test(l));
  return k < 0 ? lines : [...lines.slice(k + 1), '', ...lines.slice(0, k)];
}

/** A reply's text cut at its quote: [own lines, quoted lines]. */
function cutReply(text: string): [string[], string[]] {
  const raw = text.replace(/\r\n?/g, '\n').split('\n');
  const k = quoteStart(raw);
  if (k < 0) return [textLines(text), []];
  return [textLines(raw.slice(0, k).join('\n')), textLines(raw.slice(k).join('\n'))];
}

/** A line as compared between the parts: an HTML row's cells are tab-separated, the text's space-separated. */
const asCompared = (line: string) => line.replace(/\t/g, ' ');

/**
 * The text part of a multipart/alternative is usually the HTML's own copy: when each of its lines is
 * a line of the HTML, reading it again finds nothing new and doubles every later stage's work.
 */
function copiesHtml(fromText: string[], fromHtml: string[]): boolean {
  if (!fromHtml.length) return false;
  const html = new Set(fromHtml.map(asCompared));
  return fromText.every((l) => l === '' || html.has(asCompared(l)));
}

/** A message's views, computed once and shared by every extractor. */
export class MailView {
  private $doc: CheerioAPI | null | undefined;
  private linesCache: string[] | undefined;
  private quotedCache: string[] = [];
  /** The text part's lines when they only repeat the HTML's (left out of `lines`). */
  private textCopy: string[] = [];
  private bodyCache: string | undefined;
  private fullCache: string | undefined;
  /** A reply in a thread: only the text above the quote is read for the lead's fields. */
  readonly isReply: boolean;
  constructor(readonly mail: ParsedEmail) {
    // A colleague answering inside the company (a vendor replying to a portal's lead and copying the
    // leads mailbox) passes the quoted lead on, like a forward: read it whole.
    const domain = (a: string | undefined) => (a ?? '').split('@')[1]?.toLowerCase() ?? '';
    const internal = domain(mail.from?.address) !== '' && mail.to.some((a) => domain(a) === domain(mail.from?.address));
    this.isReply = isReplyMail(mail) && !internal;
  }

  get $(): CheerioAPI | null {
    if (this.$doc === undefined) {
      const html = this.mail.html && this.isReply ? htmlBeforeQuote(this.mail.html) : this.mail.html;
      // htmlparser2 mode: several times faster than parse5 and forgiving enough for email HTML.
      this.$doc = html ? load(html, { xml: { xmlMode: false, decodeEntities: true } }) : null;
    }
    return this.$doc;
  }

  /** Body lines: the HTML's structure when there is HTML, then the text part. */
  get lines(): string[] {
    if (!this.linesCache) {
      const { html, text } = this.mail;
      let fromHtml: string[] = [];
      let fromText: string[] = [];
      // The whole HTML as text, when a branch below has converted it (the payload reads it too).
      let htmlText: string | undefined;
      if (this.isReply) {
        const quoted: string[] = [];
        if (html) {
          const own = htmlBeforeQuote(html);
          const [ownLines, q] = cutReply(repairMojibake(htmlToText(own)));
          fromHtml = ownLines;
          quoted.push(...q, ...textLines(repairMojibake(htmlToText(html.slice(own.length)))));
        }
        if (text) {
          const [own, q] = cutReply(repairMojibake(text));
          fromText = own;
          quoted.push(...q);
        }
        this.quotedCache = quoted;
      } else {
        if (html) {
          htmlText = htmlToText(html);
          fromHtml = forwardedFirst(textLines(repairMojibake(htmlText)));
        }
        fromText = text ? forwardedFirst(textLines(repairMojibake(text))) : [];
        if (copiesHtml(fromText, fromHtml)) {
          this.textCopy = fromText;
          fromText = [];
        }
      }
      let body = fromHtml.length ? (fromText.length ? [...fromHtml, '', ...fromText] : fromHtml) : fromText;
      // Attachments: a forwarded message first (its form is the lead, the forwarder's signature is
      // not), a CSV export or text file after the body.
      for (const a of this.mail.attached ?? []) {
        const lines = textLines(repairMojibake(a.text));
        body = a.kind === 'message' ? [...forwardedFirst(lines), '', ...body] : [...body, '', ...lines];
      }
      // A JSON payload (lead ads relayed by a webhook) reads as label lines before the body.
      const payload = payloadLines(text ?? (html ? (htmlText ?? htmlToText(html)) : ''));
      this.linesCache = splitMultiLabelLines(payload.length ? [...payload, '', ...body] : body);
    }
    return this.linesCache;
  }

  get bodyText(): string {
    this.bodyCache ??= this.lines.join('\n');
    return this.bodyCache;
  }

  /** The body text with the text part's copy of the HTML too: for checks of what the message contains anywhere. */
  get fullText(): string {
    const body = this.bodyText;
    if (!this.textCopy.length) return body;
    this.fullCache ??= `${body}\n\n${this.textCopy.join('\n')}`;
    return this.fullCache;
  }

  /** The thread facts (Message-IDs, the quoted sender and emails) for linking a reply to its lead. */
  get thread(): ThreadInfo {
    void this.lines;
    return threadInfo(this.mail, this.quotedCache);
  }
}
