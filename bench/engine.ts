// The storage engine a bench run measures: SQLite files in the run's directory (the default) or,
// with `--db postgres://…`, one PostgreSQL database that each part empties and fills again. The
// same parts and keys run on both; only where the daemon keeps its rows changes.
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { copySqliteToPostgres } from '../src/db/copy.ts';
import { openPostgres } from '../src/db/postgres/open.ts';

export interface BenchEngine {
  name: 'sqlite' | 'postgres';
  /** The daemon's `database:` config for a part, on an empty database. */
  fresh(part: string): Promise<{ path: string } | { url: string }>;
  /** A number read from the part's database (`select count(*) n …`), null before it exists. */
  count(part: string, sql: string): Promise<number | null>;
  /** The query part's database, built as a SQLite file first; PostgreSQL copies it in. */
  adopt(part: string, sqliteFile: string, say: (s: string) => void): Promise<{ path: string } | { url: string }>;
  close(): Promise<void>;
}

export function sqliteEngine(dir: string): BenchEngine {
  const file = (part: string) => path.join(dir, `${part}.db`);
  return {
    name: 'sqlite',
    fresh: async (part) => ({ path: file(part) }),
    async count(part, sql) {
      try {
        const db = new Database(file(part), { readonly: true, fileMustExist: true });
        try {
          return (db.prepare(sql).get() as { n: number }).n;
        } finally {
          db.close();
        }
      } catch {
        return null; // not created yet
      }
    },
    adopt: async (_part, sqliteFile) => ({ path: sqliteFile }),
    close: async () => {},
  };
}

/** Every part empties the database: the URL must name a database the bench may wipe. */
export function postgresEngine(url: string): BenchEngine {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {});
  const wipe = async () => {
    await pool.query('drop schema if exists drizzle cascade');
    await pool.query('drop schema if exists public cascade');
    await pool.query('create schema public');
  };
  return {
    name: 'postgres',
    async fresh() {
      await wipe();
      return { url };
    },
    async count(_part, sql) {
      try {
        return Number((await pool.query<{ n: number }>(sql)).rows[0].n);
      } catch {
        return null; // schema not migrated yet
      }
    },
    async adopt(_part, sqliteFile, say) {
      await wipe();
      const target = await openPostgres(url, { max: 2 });
      const sqlite = new Database(sqliteFile, { readonly: true });
      const t = performance.now();
      try {
        let last = '';
        await copySqliteToPostgres(sqlite, target, (table, done, total) => {
          if (done === total && table !== last) {
            last = table;
            if (total >= 100_000) say(`  copied ${table}: ${total.toLocaleString()} rows`);
          }
        });
      } finally {
        sqlite.close();
        await target.end();
      }
      say(`  copied into PostgreSQL in ${Math.round((performance.now() - t) / 1000)} s (db copy)`);
      return { url };
    },
    close: () => pool.end(),
  };
}
