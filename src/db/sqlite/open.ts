import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS_DIR } from '../../paths.ts';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from '../schema.ts';
import { guardWal } from './wal-guard.ts';
import { observeErrors, quickCheck } from './health.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const MIGRATIONS = MIGRATIONS_DIR;
/** Above this size the full quick_check runs in the health monitor (a worker) instead of at open. */
export const QUICK_CHECK_AT_OPEN_MAX_BYTES = 256 * 1024 * 1024;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** The database at this path cannot be used as it is; never replaced silently. */
export class DatabaseUnusableError extends Error {
  readonly code = 'DatabaseUnusable';
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly marker: { createdAt?: string } | null,
  ) {
    const existed = marker
      ? ` A database was created at this path${marker.createdAt ? ` on ${marker.createdAt}` : ''} (see ${markerPath(file)}), so no new empty one is created: ` +
        'that would lose every manager action and fetch the inboxes again.'
      : '';
    super(
      `database ${file} ${problem}.${existed}\n` +
        `Restore the latest backup with: centralizer restore BACKUP_FILE --db ${file}\n` +
        `(scheduled backups are in the config's backup.dir; see README "Backups and restore").` +
        (marker ? ` To really start over with an empty database, move ${file} and ${markerPath(file)} away first.` : ''),
    );
  }
}

/** A small file beside the database, written when it is created: proof that a database lived here. */
export function markerPath(file: string): string {
  return `${file}.marker`;
}

function readMarker(file: string): { createdAt?: string } | null {
  try {
    return JSON.parse(fs.readFileSync(markerPath(file), 'utf8')) as { createdAt?: string };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return {}; // unreadable or edited: still a marker
  }
}

export function writeMarker(file: string, createdAt = new Date().toISOString()): void {
  const body = { createdAt, note: 'centralizer: a database lives beside this file. If it goes missing, restore a backup (README "Backups and restore"); do not delete this marker unless you mean to start over.' };
  fs.writeFileSync(markerPath(file), `${JSON.stringify(body, null, 2)}\n`);
}

/** Problems visible without opening the file: missing, empty, no SQLite header, shorter than its header says. */
function inspectFile(file: string, marker: { createdAt?: string } | null): 'new' | 'existing' {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) {
    if (marker) throw new DatabaseUnusableError(file, 'is missing', marker);
    return 'new';
  }
  if (st.size === 0) {
    // SQLite treats a zero-byte file as a new database; that is only true of a fresh install.
    if (marker) throw new DatabaseUnusableError(file, 'is empty (0 bytes)', marker);
    return 'new';
  }
  const head = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  const n = fs.readSync(fd, head, 0, 100, 0);
  fs.closeSync(fd);
  if (n < 100 || !head.subarray(0, 16).equals(SQLITE_HEADER)) throw new DatabaseUnusableError(file, 'is not a SQLite database (its header is missing or damaged)', marker);
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const pages = head.readUInt32BE(28);
  // The header's page count is valid when its change counter matches "version-valid-for"; a WAL
  // with frames may legitimately extend a file a crash cut mid-checkpoint, so only judge without one.
  const valid = pages > 0 && head.readUInt32BE(24) === head.readUInt32BE(92);
  const walSize = fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  if (valid && walSize === 0 && st.size < pages * pageSize) {
    throw new DatabaseUnusableError(file, `is truncated (${st.size} bytes; its header says ${pages * pageSize})`, marker);
  }
  return 'existing';
}

function hasMigrations(sqlite: Database.Database): boolean {
  const row = sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = '__drizzle_migrations'").get() as { n: number };
  return row.n > 0 && (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n > 0;
}

export interface OpenOptions {
  readonly?: boolean;
  /** Run quick_check at open: true, false, or by default only for files up to QUICK_CHECK_AT_OPEN_MAX_BYTES. */
  quickCheck?: boolean;
}

/**
 * Opens the SQLite database and applies the migrations. Creates it only on a truly new install: a
 * path where a database used to be (its marker says so) that is now missing, empty, truncated or
 * corrupt is refused with DatabaseUnusableError instead of silently starting over.
 */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  const memory = file === ':memory:' || file === '';
  let state: 'new' | 'existing' = 'new';
  let marker: { createdAt?: string } | null = null;
  if (!memory) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    marker = readMarker(file);
    state = inspectFile(file, marker);
  }
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (e) {
    throw unusable(e, file, marker, state);
  }
  try {
    sqlite.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      sqlite.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a commit survives a process crash (kill -9); the WAL guard checkpoints
      // promptly so that a removed -wal file cannot take acknowledged writes with it either.
      sqlite.pragma('synchronous = NORMAL');
    }
    sqlite.pragma('cache_size = -8000'); // 8 MB: the working set is the recent pages; memory matters more
    sqlite.pragma('temp_store = MEMORY');
    if (state === 'existing') {
      const size = fs.statSync(file).size;
      if (opts.quickCheck ?? size <= QUICK_CHECK_AT_OPEN_MAX_BYTES) {
        const bad = quickCheck(sqlite);
        if (bad) throw new DatabaseUnusableError(file, `is corrupt (quick_check: ${bad.slice(0, 300)})`, marker);
      } else {
        sqlite.prepare('SELECT count(*) FROM sqlite_master').get(); // at least the schema reads
      }
      if (marker && !hasMigrations(sqlite)) throw new DatabaseUnusableError(file, 'is empty (it has no tables)', marker);
    }
  } catch (e) {
    sqlite.close();
    throw unusable(e, file, marker, state);
  }
  const db = drizzle(sqlite, { schema }) as Db;
  if (!opts.readonly) {
    // Off while migrating: table rebuilds drop and rename tables, which must not cascade or check (the
    // pragma is a no-op inside the migrator's transaction, so it is set here).
    sqlite.pragma('foreign_keys = OFF');
    migrate(db, { migrationsFolder: MIGRATIONS });
    sqlite.pragma('foreign_keys = ON');
    if (!memory) {
      if (!marker) writeMarker(file); // new install, or an existing database from before markers
      guardWal(sqlite);
    }
    observeErrors(sqlite);
  }
  return db;
}

/** SQLite's own "not a database" / corrupt / I/O errors at open become the same clear refusal. */
function unusable(e: unknown, file: string, marker: { createdAt?: string } | null, state: 'new' | 'existing'): Error {
  if (e instanceof DatabaseUnusableError || (state === 'new' && !marker)) return e as Error;
  const code = (e as { code?: string }).code ?? '';
  if (/^SQLITE_(NOTADB|CORRUPT|IOERR|CANTOPEN)/.test(code)) return new DatabaseUnusableError(file, `cannot be read (${code}: ${(e as Error).message})`, marker);
  return e as Error;
}
