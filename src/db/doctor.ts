import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS_DIR } from '../paths.ts';
import { quickCheck } from './health.ts';
import { markerPath, openDatabase } from './open.ts';
import { SqliteConnection } from './sqlite-base.ts';

/** What `centralizer doctor` reads of the SQLite database, read-only (it never creates or migrates it). */
export interface DatabaseInspection {
  /** The file does not exist yet (a fresh install: the daemon creates it at its first start). */
  missing: boolean;
  /** A marker says a database lived at this path: a missing file is then lost, not new. */
  markerFound: boolean;
  /** null when quick_check answered ok, else its first lines. */
  quickCheck: string | null;
  /** Migrations shipped with this version that the database has not applied yet. */
  pendingMigrations: string[];
  appliedMigrations: number;
  /** Applied migrations this version does not ship: the database is from a newer version. */
  unknownMigrations: number;
  /** A read-only connection for the checks that read stored rows (OAuth2 refresh tokens); close it. */
  conn: SqliteConnection | null;
}

interface JournalEntry {
  tag: string;
  when: number;
}

function shippedMigrations(): JournalEntry[] {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] };
  return journal.entries;
}

/** Opens the database read-only, runs quick_check and compares the applied migrations with the shipped ones. Throws what opening throws. */
export function inspectDatabase(file: string): DatabaseInspection {
  const markerFound = fs.existsSync(markerPath(file));
  if (!fs.existsSync(file)) return { missing: true, markerFound, quickCheck: null, pendingMigrations: shippedMigrations().map((m) => m.tag), appliedMigrations: 0, unknownMigrations: 0, conn: null };
  const db = openDatabase(file, { readonly: true, quickCheck: false });
  const sqlite = db.$client;
  try {
    const bad = quickCheck(sqlite);
    const hasTable = (sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = '__drizzle_migrations'").get() as { n: number }).n > 0;
    const applied = hasTable ? (sqlite.prepare('SELECT created_at AS at FROM __drizzle_migrations').all() as { at: number }[]).map((r) => Number(r.at)) : [];
    const done = new Set(applied);
    const shipped = shippedMigrations();
    const unknownMigrations = applied.filter((at) => !shipped.some((m) => m.when === at)).length;
    const pendingMigrations = shipped
      .filter((m) => !done.has(m.when))
      .map((m) => m.tag);
    let conn: SqliteConnection | null = null;
    try {
      conn = hasTable ? new SqliteConnection(db) : null;
    } catch {
      conn = null; // tables missing: the migrations line says so
    }
    if (!conn) sqlite.close();
    return { missing: false, markerFound, quickCheck: bad, pendingMigrations, appliedMigrations: applied.length, unknownMigrations, conn };
  } catch (e) {
    sqlite.close();
    throw e;
  }
}
