import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseUnusableError, markerPath, writeMarker } from './open.ts';

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

/** Pages copied per step: ~16 MB with 4 KB pages; the event loop runs between steps. */
const PAGES_PER_STEP = 4096;

/**
 * Copies a live database into `dest` with SQLite's online backup. A read transaction is held on
 * the source for the whole copy, so the result is one consistent snapshot even while another
 * connection or process keeps writing (WAL readers do not block writers, and the backup is not
 * restarted by their commits). Written beside `dest` first and renamed when complete and checked,
 * so a backup file that exists is whole.
 */
export async function backupDatabase(
  source: string,
  dest: string,
  onProgress?: (p: BackupProgress) => void,
  pagesPerStep = PAGES_PER_STEP,
): Promise<{ bytes: number; pages: number }> {
  if (!fs.existsSync(source)) throw new DatabaseUnusableError(source, 'is missing', null);
  fs.mkdirSync(path.dirname(path.resolve(dest)), { recursive: true });
  const tmp = `${dest}.partial-${process.pid}`;
  const db = new Database(source, { readonly: true, fileMustExist: true });
  let pages = 0;
  try {
    db.pragma('busy_timeout = 10000');
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM sqlite_master').get(); // takes the snapshot now
    await db.backup(tmp, {
      progress: (p) => {
        pages = p.totalPages;
        onProgress?.(p);
        return pagesPerStep;
      },
    });
    db.exec('COMMIT');
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  } finally {
    db.close();
  }
  try {
    const out = new Database(tmp);
    try {
      // One self-contained file (no -wal beside it), checked before it takes the real name.
      out.pragma('journal_mode = DELETE');
      const bad = integrityProblems(out, 'quick_check');
      if (bad) throw new Error(`the backup copy failed its quick_check: ${bad}`);
    } finally {
      out.close();
    }
    const fd = fs.openSync(tmp, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, dest);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return { bytes: fs.statSync(dest).size, pages };
}

function integrityProblems(db: Database.Database, check: 'quick_check' | 'integrity_check'): string | null {
  const lines = (db.pragma(`${check}(10)`) as Record<string, string>[]).map((r) => r[check]);
  return lines.length === 1 && lines[0] === 'ok' ? null : lines.join('; ');
}

/** Why a file cannot be restored (not SQLite, damaged, not ours); null when it is a sound backup. */
export function validateBackup(file: string): string | null {
  if (!fs.existsSync(file)) return 'no such file';
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const bad = integrityProblems(db, 'integrity_check');
    if (bad) return `integrity_check failed: ${bad.slice(0, 500)}`;
    const ours = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('__drizzle_migrations', 'leads', 'raw_emails')").get() as { n: number };
    if (ours.n < 3) return 'not a centralizer database (no leads / raw_emails / migrations tables)';
    return null;
  } catch (e) {
    return `cannot be read: ${(e as { code?: string }).code ?? ''} ${(e as Error).message}`.trim();
  } finally {
    db?.close();
  }
}

/** The daemon's lease row in the database at `file`, if it can be read. */
export function readDaemonLease(file: string): { owner: string; expiresAt: number } | null | 'unreadable' {
  if (!fs.existsSync(file) || fs.statSync(file).size === 0) return null;
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const t = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'leases'").get() as { n: number };
    if (!t.n) return null;
    return (db.prepare("SELECT owner, expires_at AS expiresAt FROM leases WHERE name = 'daemon'").get() as { owner: string; expiresAt: number } | undefined) ?? null;
  } catch {
    return 'unreadable';
  } finally {
    db?.close();
  }
}

/** What the database at `target` holds that the backup does not: what a restore would drop. */
export interface NewerData {
  /** Raw rows (emails and intake requests) not in the backup. */
  rawEmails: number;
  /** Leads not in the backup. */
  leads: number;
  /** Leads in both, changed after the backup (their later changes are lost). */
  changedLeads: number;
  /** The Message-IDs of intake (source http) rows not in the backup. */
  intakeMessageIds: string[];
}

/**
 * Compares the database at `target` with `backup` (both read-only): null when there is no current
 * database to lose; a string when it cannot be read (the caller says so and still asks).
 */
