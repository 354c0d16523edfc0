import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Storage } from '../db/port.ts';
import type { Ingestor } from '../ingest.ts';
import { storeRaw } from '../leads/intake.ts';
import { quickHeaders } from '../pipeline/quick-headers.ts';
import { DAY_MS } from '../vocabulary.ts';

/**
 * The intake spool: every HTTP lead's raw message, on disk beside the database, written durably
 * (temp file, fsync, rename, fsync of the directory) BEFORE the request is answered. The database
 * commit alone is not enough: a commit sits in the -wal file until a checkpoint, and a -wal deleted
 * (then a crash) or a `restore` to an older backup takes it away; IMAP leads are fetched again from
 * the mailbox, intake leads have no other copy. At start the daemon stores every spooled message
 * the database lacks (by Message-ID, which every intake message has: replay never makes a second
 * lead), so what was acknowledged comes back. Entries are pruned only when older than the retention
 * AND present in the database.
 *
 * Layout: `<dir>/<YYYY-MM-DD>/<sha256 of the Message-ID, 40 hex>.eml`, UTC day of receipt; files
 * 0600. The file is the raw message itself (`centralizer replay` reads it as is).
 */

export const SPOOL_RETENTION_DAYS = 30;

/** The spool directory: `spool.dir`, or `spool/intake` beside the database; null for an in-memory database. */
export function spoolDirFor(config: Pick<Config, 'spool'>, dbFile: string): string | null {
  if (config.spool?.dir) return path.resolve(config.spool.dir);
  if (!dbFile || dbFile === ':memory:') return null;
  // A shared PostgreSQL database: each daemon keeps its own spool on its own disk, one per database
  // (the spool replays what its database lacks: another database's leads must never go there).
  if (/^postgres(ql)?:\/\//.test(dbFile)) return path.resolve('data', 'spool', `intake-${databaseSlug(dbFile)}`);
  return path.join(path.dirname(path.resolve(dbFile)), 'spool', 'intake');
}

/** host-port-database of a PostgreSQL URL, safe as a directory name. */
function databaseSlug(url: string): string {
  const u = new URL(url);
  const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
  return `${u.hostname || 'localhost'}-${u.port || '5432'}-${db}`.replace(/[^\w.-]+/g, '_');
}

export function spoolRetentionDays(config: Pick<Config, 'spool'>): number {
  return config.spool?.retentionDays ?? SPOOL_RETENTION_DAYS;
}

const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;
const ENTRY = /^[0-9a-f]{40}\.eml$/;

export const spoolName = (messageId: string) => `${createHash('sha256').update(messageId).digest('hex').slice(0, 40)}.eml`;

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export interface SpoolItem {
  raw: Buffer;
  messageId: string;
  receivedAt: Date;
}

export class IntakeSpool {
  /** Day directories known to exist durably (created and their parent synced). */
  private readonly days = new Set<string>();

  constructor(readonly dir: string) {}

  /**
   * Writes every item durably; resolves only when each file and its directory entry are on disk.
   * A message already spooled (same Message-ID, same day) keeps its first copy.
   */
  async putMany(items: SpoolItem[]): Promise<void> {
    const dirs = new Set<string>();
    await Promise.all(
      items.map(async (it) => {
        const dayDir = await this.dayDir(it.receivedAt);
        const final = path.join(dayDir, spoolName(it.messageId));
        if (fs.existsSync(final)) return;
        const tmp = path.join(dayDir, `.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
        const fh = await fsp.open(tmp, 'wx', 0o600);
        try {
          await fh.writeFile(it.raw);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await fsp.rename(tmp, final);
        dirs.add(dayDir);
      }),
    );
    await Promise.all([...dirs].map(fsyncDir));
  }

  private async dayDir(at: Date): Promise<string> {
    const day = at.toISOString().slice(0, 10);
    const dir = path.join(this.dir, day);
    if (this.days.has(day)) return dir;
    const created = await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    if (created) {
      // Every directory from the first one created up to the spool's parent gets its entry synced.
      for (let d = dir; ; d = path.dirname(d)) {
        await fsyncDir(path.dirname(d));
        if (path.resolve(d) === path.resolve(created)) break;
      }
    }
    this.days.add(day);
    return dir;
  }

  /** Every spooled file, oldest day first. */
  files(): { day: string; file: string }[] {
    if (!fs.existsSync(this.dir)) return [];
    const out: { day: string; file: string }[] = [];
    for (const day of fs.readdirSync(this.dir).filter((d) => DAY_DIR.test(d)).sort()) {
      for (const f of fs.readdirSync(path.join(this.dir, day)).sort()) if (ENTRY.test(f)) out.push({ day, file: path.join(this.dir, day, f) });
    }
    return out;
  }

  /** The entry names (hash of the Message-ID) present, whatever their day. */
  names(): Set<string> {
    return new Set(this.files().map((f) => path.basename(f.file)));
  }
}

/** The spool of this configuration and database, or null (in-memory database). */
export function intakeSpool(config: Pick<Config, 'spool'>, dbFile: string): IntakeSpool | null {
  const dir = spoolDirFor(config, dbFile);
  return dir ? new IntakeSpool(dir) : null;
}

const REPLAY_BATCH = 200;

/**
 * Stores every spooled message the database lacks (source http, status pending: the daemon's start
 * processes them like any row a crash left pending). Idempotent: a message whose Message-ID (or
 * content) is stored is skipped. Unreadable files are reported and kept.
 */
export async function replaySpool(deps: { ingestor: Ingestor; store: Storage }, spool: IntakeSpool, log: Logger): Promise<{ files: number; stored: number }> {
  const files = spool.files();
  let stored = 0;
  for (let i = 0; i < files.length; i += REPLAY_BATCH) {
    const rows: ReturnType<Ingestor['describe']>[] = [];
    for (const { file } of files.slice(i, i + REPLAY_BATCH)) {
      try {
        rows.push(deps.ingestor.describe(fs.readFileSync(file), { source: 'http' }));
      } catch (e) {
        log.error({ file, err: (e as { code?: string }).code ?? (e as Error).message }, 'intake spool file unreadable; kept');
      }
    }
    const ids = await deps.store.unitOfWork(function* (tx) {
      const out: (number | null)[] = [];
      for (const row of rows) out.push(yield* storeRaw(tx, row, Date.now()));
      return out;
    });
    stored += ids.filter((id) => id !== null).length;
  }
  return { files: files.length, stored };
}

/**
 * Deletes entries whose day is older than `retentionDays` and whose message is in the database;
 * anything the database lacks stays (the next start stores it). Leftover temp files of a crash
 * (older than a day) go too; empty day directories are removed.
 */
export async function pruneSpool(store: Storage, spool: IntakeSpool, retentionDays: number, now = Date.now()): Promise<{ pruned: number; kept: number }> {
  if (!fs.existsSync(spool.dir)) return { pruned: 0, kept: 0 };
  const cutoff = new Date(now - retentionDays * DAY_MS).toISOString().slice(0, 10);
  let pruned = 0;
  let kept = 0;
  for (const day of fs.readdirSync(spool.dir).filter((d) => DAY_DIR.test(d) && d < cutoff)) {
    const dayDir = path.join(spool.dir, day);
    for (const f of fs.readdirSync(dayDir)) {
      const file = path.join(dayDir, f);
      if (!ENTRY.test(f)) {
        if (/^\..*\.tmp$/.test(f) && fs.statSync(file).mtimeMs < now - DAY_MS) fs.rmSync(file, { force: true });
        continue;
      }
      const raw = fs.readFileSync(file);
      const { messageId } = quickHeaders(raw);
      const sha = createHash('sha256').update(raw).digest('hex');
      if (await store.findExisting(messageId, sha)) {
        fs.rmSync(file);
        pruned++;
      } else kept++;
    }
    if (!fs.readdirSync(dayDir).length) fs.rmdirSync(dayDir);
  }
  return { pruned, kept };
}

/**
 * At daemon start (lease held, before the intake listener opens): replays the spool, prunes it,
 * and prunes it again once a day. Returns the stop function of the daily timer.
 */
export async function startSpool(app: { config: Config; ingestor: Ingestor; store: Storage & { name: string } }, log: Logger): Promise<() => void> {
  const spool = intakeSpool(app.config, app.store.name);
  if (!spool) return () => {};
  const r = await replaySpool(app, spool, log);
  if (r.stored) log.warn({ stored: r.stored, spooled: r.files }, 'intake leads missing from the database were stored again from the spool');
  const prune = () =>
    pruneSpool(app.store, spool, spoolRetentionDays(app.config))
      .then((p) => p.pruned && log.info(p, 'intake spool pruned'))
      .catch((e) => log.error({ err: (e as Error).message }, 'intake spool prune failed'));
  await prune();
  const timer = setInterval(() => void prune(), DAY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
