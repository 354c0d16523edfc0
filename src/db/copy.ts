import { getTableColumns } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import * as pgSchema from './postgres/schema.ts';

export interface TableCopy {
  table: string;
  source: number;
  copied: number;
}

type PgTable = (typeof pgSchema)['leads'];

/** The PostgreSQL tables in reference order (a row's references are copied before it). */
function tablesInOrder(): { name: string; table: PgTable }[] {
  const byName = new Map<string, PgTable>();
  for (const value of Object.values(pgSchema)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && Symbol.for('drizzle:Name') in value) {
      byName.set((value as unknown as Record<symbol, string>)[Symbol.for('drizzle:Name')], value as PgTable);
    }
  }
  return pgSchema.TABLES_IN_ORDER.map((name) => ({ name, table: byName.get(name)! }));
}

/** Parameters per INSERT stay well under PostgreSQL's 65,535. */
const MAX_PARAMS = 30_000;

/**
 * Copies every table of a SQLite database into an empty PostgreSQL one, in one transaction (all or
 * nothing), with the user triggers off while copying (the counters are copied, not recounted) and
 * the identity sequences moved past the copied ids, then each table vacuumed and analyzed (outside
 * the transaction: VACUUM cannot run in one). Returns each table's counts, read back from
 * both sides; the caller refuses a copy whose counts differ.
 */
export async function copySqliteToPostgres(
  sqlite: Database.Database,
  pool: pg.Pool,
  progress: (table: string, done: number, total: number) => void = () => {},
  vacuuming: (table: string) => void = () => {},
): Promise<TableCopy[]> {
  const tables = tablesInOrder();
  const client = await pool.connect();
  try {
    const { rows: nonEmpty } = await client.query<{ n: number }>('select (select count(*) from raw_emails) + (select count(*) from leads) + (select count(*) from users) as n');
    if (nonEmpty[0].n > 0) throw new Error('la base PostgreSQL de destino no está vacía (tiene correos, leads o usuarios): copie a una base nueva');
    await client.query('begin');
    for (const { name } of tables) await client.query(`alter table ${name} disable trigger user`);
    const result: TableCopy[] = [];
    for (const { name, table } of tables) {
      const columns = Object.values(getTableColumns(table) as Record<string, { name: string; columnType: string }>);
      const names = columns.map((c) => c.name);
      const booleans = columns.map((c) => c.columnType === 'PgBoolean');
      const total = (sqlite.prepare(`select count(*) n from ${name}`).get() as { n: number }).n;
      const perInsert = Math.max(1, Math.floor(MAX_PARAMS / names.length));
      let batch: unknown[][] = [];
      let done = 0;
      const flush = async () => {
        if (!batch.length) return;
        const values: unknown[] = [];
        const tuples = batch.map((row) => `(${row.map((v) => `$${values.push(v)}`).join(', ')})`);
        await client.query(`insert into ${name} (${names.join(', ')}) overriding system value values ${tuples.join(', ')}`, values);
        done += batch.length;
        batch = [];
        progress(name, done, total);
      };
      const select = sqlite.prepare(`select ${names.join(', ')} from ${name}`).raw(true);
      for (const row of select.iterate() as IterableIterator<unknown[]>) {
        // PostgreSQL text holds no NUL characters (SQLite does: TNEF and broken encoders): they are dropped.
        batch.push(row.map((v, i) => (booleans[i] && v !== null ? Boolean(v) : typeof v === 'string' && v.includes('\u0000') ? v.replace(/\u0000/g, '') : v)));
        if (batch.length >= perInsert) await flush();
      }
      await flush();
      if (names.includes('id')) {
        const identity = await client.query<{ seq: string | null }>(`select pg_get_serial_sequence('${name}', 'id') seq`);
        if (identity.rows[0].seq) await client.query(`select setval($1, coalesce((select max(id) from ${name}), 0) + 1, false)`, [identity.rows[0].seq]);
      }
      const copied = (await client.query<{ n: number }>(`select count(*) n from ${name}`)).rows[0].n;
      result.push({ table: name, source: total, copied });
    }
    for (const { name } of tables) await client.query(`alter table ${name} enable trigger user`);
    const wrong = result.filter((r) => r.source !== r.copied);
    if (wrong.length) throw new Error(`las cuentas no coinciden: ${wrong.map((w) => `${w.table} ${w.source} → ${w.copied}`).join(', ')}; no se copió nada`);
    await client.query('commit');
    // A bulk load leaves the visibility map unset and no statistics: index-only scans would read
    // the heap and autovacuum would start under the first queries. Done once here instead.
    for (const { name } of tables) {
      vacuuming(name);
      await client.query(`vacuum (analyze) ${name}`);
    }
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
