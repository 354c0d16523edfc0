import type { HeaderValue, Headers } from 'mailparser';

// Loaded on first use: only the pipeline workers parse MIME, the main thread never needs it (~3 MB of heap).
let mailparser: Promise<typeof import('mailparser')> | null = null;

const CHUNK = 64 * 1024;

/** What mailparser gives us that we use: headers and the text bodies. Attachments are never kept. */
export interface ReadMail {
  headers: Headers;
  html: string | false;
  text: string | undefined;
  /** Name, type and size of each attachment (the content itself is drained, never kept). */
  attachments: { filename: string | null; contentType: string; size: number }[];
  /** Small attachments that may carry the lead itself (CSV, XLSX, text, a forwarded message), kept whole. */
  readable: { contentType: string; filename: string | null; content: Buffer }[];
  /** The content of the attachment ReadOptions.keepAttachment names, when the email has it. */
  kept?: { filename: string | null; contentType: string; content: Buffer };
}

// A lead exported as CSV, XLSX or text, or a forwarded message attached whole: read, within these bounds.
const READABLE = /^(text\/(csv|plain|tab-separated-values|x-csv)|application\/(csv|x-csv|vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet)|message\/rfc822)$/;
const MAX_READABLE = 256 * 1024;
const MAX_READABLE_PARTS = 5;
const readableType = (type: string, filename: string | null) => READABLE.test(type) || (/^application\/(octet-stream|zip)$/.test(type) && /\.(csv|txt|eml|xlsx)$/i.test(filename ?? ''));

export interface ReadOptions {
  maxHtmlLengthToParse: number;
  /** Keep this attachment's content (its position in `attachments`): a person downloads it. */
  keepAttachment?: number;
}

/**
 * mailparser's simpleParser without what we do not use: it buffers every attachment's content (a
 * 20 MB attachment was held twice per email); here attachment streams are drained and dropped.
 */
export async function readMail(raw: Buffer, options: ReadOptions): Promise<ReadMail> {
  mailparser ??= import('mailparser');
  const { MailParser } = await mailparser;
  return new Promise((resolve, reject) => {
    const parser = new MailParser({
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
      maxHtmlLengthToParse: options.maxHtmlLengthToParse,
    });
    const mail: ReadMail = { headers: new Map<string, HeaderValue>(), html: false, text: undefined, attachments: [], readable: [] };
    let settled = false;
    let seen = 0;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(mail);
    };
    // mailparser may emit a non-fatal 'error' and still end: the first outcome wins, as in simpleParser.
    parser.on('error', (err: Error) => settle(err));
    parser.on('headers', (headers: Headers) => {
      mail.headers = headers;
    });
    parser.on('data', (data: { type: string; html?: string | false; text?: string; content?: NodeJS.ReadableStream; release?: () => void; filename?: string; contentType?: string }) => {
      if (data.type === 'text') {
        if (data.html !== undefined) mail.html = data.html;
        if (data.text !== undefined) mail.text = data.text;
      } else if (data.type === 'attachment' && data.content) {
        // Read and forget: the parser waits for each attachment to be consumed before going on.
        // A broken Content-Type header may come through as a non-string.
        const meta = { filename: typeof data.filename === 'string' ? data.filename : null, contentType: typeof data.contentType === 'string' ? data.contentType : 'application/octet-stream', size: 0 };
        const position = seen++;
        if (mail.attachments.length < 100) mail.attachments.push(meta);
        const keep = readableType(meta.contentType.toLowerCase(), meta.filename) && mail.readable.length < MAX_READABLE_PARTS;
        const whole = position === options.keepAttachment;
        const chunks: Buffer[] = [];
        data.content.on('data', (chunk: Buffer) => {
          meta.size += chunk.length;
          if (whole || (keep && meta.size <= MAX_READABLE)) chunks.push(chunk);
        });
        if (keep) data.content.on('end', () => void (meta.size <= MAX_READABLE && mail.readable.push({ contentType: meta.contentType.toLowerCase(), filename: meta.filename, content: Buffer.concat(chunks) })));
        if (whole) data.content.on('end', () => void (mail.kept = { filename: meta.filename, contentType: meta.contentType, content: Buffer.concat(chunks) }));
        data.content.on('end', () => data.release?.());
      }
    });
    parser.on('end', () => settle(null));
    // Fed in small slices (views, not copies): given the whole message as one chunk, mailparser's
    // splitter held several copies of it (+120 MB for a 24 MB email; +8 MB this way).
    let at = 0;
    const feed = () => {
      while (at < raw.length) {
        const chunk = raw.subarray(at, at + CHUNK);
        at += CHUNK;
        if (!parser.write(chunk)) {
          parser.once('drain', feed);
          return;
        }
      }
      parser.end();
    };
    feed();
  });
}
