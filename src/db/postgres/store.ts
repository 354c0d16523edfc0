import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { Logger } from '../../logger.ts';
import {
  runAsync, type Storage, 
  type StoreReads, type StoreTx, type Work,
} from '../port.ts';

import { ProjectIds, nulSafe } from './rows.ts';
import { PgReads } from './reads.ts';
import { PgTx } from './tx.ts';
import { PgHealth } from './health.ts';

/** deadlock_detected and serialization_failure: the transaction did nothing, and may run again. */
const RETRIED = new Set(['40P01', '40001']);
/**
 * A prepared statement the connection lost (invalid_sql_statement_name: a pooler between) or whose
 * result changed shape (feature_not_supported, "cached plan must not change result type": another
 * daemon migrated): the connection is dropped, and the work runs again on a fresh one.
 */
const STALE_STATEMENT = new Set(['26000', '0A000']);
const MAX_ATTEMPTS = 5;

/**
 * The PostgreSQL adapter of the storage port: the same interface as the SQLite Store, every call
 * asynchronous. A unit of work runs on one pooled client between BEGIN and COMMIT (the generator
 * driven by runAsync); a unit started inside another joins it. Reads outside run on the pool.
 */
export class PgStore extends PgReads implements Storage {
  readonly engine = 'postgres' as const;
  private readonly open = new AsyncLocalStorage<PgTx>();

  private constructor(
    readonly pool: pg.Pool,
    projects: ProjectIds,
    private readonly log: Logger | undefined,
    private readonly prepared: boolean,
  ) {
    super(nulSafe(pool), projects);
  }

  /** `prepared`: a unit of work's statements are prepared once per connection (config database.preparedStatements). */
  static async connect(pool: pg.Pool, log?: Logger, opts: { prepared?: boolean } = {}): Promise<PgStore> {
    const projects = new ProjectIds();
    await projects.load(pool);
    return new PgStore(pool, projects, log, opts.prepared ?? true);
  }

  /** The database, for messages (no credentials). */
  get name(): string {
    const o = this.pool.options;
    // A pool made from a URL keeps it as connectionString (host, port and database stay unset): read
    // them from it, or every database would have the same name (and share one intake spool).
    const u = o.connectionString ? new URL(o.connectionString) : null;
    const host = o.host ?? (u?.hostname || 'localhost');
    const port = o.port ?? (u?.port || 5432);
    const database = o.database ?? (u ? decodeURIComponent(u.pathname.replace(/^\//, '')) : '');
    return `postgres://${host}:${port}/${database}`;
  }

  async unitOfWork<T>(work: (tx: StoreTx) => Work<T>): Promise<T> {
    const joined = this.open.getStore();
    if (joined) return runAsync(work(joined as unknown as StoreTx));
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(work);
      } catch (err) {
        // Two writers that lock the same counter rows in opposite orders: PostgreSQL cancels one
        // (deadlock, or a serialization failure). Its work is a fresh generator: run it again.
        const code = (err as { code?: string }).code ?? '';
        if (STALE_STATEMENT.has(code) && this.prepared && attempt < 2) {
          this.log?.warn({ code }, 'a prepared statement went stale (a pooler, or a migration elsewhere); retrying on a fresh connection');
          continue;
        }
        if (!RETRIED.has(code) || attempt >= MAX_ATTEMPTS) throw err;
        this.log?.warn({ code, attempt }, 'transaction cancelled by PostgreSQL (deadlock or serialization); retrying');
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20 * attempt));
      }
    }
  }

  private async once<T>(work: (tx: StoreTx) => Work<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('begin');
      const tx = new PgTx(nulSafe(client, { prepared: this.prepared }), this.projects);
      const result = await this.open.run(tx, () => runAsync(work(tx as unknown as StoreTx)));
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch((e: Error) => this.log?.warn({ err: e.message }, 'rollback failed'));
      if (STALE_STATEMENT.has((err as { code?: string }).code ?? '')) broken = err as Error;
      throw err;
    } finally {
      client.release(broken); // a connection with a stale prepared statement is closed, not reused
    }
  }

  async read<T>(work: (r: StoreReads) => Work<T>): Promise<T> {
    return runAsync(work(this.open.getStore() ?? this));
  }

  private monitor: PgHealth | null = null;

  /** A ping on the pool, for /healthz. */
  health(): PgHealth {
    return (this.monitor ??= new PgHealth(this.pool));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
