import fs from 'node:fs';
import path from 'node:path';
import { copySqliteToPostgres } from '../db/copy.ts';
import { openDatabase } from '../db/sqlite/open.ts';
import { isPostgresUrl, openPostgres } from '../db/postgres/open.ts';
import { type CommandContext, UsageError } from './context.ts';

/** The URL without its password, for messages. */
export const safeUrl = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

/**
 * `centralizer db copy --to postgres://…`: every table of the SQLite database (raw emails, leads,
 * clients, actions, users, audit, outbox, …) into an empty PostgreSQL database, in one
 * transaction, with each table's counts checked on both sides. Run it with the daemon stopped.
 */
export async function dbCommand(ctx: CommandContext): Promise<number> {
  const [sub, extra] = ctx.args;
  const to = ctx.values.to;
  if (sub !== 'copy' || extra || typeof to !== 'string') throw new UsageError('uso: centralizer db copy --to postgres://usuario@servidor/base [--db ARCHIVO]');
  if (!isPostgresUrl(to)) throw new UsageError(`db copy: --to debe ser una URL postgres:// (se recibió "${safeUrl(to)}")`);
  const file = path.resolve(ctx.db ?? ctx.config.database.path);
  if (!fs.existsSync(file)) {
    ctx.err.write(`db copy: no existe la base SQLite ${file}\n`);
    return 1;
  }
  const sqlite = openDatabase(file, { readonly: true }).$client;
  const pool = await openPostgres(to, { max: 2 });
  const started = Date.now();
  let last = 0;
  try {
    const result = await copySqliteToPostgres(sqlite, pool, (table, done, total) => {
      if (Date.now() - last < 1000 && done < total) return; // progress at most once a second
      last = Date.now();
      ctx.err.write(`db copy: ${table} ${done} de ${total}\n`);
    }, (table) => ctx.err.write(`db copy: VACUUM ANALYZE ${table}\n`));
    for (const r of result) ctx.out.write(`${r.table.padEnd(22)} ${String(r.source).padStart(9)} → ${r.copied}\n`);
    const rows = result.reduce((n, r) => n + r.copied, 0);
    ctx.out.write(`copiadas ${rows} filas de ${result.length} tablas de ${file} a ${safeUrl(to)} en ${((Date.now() - started) / 1000).toFixed(1)} s; las cuentas coinciden en cada tabla\n`);
    return 0;
  } catch (err) {
    ctx.err.write(`db copy: ${(err as Error).message}\n`);
    return 1;
  } finally {
    sqlite.close();
    await pool.end();
  }
}
