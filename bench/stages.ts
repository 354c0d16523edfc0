import { simpleParser } from 'mailparser';
import { createApp } from '../src/app.ts';
import { io, type RawEmailInput, type Storage } from '../src/db/port.ts';
import type { Config } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { extractFields, MailView } from '../src/pipeline/extract.ts';
import { chooseParser } from '../src/pipeline/choose-parser.ts';
import { parseMime, type ParsedEmail } from '../src/pipeline/mime.ts';
import { sha256 } from '../src/ingest.ts';

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

/** mailparser alone, one core, on the same emails the daemon ingests. */
export async function mailparserOnly(mails: Buffer[]): Promise<number> {
  const t = performance.now();
  for (const m of mails) await simpleParser(m, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
  return rate(mails.length, performance.now() - t);
}

/** Parser choice + extraction (cheerio/labels/generic) alone, on already-decoded messages. */
export async function extractionOnly(mails: Buffer[], config: Config): Promise<number> {
  const app = await createApp(config, createLogger('silent'), { dbPath: ':memory:' });
  const parsed: ParsedEmail[] = [];
  for (const m of mails) parsed.push(await parseMime(m, config.limits));
  const ctx = app.context();
  const t = performance.now();
  for (const p of parsed) {
    const view = new MailView(p);
    extractFields(view, chooseParser(view, ctx.parsers), ctx.country);
  }
  const r = rate(parsed.length, performance.now() - t);
  app.close();
  return r;
}

/** The bench emails as raw rows of one IMAP mailbox. */
export function rawRows(mails: Buffer[], tag: string): RawEmailInput[] {
  return mails.map((m, i) => ({ source: 'imap' as const, mailbox: 'bench', uidValidity: 1, uid: i + 1, messageId: `<${tag}-${i}@bench>`, sha256: sha256(m), size: m.length, raw: m, receivedAt: Date.now() }));
}

/** Raw rows through the store's batch insert (as the daemon stores a batch), one transaction per batch: their ids, in order. */
export async function insertRawRows(store: Storage, rows: RawEmailInput[], batch = 200): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += batch) ids.push(...(await store.unitOfWork((tx) => io(tx.insertRaws(rows.slice(i, i + batch), Date.now())))));
  return ids;
}

/** SQLite insert alone: raw rows through the store's prepared insert, one transaction per batch. */
export async function sqliteInsertOnly(mails: Buffer[], config: Config, dbPath: string): Promise<number> {
  const app = await createApp(config, createLogger('silent'), { dbPath });
  const rows = rawRows(mails, 'ins');
  const t = performance.now();
  await insertRawRows(app.store, rows);
  const r = rate(rows.length, performance.now() - t);
  app.close();
  return r;
}
