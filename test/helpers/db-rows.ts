// Plain SQL on whichever engine the app runs (SQLite file or PostgreSQL database), for tests that
// state facts about tables. Write the SQL once in the portable form: `?` placeholders (numbered
// for PostgreSQL here), no engine-only functions. Values come back alike on both engines:
// PostgreSQL booleans read as 1/0 like SQLite's, bigints as numbers (src/db/postgres/open.ts).
import type pg from 'pg';
import type { Storage } from '../../src/db/port.ts';
import { Store } from '../../src/db/sqlite/store.ts';

export type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a row of any table
interface HasStore { store: Storage }

/** `?` to `$1..$n`, leaving quoted strings and identifiers alone. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let out = '';
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else out += ch === '?' ? `$${++n}` : ch;
  }
  return out;
}

const sqliteParam = (v: unknown) => (typeof v === 'boolean' ? Number(v) : v);
const portable = (row: Row): Row => {
  for (const [k, v] of Object.entries(row)) if (typeof v === 'boolean') row[k] = Number(v);
  return row;
};

function pool(app: HasStore): pg.Pool {
  const p = (app.store as unknown as { pool?: pg.Pool }).pool;
  if (!p) throw new Error(`db-rows: no connection for the ${app.store.engine} store`);
  return p;
}

/** Every row the statement returns (none for a statement without RETURNING). */
export async function rows<T extends Row = Row>(app: HasStore, sql: string, params: unknown[] = []): Promise<T[]> {
  if (app.store instanceof Store) {
    const stmt = app.store.sqlite.prepare(sql);
    if (!stmt.reader) {
      stmt.run(...params.map(sqliteParam));
      return [];
    }
    return stmt.all(...params.map(sqliteParam)) as T[];
  }
  const res = await pool(app).query(numberPlaceholders(sql), params);
  return (res.rows ?? []).map(portable) as T[];
}

/** The first row, or undefined. */
export async function row<T extends Row = Row>(app: HasStore, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await rows<T>(app, sql, params))[0];
}

/** The first column of the first row (a count, an id), or undefined. */
export async function value<T = number>(app: HasStore, sql: string, params: unknown[] = []): Promise<T> {
  const r = await row(app, sql, params);
  return (r ? Object.values(r)[0] : undefined) as T;
}

/** The first column of every row (a list of ids). */
export async function column<T = number>(app: HasStore, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await rows(app, sql, params)).map((r) => Object.values(r)[0] as T);
}

/** Runs a write; answers how many rows it changed. */
export async function exec(app: HasStore, sql: string, params: unknown[] = []): Promise<number> {
  if (app.store instanceof Store) return app.store.sqlite.prepare(sql).run(...params.map(sqliteParam)).changes;
  return (await pool(app).query(numberPlaceholders(sql), params)).rowCount ?? 0;
}
