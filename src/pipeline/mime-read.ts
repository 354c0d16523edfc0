import { MailParser, type HeaderValue, type Headers } from 'mailparser';

const CHUNK = 64 * 1024;

/** What mailparser gives us that we use: headers and the text bodies. Attachments are never kept. */
export interface ReadMail {
  headers: Headers;
  html: string | false;
  text: string | undefined;
  /** Name, type and size of each attachment (the content itself is drained, never kept). */
  attachments: { filename: string | null; contentType: string; size: number }[];
}

export interface ReadOptions {
  maxHtmlLengthToParse: number;
}

/**
 * mailparser's simpleParser without what we do not use: it buffers every attachment's content (a
 * 20 MB attachment was held twice per email); here attachment streams are drained and dropped.
 */
export function readMail(raw: Buffer, options: ReadOptions): Promise<ReadMail> {
  return new Promise((resolve, reject) => {
    const parser = new MailParser({
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
      maxHtmlLengthToParse: options.maxHtmlLengthToParse,
    });
    const mail: ReadMail = { headers: new Map<string, HeaderValue>(), html: false, text: undefined, attachments: [] };
    let settled = false;
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
        const meta = { filename: data.filename ?? null, contentType: data.contentType ?? 'application/octet-stream', size: 0 };
        if (mail.attachments.length < 100) mail.attachments.push(meta);
        data.content.on('data', (chunk: Buffer) => void (meta.size += chunk.length));
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
