import type { AddressObject } from 'mailparser';
import type { Limits } from '../config.ts';
import { checkBounds } from './mime.ts';
import { readMail } from './mime-read.ts';

/** An email as a person reads it on the page: decoded headers, the bodies, the attachments' names. */
export interface RenderedMail {
  from: string | null;
  to: string | null;
  subject: string | null;
  date: string | null;
  text: string | null;
  html: string | null;
  attachments: { filename: string | null; contentType: string; size: number }[];
  /** The attachment asked for (its position in `attachments`) with its bytes; null when there is none there. Asked for, text and html are null. */
  attachment?: { filename: string | null; contentType: string; content: Uint8Array } | null;
}

const addressText = (v: unknown): string | null => {
  if (!v) return null;
  const list = Array.isArray(v) ? (v as AddressObject[]) : [v as AddressObject];
  return list.map((a) => a.text).filter(Boolean).join(', ').slice(0, 2000) || null;
};

/**
 * Untrusted work: runs in the worker pool, never on the main thread. `attachment`: that
 * attachment's bytes instead of the bodies (a download needs no HTML copied back from the worker).
 */
export async function renderMail(raw: Buffer, limits: Limits, attachment?: number): Promise<RenderedMail> {
  checkBounds(raw, limits);
  const mail = await readMail(raw, { maxHtmlLengthToParse: limits.maxHtmlBytes, keepAttachment: attachment });
  const h = mail.headers;
  const date = h.get('date');
  const subject = h.get('subject');
  const bodies = attachment === undefined;
  return {
    from: addressText(h.get('from')),
    to: addressText(h.get('to')),
    subject: typeof subject === 'string' ? subject.slice(0, 2000) : null,
    date: date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : null,
    text: bodies && mail.text ? mail.text.slice(0, limits.maxTextBytes) : null,
    html: bodies && mail.html ? mail.html.slice(0, limits.maxHtmlBytes) : null,
    attachments: mail.attachments,
    ...(attachment === undefined ? {} : { attachment: mail.kept ?? null }),
  };
}
