import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { PG_MIGRATIONS_DIR } from '../../paths.ts';

// node-postgres reads bigint (int8) and numeric as strings; every integer here is an id, a count or
// epoch milliseconds, all well inside 2^53, so they are read as numbers as on SQLite.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export function isPostgresUrl(url: string | undefined | null): url is string {
  return typeof url === 'string' && /^postgres(ql)?:\/\//.test(url);
}

/** A connection pool to the database at `url`, with the migrations applied. */
export async function openPostgres(url: string, opts: { max?: number; migrationsDir?: string } = {}): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, application_name: 'centralizer' });
  // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // Several daemons may start at once: one migrates, the others wait on the same advisory lock.
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock(7319001)');
    await migrate(drizzle({ client }), { migrationsFolder: opts.migrationsDir ?? PG_MIGRATIONS_DIR });
  } finally {
    await client.query('select pg_advisory_unlock(7319001)').catch(() => {});
    client.release();
  }
  return pool;
}
