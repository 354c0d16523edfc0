import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Storage } from '../db/port.ts';
import type { Ingestor } from '../ingest.ts';
import { storeRaws } from '../leads/intake.ts';
import { quickHeaders } from '../pipeline/quick-headers.ts';
import { DAY_MS } from '../vocabulary.ts';
import { compactLog, DayLog, encodeFrame, frames, fsyncDir, LOG_FILE, logFiles, readFrame } from './spool-log.ts';

/**
 * The intake spool: every HTTP lead's raw message, on disk beside the database, written durably
 * (appended to a log, fdatasync) BEFORE the request is answered. The database
 * commit alone is not enough: a commit sits in the -wal file until a checkpoint, and a -wal deleted
 * (then a crash) or a `restore` to an older backup takes it away; IMAP leads are fetched again from
 * the mailbox, intake leads have no other copy. At start the daemon stores every spooled message
 * the database lacks (by Message-ID, which every intake message has: replay never makes a second
 * lead), so what was acknowledged comes back. Entries are pruned only when older than the retention
 * AND present in the database.
 *
 * Layout: `<dir>/<YYYY-MM-DD>/<time>-<pid>.log`, UTC day of receipt, one log per process and day
 * (spool-log.ts), files 0600; entries of the first layout (`<sha256 of the Message-ID, 40
 * hex>.eml`, one per lead) are still read, replayed and pruned.
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
/** An entry of the first layout (a file per lead), still read and pruned. */
const ENTRY = /^[0-9a-f]{40}\.eml$/;

export const spoolName = (messageId: string) => `${createHash('sha256').update(messageId).digest('hex').slice(0, 40)}.eml`;

export interface SpoolItem {
  raw: Buffer;
  messageId: string;
  receivedAt: Date;
}

/** A spooled message: its day, its name (hash of the Message-ID) and the file holding it. */
export interface SpoolEntry {
  day: string;
  name: string;
  file: string;
  raw(): Buffer;
}

export class IntakeSpool {
  /** Day directories known to exist durably (created and their parent synced). */
  private readonly days = new Set<string>();
  /** This process's open log per day, and the names it wrote there (a repeat keeps the first copy). */
  private readonly logs = new Map<string, { log: DayLog; names: Set<string> }>();
  private writing: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  /**
   * Writes every item durably: appended to this process's log of the item's day, then made
   * durable (an fdatasync, shared with the batches written meanwhile). Resolves only when all are
   * on disk. A message already spooled by this process that day keeps its first copy (readers
   * keep the first one anyway). Writes are serialized; syncs overlap the next batch's write.
   */
  async putMany(items: SpoolItem[]): Promise<void> {
    const written = this.writing.then(() => this.write(items));
    this.writing = written.catch(() => undefined);
    const tickets = await written;
    await Promise.all(
      tickets.map(async ({ day, log, ticket, names }) => {
        try {
          await log.durable(ticket);
        } catch (e) {
          // Not known to be on disk: the next batch starts a new file rather than trust this one.
          if (this.logs.get(day)?.log === log) {
            this.logs.delete(day);
            void log.close().catch(() => undefined);
          }
          throw e;
        }
        const open = this.logs.get(day);
        if (open?.log === log) for (const n of names) open.names.add(n);
      }),
    );
  }

  private async write(items: SpoolItem[]): Promise<{ day: string; log: DayLog; ticket: number; names: string[] }[]> {
    const byDay = new Map<string, SpoolItem[]>();
    for (const it of items) {
      const day = it.receivedAt.toISOString().slice(0, 10);
      const list = byDay.get(day);
      if (list) list.push(it);
      else byDay.set(day, [it]);
    }
    const out: { day: string; log: DayLog; ticket: number; names: string[] }[] = [];
    for (const [day, list] of byDay) {
      const open = await this.dayLog(day);
      const frames: Buffer[] = [];
      const names: string[] = [];
      for (const it of list) {
        const name = spoolName(it.messageId);
        if (open.names.has(name) || names.includes(name)) continue;
        names.push(name);
        frames.push(encodeFrame(name, it.raw));
      }
      if (!frames.length) continue;
      try {
        out.push({ day, log: open.log, ticket: await open.log.write(frames), names });
      } catch (e) {
        // A partial write would hide what follows it: the next batch starts a new file.
        this.logs.delete(day);
        void open.log.close().catch(() => undefined);
        throw e;
      }
    }
    // Yesterday's log is done with once today's exists and nothing waits on it.
    for (const [day, open] of this.logs) {
      if (!byDay.has(day) && this.logs.size > 1 && open.log.idle) {
        this.logs.delete(day);
        await open.log.close().catch(() => undefined);
      }
    }
    return out;
  }

  private async dayLog(day: string): Promise<{ log: DayLog; names: Set<string> }> {
    const open = this.logs.get(day);
    if (open) return open;
    const dir = await this.dayDir(day);
    const created = { log: await DayLog.create(dir), names: new Set<string>() };
    this.logs.set(day, created);
    return created;
  }

