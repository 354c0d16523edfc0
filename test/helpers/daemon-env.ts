// Helpers for daemon tests: a config file per test, counts read from the database, polling with a deadline.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ImapFlow } from 'imapflow';
import { stringify } from 'yaml';
import type { Dovecot } from './dovecot.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The options between `node` and the script in a command line ("node --a --b bin/x.js run" → ["--a", "--b"]). */
export function nodeFlags(command: string): string[] {
  const words = command.trim().split(/\s+/);
  const after = words.slice(words.findIndex((w) => w === 'node' || w.endsWith('/node')) + 1);
  return after.slice(0, after.findIndex((w) => !w.startsWith('--')));
}

/** `npm start`'s Node and V8 flags, from package.json's start script. */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return nodeFlags(pkg.scripts.start);
}

export interface TestMailbox {
  name: string;
  user: string;
  password?: string;
  /** Defaults to Dovecot's port (a proxy in front of it has its own). */
  port?: number;
  folder?: string;
  markSeen?: boolean;
  moveTo?: string;
  pollCron?: string;
  /** An OAuth2 auth block (the password is then unused). */
  auth?: Record<string, unknown>;
}

/** A scratch directory with a config file and a database path; `cleanup()` removes it. */
export function testEnv(dc: Dovecot, mailboxes: TestMailbox[], extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'daemon-test-'));
  const db = path.join(dir, 'centralizer.db');
  const config = {
    country: 'CL',
    projects: [{ name: 'Parque Los Robles', aliases: ['PLR'] }],
    parsersDir: path.join(REPO, 'parsers'),
    admin: { host: '127.0.0.1', port: 0, token: 'test-token-0123456789abcdef012345' },
    database: { path: db },
    log: { level: 'warn' },
    ...extra,
    daemon: { pollCron: '*/5 * * * * *', watchdogSeconds: 5, staleAfterSeconds: 30, ...(extra.daemon as object | undefined) },
    mailboxes: mailboxes.map((m) => ({ host: dc.host, port: dc.port, secure: false, password: 'secret', folder: 'INBOX', ...m })),
  };
  const file = path.join(dir, 'centralizer.yaml');
  writeFileSync(file, stringify(config));
  // TEST_KEEP=1 keeps the directory (config, database, the child daemon's log) for a look afterwards.
  return { dir, db, file, cleanup: () => void (process.env.TEST_KEEP || rmSync(dir, { recursive: true, force: true })) };
}

export interface Counts {
  raw: number;
  leads: number;
  distinctMessageIds: number;
  distinctLeadRaw: number;
  pending: number;
  tooLarge: number;
}

/** Counts from the database, optionally for one mailbox; a read-only connection works beside a running daemon. */
export function counts(dbFile: string, mailbox?: string): Counts {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  try {
    const where = mailbox ? 'WHERE r.mailbox = ?' : '';
    const args = mailbox ? [mailbox] : [];
    const row = db
      .prepare(
        `SELECT COUNT(*) AS raw, COUNT(DISTINCT r.message_id) AS distinctMessageIds,
           SUM(r.status = 'pending') AS pending, SUM(r.status = 'too_large') AS tooLarge,
           COUNT(l.id) AS leads, COUNT(DISTINCT l.raw_email_id) AS distinctLeadRaw
         FROM raw_emails r LEFT JOIN leads l ON l.raw_email_id = r.id ${where}`,
      )
      .get(...args) as Counts;
    return { ...row, pending: row.pending ?? 0, tooLarge: row.tooLarge ?? 0 };
  } catch (e) {
    if (/no such table/.test((e as Error).message)) return { raw: 0, leads: 0, distinctMessageIds: 0, distinctLeadRaw: 0, pending: 0, tooLarge: 0 };
    throw e;
  } finally {
    db.close();
  }
}

/** Polls `check` until it returns a truthy value or the deadline passes (then throws with `what`). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await check();
      if (last) return last as NonNullable<T>;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A short-lived IMAP session for the test's own actions (append, create, delete folders). */
export async function withImap<T>(dc: Dovecot, user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({ host: dc.host, port: dc.port, secure: false, auth: { user, pass: 'secret' }, logger: false });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

export async function appendAll(dc: Dovecot, user: string, messages: Buffer[], folder = 'INBOX'): Promise<void> {
  await withImap(dc, user, async (c) => {
    for (const m of messages) await c.append(folder, m);
  });
}
