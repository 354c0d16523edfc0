import { getTableColumns, getTableName } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Prepared } from './prepared.ts';

/** Values as better-sqlite3 binds them. */
const bind = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v);

/**
 * Insert and update statements built from drizzle's column names and prepared once per set of
 * keys: the ingest path writes leads and clients thousands of times a second, and building the
 * SQL on each call (drizzle's query builder) costs more than running it.
 */
export function rowWriter(table: SQLiteTable, q: Prepared) {
  const name = getTableName(table);
  const columns = new Map(Object.entries(getTableColumns(table)).map(([key, col]) => [key, col.name]));
  const col = (key: string) => {
    const c = columns.get(key);
    if (!c) throw new Error(`${name}: no column for "${key}"`);
    return c;
  };
  return {
    insert(row: Record<string, unknown>): number {
      const keys = Object.keys(row).filter((k) => row[k] !== undefined);
      const stmt = q(`insert into ${name} (${keys.map(col).join(', ')}) values (${keys.map(() => '?').join(', ')})`);
      return Number(stmt.run(...keys.map((k) => bind(row[k]))).lastInsertRowid);
    },
    update(id: number, patch: Record<string, unknown>): void {
      const keys = Object.keys(patch).filter((k) => patch[k] !== undefined);
      if (!keys.length) return;
      q(`update ${name} set ${keys.map((k) => `${col(k)} = ?`).join(', ')} where id = ?`).run(...keys.map((k) => bind(patch[k])), id);
    },
  };
}