  private async dayDir(day: string): Promise<string> {
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

  private dayDirs(): string[] {
    return fs.existsSync(this.dir) ? fs.readdirSync(this.dir).filter((d) => DAY_DIR.test(d)).sort() : [];
  }

  /** Every spooled message, oldest day first, each name once (the first copy). Reads bodies only when asked. */
  *entries(): Generator<SpoolEntry> {
    const seen = new Set<string>();
    for (const day of this.dayDirs()) {
      const dayDir = path.join(this.dir, day);
      for (const f of fs.readdirSync(dayDir).filter((x) => ENTRY.test(x)).sort()) {
        if (seen.has(f)) continue;
        seen.add(f);
        const file = path.join(dayDir, f);
        yield { day, name: f, file, raw: () => fs.readFileSync(file) };
      }
      for (const file of logFiles(dayDir)) {
        for (const fr of frames(file)) {
          if (seen.has(fr.name)) continue;
          seen.add(fr.name);
          yield { day, name: fr.name, file, raw: () => readFrame(file, fr) };
        }
      }
    }
  }

  /** The entry names (hash of the Message-ID) present, whatever their day. */
  names(): Set<string> {
    return new Set([...this.entries()].map((e) => e.name));
  }

  /** The spooled message of this name, newest day first; null when there is none. */
  find(name: string): Buffer | null {
    for (const day of this.dayDirs().reverse()) {
      const dayDir = path.join(this.dir, day);
      const legacy = path.join(dayDir, name);
      if (fs.existsSync(legacy)) return fs.readFileSync(legacy);
      for (const file of logFiles(dayDir)) for (const fr of frames(file)) if (fr.name === name) return readFrame(file, fr);
    }
    return null;
  }

  /** Closes this process's open logs (shutdown, tests). */
  async close(): Promise<void> {
    await this.writing;
    for (const open of this.logs.values()) await open.log.close().catch(() => undefined);
    this.logs.clear();
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
 * content) is stored is skipped. Unreadable entries are reported and kept.
 */
export async function replaySpool(deps: { ingestor: Ingestor; store: Storage }, spool: IntakeSpool, log: Logger): Promise<{ entries: number; stored: number }> {
  let entries = 0;
  let stored = 0;
  let rows: ReturnType<Ingestor['describe']>[] = [];
  const flush = async () => {
    const batch = rows;
    rows = [];
    const ids = await deps.store.unitOfWork((tx) => storeRaws(tx, batch, Date.now()));
    stored += ids.filter((id) => id !== null).length;
  };
  for (const e of spool.entries()) {
    entries++;
    try {
      rows.push(deps.ingestor.describe(e.raw(), { source: 'http' }));
    } catch (err) {
      log.error({ file: e.file, entry: e.name, err: (err as { code?: string }).code ?? (err as Error).message }, 'intake spool entry unreadable; kept');
    }
    if (rows.length >= REPLAY_BATCH) await flush();
  }
  if (rows.length) await flush();
  return { entries, stored };
}

/**
 * Deletes entries whose day is older than `retentionDays` and whose message is in the database;
 * anything the database lacks stays (the next start stores it): a log keeping some is rewritten
 * with those only. Leftover temp files of a crash (older than a day) go too; empty day
 * directories are removed.
 */
export async function pruneSpool(store: Storage, spool: IntakeSpool, retentionDays: number, now = Date.now()): Promise<{ pruned: number; kept: number }> {
  if (!fs.existsSync(spool.dir)) return { pruned: 0, kept: 0 };
  const cutoff = new Date(now - retentionDays * DAY_MS).toISOString().slice(0, 10);
  let pruned = 0;
  let kept = 0;
  const inDatabase = async (raw: Buffer) => {
    const { messageId } = quickHeaders(raw);
    return Boolean(await store.findExisting(messageId, createHash('sha256').update(raw).digest('hex')));
  };
  for (const day of fs.readdirSync(spool.dir).filter((d) => DAY_DIR.test(d) && d < cutoff)) {
    const dayDir = path.join(spool.dir, day);
    for (const f of fs.readdirSync(dayDir)) {
      const file = path.join(dayDir, f);
      if (ENTRY.test(f)) {
        if (await inDatabase(fs.readFileSync(file))) {
          fs.rmSync(file);
          pruned++;
        } else kept++;
      } else if (LOG_FILE.test(f)) {
        const r = await compactLog(file, async (_f, raw) => !(await inDatabase(raw)));
        pruned += r.dropped;
        kept += r.kept;
      } else if (/^\..*\.tmp$/.test(f) && fs.statSync(file).mtimeMs < now - DAY_MS) fs.rmSync(file, { force: true });
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
  if (r.stored) log.warn({ stored: r.stored, spooled: r.entries }, 'intake leads missing from the database were stored again from the spool');
  const prune = () =>
    pruneSpool(app.store, spool, spoolRetentionDays(app.config))
      .then((p) => p.pruned && log.info(p, 'intake spool pruned'))
      .catch((e) => log.error({ err: (e as Error).message }, 'intake spool prune failed'));
  await prune();
  const timer = setInterval(() => void prune(), DAY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
