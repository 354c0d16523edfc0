import type Database from 'better-sqlite3';
import { AppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';

/** A write lock waited for longer than this is logged, even when it was granted. */
export const SLOW_LOCK_MS = 1000;

const statements = new WeakMap<Database.Database, { begin: Database.Statement; commit: Database.Statement; rollback: Database.Statement }>();

/**
 * The one write path of a connection: `fn` in BEGIN IMMEDIATE … COMMIT (a nested call joins as a
 * savepoint). IMMEDIATE takes the write lock up front, so a second writer (replay beside the
 * daemon) waits busy_timeout instead of failing on a lock upgrade midway (drizzle's
 * `db.transaction` opens DEFERRED). A wait that runs out is a `db.busy` AppError saying how long it
 * waited; a long wait that succeeded is logged.
 */
export function writeTransaction<T>(conn: Database.Database, fn: () => T, log?: Logger): T {
  if (conn.inTransaction) return conn.transaction(fn)();
  let s = statements.get(conn);
  if (!s) statements.set(conn, (s = { begin: conn.prepare('BEGIN IMMEDIATE'), commit: conn.prepare('COMMIT'), rollback: conn.prepare('ROLLBACK') }));
  const started = performance.now();
  try {
    s.begin.run();
  } catch (err) {
    const waited = Math.round(performance.now() - started);
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      log?.error({ waitedMs: waited }, 'database write lock not granted: another process holds it');
      throw new AppError('db.busy', `la base de datos está bloqueada por otra escritura (se esperó ${waited} ms)`);
    }
    throw err;
  }
  const waited = performance.now() - started;
  if (waited > SLOW_LOCK_MS) log?.warn({ waitedMs: Math.round(waited) }, 'waited for the database write lock');
  try {
    const result = fn();
    s.commit.run();
    return result;
  } catch (err) {
    if (conn.inTransaction) s.rollback.run();
    throw err;
  }
}
