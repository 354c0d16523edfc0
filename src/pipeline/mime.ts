import type { AddressObject, Headers } from 'mailparser';
import type { Limits } from '../config.ts';
import { repairMojibake } from '../normalize/mojibake.ts';
import { attachedTexts, type AttachedText } from './attachments.ts';
import { boundHtml } from './html-bounds.ts';
import { readMail, type ReadMail } from './mime-read.ts';

export interface Address {
  address: string;
  name: string;
}

/** What the later stages need from a message, already decoded and bounded. */
export interface ParsedEmail {
  messageId: string | null;
  date: Date | null;
  subject: string;
  from: Address | null;
  replyTo: Address | null;
  to: string[];
  /** Lower-cased header names, first value, as text. */
  headers: Record<string, string>;
  contentType: string;
  /** MIME types of every part, for report detection (message/delivery-status and kin). */
  partTypes: string[];
  html: string | null;
  text: string | null;
  /** Set when a bound cut the HTML or text short. */
  truncated: boolean;
  /** CSV, text and forwarded-message attachments as text (the lead may be only there). */
  attached: AttachedText[];
  /** Name, type and size of each attachment (the content is never kept here). */
  attachments: { filename: string | null; contentType: string; size: number }[];
}

export class LimitExceeded extends Error {
  readonly code = 'LimitExceeded';
  constructor(readonly limit: string, message: string) {
    super(message);
  }
}

/** Byte length of the header block (up to the first empty line), scanning at most `max + 4` bytes. */
export function headerLength(raw: Buffer, max: number): number {
  const window = raw.subarray(0, Math.min(raw.length, max + 4));
  const crlf = window.indexOf('\r\n\r\n');
  const lf = window.indexOf('\n\n');
  const ends = [crlf, lf].filter((i) => i >= 0);
  return ends.length ? Math.min(...ends) : raw.length <= max ? raw.length : max + 1;
}

const WINDOW = 64 * 1024;
const OVERLAP = 1024; // longer than any declaration or delimiter line the patterns accept

/**
 * Every match of `re` (flags g, m) in the message, read as latin1 through 64 KB windows so a 25 MB
 * message never becomes one 25 MB string. A match belongs to the window it starts in. Windows under
 * V8's large-object size die young: 1 MB ones piled up as 65 MB of garbage for a 24 MB message.
 */
function* matchesIn(raw: Buffer, re: RegExp, whole?: string): Generator<RegExpMatchArray> {
  if (whole !== undefined) {
    yield* whole.matchAll(re);
    return;
  }
  for (let at = 0; at < raw.length; at += WINDOW) {
    const text = raw.subarray(at, at + WINDOW + OVERLAP).toString('latin1');
    for (const m of text.matchAll(re)) {
      if (m.index! >= WINDOW) break;
      if (m.index === 0 && at > 0 && raw[at - 1] !== 0x0a && re.source.startsWith('^')) continue; // not a line start in the message
      yield m;
    }
  }
}

/** A message that fits one window (a lead's usual 5-50 KB) read as latin1 once, for every pattern to scan. */
const asLatin1 = (raw: Buffer): string | undefined => (raw.length <= WINDOW ? raw.toString('latin1') : undefined);

/**
 * Parts as mailparser will see them: one per boundary delimiter line of a declared boundary (a part
 * needs no Content-Type header), plus the root; Content-Type lines as a floor. Linear in the size.
 */
export function countParts(raw: Buffer, whole = asLatin1(raw)): number {
  const boundaries = new Set<string>();
  for (const m of matchesIn(raw, /boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))/gi, whole)) boundaries.add(m[1] ?? m[2]);
  let delimiters = 0;
  if (boundaries.size) {
    for (const m of matchesIn(raw, /^--([^\r\n]{1,202}?)[ \t]*\r?$/gm, whole)) {
      if (boundaries.has(m[1])) delimiters++; // the closing delimiter ends with "--" and is not in the set
    }
  }
  let typed = 0;
  for (const _ of matchesIn(raw, /^content-type:/gim, whole)) typed++;
  return Math.max(typed, delimiters + 1);
}

/** Checks the bounds that must hold before any parsing work starts. */
export function checkBounds(raw: Buffer, limits: Limits, whole = asLatin1(raw)): void {
  if (raw.length > limits.maxMessageBytes) {
    throw new LimitExceeded('maxMessageBytes', `message is ${raw.length} bytes, over maxMessageBytes ${limits.maxMessageBytes}`);
  }
  const h = headerLength(raw, limits.maxHeaderBytes);
  if (h > limits.maxHeaderBytes) {
    throw new LimitExceeded('maxHeaderBytes', `header block over maxHeaderBytes ${limits.maxHeaderBytes}`);
  }
  const parts = countParts(raw, whole);
  if (parts > limits.maxParts) throw new LimitExceeded('maxParts', `${parts} parts, over maxParts ${limits.maxParts}`);
}