export function newerThanBackup(target: string, backup: string): NewerData | null | string {
  if (!fs.existsSync(target) || fs.statSync(target).size === 0) return null;
  let db: Database.Database | null = null;
  try {
    db = new Database(target, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    db.prepare('ATTACH DATABASE ? AS b').run(path.resolve(backup));
    const count = (sql: string) => (db!.prepare(sql).get() as { n: number }).n;
    return {
      rawEmails: count('SELECT count(*) AS n FROM main.raw_emails r WHERE NOT EXISTS (SELECT 1 FROM b.raw_emails x WHERE x.id = r.id AND x.sha256 = r.sha256)'),
      leads: count('SELECT count(*) AS n FROM main.leads l WHERE NOT EXISTS (SELECT 1 FROM b.leads x WHERE x.id = l.id AND x.raw_email_id IS l.raw_email_id)'),
      changedLeads: count('SELECT count(*) AS n FROM main.leads l JOIN b.leads x ON x.id = l.id AND x.raw_email_id IS l.raw_email_id WHERE l.updated_at > x.updated_at'),
      intakeMessageIds: (
        db
          .prepare("SELECT r.message_id AS m FROM main.raw_emails r WHERE r.source = 'http' AND r.message_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM b.raw_emails x WHERE x.message_id = r.message_id)")
          .all() as { m: string }[]
      ).map((r) => r.m),
    };
  } catch (e) {
    return `${(e as { code?: string }).code ?? ''} ${(e as Error).message}`.trim();
  } finally {
    db?.close();
  }
}

export interface RestoreResult {
  /** Where the replaced database (and its -wal, if any) was kept; null when there was none. */
  keptAside: string | null;
  bytes: number;
}

/**
 * Puts a validated backup in place of the database at `target`. The current file is renamed to
 * `<target>.before-restore-<time>` (with its -wal as `…-wal`, so the pair still opens), the stale
 * -shm is removed, and the backup is copied beside the target and renamed over it. The caller
 * makes sure no daemon uses the target.
 */
export async function restoreDatabase(backup: string, target: string, now = new Date()): Promise<RestoreResult> {
  const problem = validateBackup(backup);
  if (problem) throw new Error(`${backup}: ${problem}; nothing was changed`);
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const tmp = `${target}.restoring-${process.pid}`;
  const src = new Database(backup, { readonly: true, fileMustExist: true });
  try {
    await src.backup(tmp); // copies through SQLite: a backup with its own -wal comes out whole
  } finally {
    src.close();
  }
  const fd = fs.openSync(tmp, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  let keptAside: string | null = null;
  if (fs.existsSync(target)) {
    keptAside = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(target, keptAside);
    if (fs.existsSync(`${target}-wal`)) fs.renameSync(`${target}-wal`, `${keptAside}-wal`);
  } else if (fs.existsSync(`${target}-wal`)) {
    fs.renameSync(`${target}-wal`, `${target}.orphan-wal-${now.getTime()}`); // never replay it onto the backup
  }
  fs.rmSync(`${target}-shm`, { force: true });
  fs.rmSync(`${target}-journal`, { force: true });
  fs.renameSync(tmp, target);
  if (!fs.existsSync(markerPath(target))) writeMarker(target);
  return { keptAside, bytes: fs.statSync(target).size };
}

/** `<base>-YYYYMMDD-HHMMSS.db`: sortable by name, one per run. */
export function backupFileName(dbFile: string, at: Date): string {
  const base = path.basename(dbFile).replace(/\.(db|sqlite3?)$/i, '');
  const stamp = at.toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-');
  return `${base}-${stamp}.db`;
}

/** Deletes the oldest scheduled backups of `dbFile` in `dir` beyond `keep`; returns the removed names. */
export function pruneBackups(dir: string, dbFile: string, keep: number): string[] {
  const base = path.basename(dbFile).replace(/\.(db|sqlite3?)$/i, '');
  const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{8}-\\d{6}\\.db$`);
  const ours = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => re.test(f)).sort() : [];
  const gone = ours.slice(0, Math.max(0, ours.length - keep));
  for (const f of gone) fs.rmSync(path.join(dir, f), { force: true });
  return gone;
}
