import { simpleParser } from 'mailparser';
import { createApp } from '../src/app.ts';
import { io } from '../src/db/port.ts';
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

/** SQLite insert alone: raw rows through the store's prepared insert, one transaction per batch. */
export async function sqliteInsertOnly(mails: Buffer[], config: Config, dbPath: string, batch = 200): Promise<number> {
  const app = await createApp(config, createLogger('silent'), { dbPath });
  const rows = mails.map((m, i) => ({ source: 'imap' as const, mailbox: 'bench', uidValidity: 1, uid: i + 1, messageId: `<ins-${i}@bench>`, sha256: sha256(m), size: m.length, raw: m, receivedAt: Date.now() }));
  const t = performance.now();
  for (let i = 0; i < rows.length; i += batch) {
    await app.store.unitOfWork(function* (tx) {
      for (const r of rows.slice(i, i + batch)) yield* io(tx.insertRaw(r, Date.now()));
    });
  }
  const r = rate(rows.length, performance.now() - t);
  app.close();
  return r;
}
