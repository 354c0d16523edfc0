import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS_DIR } from '../paths.ts';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const MIGRATIONS = MIGRATIONS_DIR;

/** Opens (creating if needed) the SQLite database and applies the migrations. */
export function openDatabase(file: string, opts: { readonly?: boolean } = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file, { readonly: opts.readonly ?? false });
  sqlite.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    sqlite.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a process crash (kill -9); only power loss can lose the last one.
    sqlite.pragma('synchronous = NORMAL');
  }
  sqlite.pragma('cache_size = -8000'); // 8 MB: the working set is the recent pages; memory matters more
  sqlite.pragma('temp_store = MEMORY');
  const db = drizzle(sqlite, { schema }) as Db;
  if (!opts.readonly) {
    // Off while migrating: table rebuilds drop and rename tables, which must not cascade or check (the
    // pragma is a no-op inside the migrator's transaction, so it is set here).
    sqlite.pragma('foreign_keys = OFF');
    migrate(db, { migrationsFolder: MIGRATIONS });
    sqlite.pragma('foreign_keys = ON');
  }
  return db;
}