function firstAddress(v: AddressObject | AddressObject[] | undefined): Address | null {
  const obj = Array.isArray(v) ? v[0] : v;
  const a = obj?.value?.find((x) => x.address) ?? obj?.value?.[0];
  if (!a) return null;
  return { address: (a.address ?? '').toLowerCase().trim(), name: repairMojibake((a.name ?? '').trim()) };
}

function allAddresses(v: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(v) ? v : v ? [v] : [];
  return list.flatMap((o) => o.value.map((a) => (a.address ?? '').toLowerCase())).filter(Boolean);
}

function headerText(value: unknown): string {
  if (value == null) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(headerText).join(', ');
  if (typeof value === 'object') {
    const o = value as { value?: unknown; text?: string; params?: Record<string, string> };
    if (typeof o.text === 'string') return o.text;
    if (typeof o.value === 'string') {
      const params = o.params ? Object.entries(o.params).map(([k, v]) => `; ${k}=${v}`).join('') : '';
      return o.value + params;
    }
  }
  return String(value);
}

function collectPartTypes(raw: Buffer, whole: string | undefined): string[] {
  // Only the report-related types matter; find them in the raw text without a second MIME parse.
  const head = whole ?? raw.subarray(0, Math.min(raw.length, 512 * 1024)).toString('latin1');
  const types = new Set<string>();
  for (const m of head.matchAll(/content-type:[ \t]*([\w.+-]+\/[\w.+-]+)/gi)) types.add(m[1].toLowerCase());
  return [...types];
}

function cut(s: string | false | undefined | null, max: number): { value: string | null; truncated: boolean } {
  if (!s) return { value: null, truncated: false };
  return s.length > max ? { value: s.slice(0, max), truncated: true } : { value: s, truncated: false };
}

type Addresses = AddressObject | AddressObject[] | undefined;
const headerString = (h: Headers, key: string): string | undefined => {
  const v = h.get(key);
  return typeof v === 'string' ? v : undefined;
};

function toParsedEmail(mail: ReadMail, raw: Buffer, whole: string | undefined, limits: Limits, attached: AttachedText[]): ParsedEmail {
  const headers: Record<string, string> = {};
  for (const [k, v] of mail.headers) headers[k.toLowerCase()] = headerText(v).slice(0, 2000);
  const html = cut(mail.html, limits.maxHtmlBytes);
  const text = cut(mail.text, limits.maxTextBytes);
  const bounded = html.value ? boundHtml(html.value, { maxDepth: limits.maxHtmlDepth, maxElements: limits.maxHtmlElements }) : null;
  const date = mail.headers.get('date');
  return {
    messageId: headerString(mail.headers, 'message-id')?.trim().slice(0, 500) || null,
    date: date instanceof Date && !Number.isNaN(date.getTime()) ? date : null,
    subject: repairMojibake((headerString(mail.headers, 'subject') ?? '').slice(0, 1000)),
    from: firstAddress(mail.headers.get('from') as Addresses),
    replyTo: firstAddress(mail.headers.get('reply-to') as Addresses),
    to: allAddresses(mail.headers.get('to') as Addresses).slice(0, 50),
    headers,
    contentType: headers['content-type'] ?? 'text/plain',
    partTypes: collectPartTypes(raw, whole),
    html: bounded?.html ?? null,
    text: text.value,
    truncated: html.truncated || text.truncated || Boolean(bounded?.changed),
    attached,
    attachments: mail.attachments.slice(0, 50).map((a) => ({ filename: a.filename?.slice(0, 200) ?? null, contentType: a.contentType.slice(0, 100), size: a.size })),
  };
}

const hasReplacementChar = (m: ReadMail): boolean =>
  (typeof m.html === 'string' && m.html.includes('\uFFFD')) || (m.text ?? '').includes('\uFFFD');

/**
 * Decodes a message with mailparser. Latin-1 bytes sent as UTF-8 come out as U+FFFD; then the
 * message is decoded again as Windows-1252, which is what such senders really wrote.
 */
export async function parseMime(raw: Buffer, limits: Limits): Promise<ParsedEmail> {
  const whole = asLatin1(raw);
  checkBounds(raw, limits, whole);
  const options = { maxHtmlLengthToParse: limits.maxHtmlBytes };
  let mail = await readMail(raw, options);
  if (hasReplacementChar(mail)) {
    const relabelled = Buffer.from((whole ?? raw.toString('latin1')).replace(/charset=("?)utf-?8\1/gi, 'charset=$1windows-1252$1'), 'latin1');
    const again = await readMail(relabelled, options);
    if (!hasReplacementChar(again)) mail = again;
  }
  return toParsedEmail(mail, raw, whole, limits, await attachedTexts(mail, limits.maxHtmlBytes));
}
