import pg from 'pg';

/** A pool, or one client whose transaction the caller holds. */
export type PgHandle = pg.Pool | pg.PoolClient;
export type Queryable = Pick<pg.PoolClient, 'query'>;

export async function rowsOf<T>(c: Queryable, text: string, values: unknown[] = []): Promise<T[]> {
  return (await c.query(text, values)).rows as T[];
}

export async function firstOf<T>(c: Queryable, text: string, values: unknown[] = []): Promise<T | null> {
  return ((await c.query(text, values)).rows[0] as T | undefined) ?? null;
}

/**
 * `fn` in one transaction on one pooled client. Over a client (the caller's transaction) it runs
 * there as is, so a write joins the caller's unit of work as SQLite's writeTransaction does.
 */
export async function inTransaction<T>(db: PgHandle, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  if (!(db instanceof pg.Pool)) return fn(db);
  const client = await db.connect();
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
