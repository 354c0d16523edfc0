// Attachments that carry the lead itself: a CSV or XLSX export, a text file, a forwarded message
// attached whole (message/rfc822). Turned into text the label and table readers already understand.
import type { ReadMail } from './mime-read.ts';
import { readMail } from './mime-read.ts';
import { htmlToText } from './text.ts';

export interface AttachedText {
  kind: 'csv' | 'text' | 'message';
  /** CSV rows as tab-separated cells (a header row and value rows), or the text. */
  text: string;
}

function decode(content: Buffer): string {
  const utf8 = content.toString('utf8');
  return utf8.includes('\uFFFD') ? content.toString('latin1') : utf8;
}

/** CSV (comma, semicolon or tab; quoted cells with "" escapes) as tab-separated lines. */
export function csvToLines(text: string): string {
  const first = text.slice(0, text.indexOf('\n') >>> 0 || text.length);
  const count = (c: string) => first.split(c).length;
  const sep = [',', ';', '\t'].sort((a, b) => count(b) - count(a))[0];
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < MAX_ROWS; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === sep) { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); cell = '';
      if (row.some((x) => x.trim())) rows.push(row);
      row = [];
    } else cell += c;
  }
  row.push(cell);
  if (row.some((x) => x.trim())) rows.push(row);
  return rowsToLines(rows);
}

const MAX_ROWS = 1000;

/** Rows of cells as tab-separated lines; a cell's own line breaks and tabs would split the row. */
function rowsToLines(rows: string[][]): string {
  return rows.map((r) => r.map((x) => x.replace(/\s+/g, ' ').trim() || '-').join('\t')).join('\n');
}

const XLSX = /spreadsheetml\.sheet/;

/** The first sheet of an XLSX workbook as CSV lines (each cell as Excel shows it). */
export async function xlsxToLines(content: Buffer): Promise<string> {
  // Loaded only when a workbook arrives: most workers never need it.
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(content as unknown as ArrayBuffer);
  const sheet = book.worksheets[0];
  const rows: string[][] = [];
  sheet?.eachRow((row) => {
    if (rows.length >= MAX_ROWS) return;
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cell.text ?? '';
    });
    if (cells.some((x) => x?.trim())) rows.push(Array.from(cells, (x) => x ?? ''));
  });
  return rowsToLines(rows);
}

/** The forwarded message's sender and body, as a forward's text reads ("De: …" then the body). */
async function messageText(content: Buffer, maxHtml: number): Promise<string> {
  const inner: ReadMail = await readMail(content, { maxHtmlLengthToParse: maxHtml });
  const head: string[] = [];
  const addr = (key: string) => {
    const v = inner.headers.get(key) as { text?: string } | undefined;
    return v?.text ? v.text.slice(0, 300) : '';
  };
  if (addr('from')) head.push(`De: ${addr('from')}`);
  if (addr('reply-to')) head.push(`Responder a: ${addr('reply-to')}`);
  const subject = inner.headers.get('subject');
  if (typeof subject === 'string') head.push(`Asunto: ${subject.slice(0, 300)}`);
  const body = inner.html ? htmlToText(inner.html) : inner.text ?? '';
  return `${head.join('\n')}\n\n${body}`;
}

/** The readable attachments as text; one that cannot be read is skipped (the body still counts). */
export async function attachedTexts(mail: ReadMail, maxHtml: number): Promise<AttachedText[]> {
  const out: AttachedText[] = [];
  for (const part of mail.readable) {
    try {
      if (part.contentType === 'message/rfc822' || /\.eml$/i.test(part.filename ?? '')) out.push({ kind: 'message', text: await messageText(part.content, maxHtml) });
      else if (/csv|tab-separated/.test(part.contentType) || /\.csv$/i.test(part.filename ?? '')) out.push({ kind: 'csv', text: csvToLines(decode(part.content)) });
      else if (XLSX.test(part.contentType) || /\.xlsx$/i.test(part.filename ?? '')) out.push({ kind: 'csv', text: await xlsxToLines(part.content) });
      else out.push({ kind: 'text', text: decode(part.content) });
    } catch {
      // A malformed attachment is no reason to lose the email.
    }
  }
  return out;
}
