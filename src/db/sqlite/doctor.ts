import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS_DIR } from '../../paths.ts';
import { quickCheck } from './health.ts';
import { markerPath, openDatabase } from './open.ts';

// What `centralizer doctor` reads of the SQLite database: read-only, on its own connection, never
// creating or migrating it. Here because only src/db may hold the driver and SQL (architecture test).

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
  /** A mailbox's stored refresh token, still sealed (mail-auth/secret-box.ts opens it); null when none. */
  sealedRefreshToken(mailbox: string): string | null;
  /** Closes the read-only connection. */
  close(): void;
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
  const shipped = shippedMigrations();
  if (!fs.existsSync(file)) {
    return { missing: true, markerFound, quickCheck: null, pendingMigrations: shipped.map((m) => m.tag), appliedMigrations: 0, unknownMigrations: 0, sealedRefreshToken: () => null, close: () => {} };
  }
  const sqlite = openDatabase(file, { readonly: true, quickCheck: false }).$client;
  try {
    const bad = quickCheck(sqlite);
    const has = (table: string) => (sqlite.prepare('SELECT count(*) AS n FROM sqlite_master WHERE name = ?').get(table) as { n: number }).n > 0;
    const applied = has('__drizzle_migrations') ? (sqlite.prepare('SELECT created_at AS at FROM __drizzle_migrations').all() as { at: number }[]).map((r) => Number(r.at)) : [];
    const done = new Set(applied);
    const unknownMigrations = applied.filter((at) => !shipped.some((m) => m.when === at)).length;
    const pendingMigrations = shipped.filter((m) => !done.has(m.when)).map((m) => m.tag);
    const hasTokens = has('mailbox_tokens');
    const sealedRefreshToken = (mailbox: string): string | null =>
      hasTokens ? ((sqlite.prepare('SELECT refresh_token AS t FROM mailbox_tokens WHERE mailbox = ?').get(mailbox) as { t: string } | undefined)?.t ?? null) : null;
    return { missing: false, markerFound, quickCheck: bad, pendingMigrations, appliedMigrations: applied.length, unknownMigrations, sealedRefreshToken, close: () => sqlite.close() };
  } catch (e) {
    sqlite.close();
    throw e;
  }
}
