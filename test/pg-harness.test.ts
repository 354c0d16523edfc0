import { createHash } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/postgres.ts';
import { noPostgres } from './helpers/tools.ts';

describe.skipIf(noPostgres())('PostgreSQL test harness', () => {
  it('gives each caller its own empty database on the run cluster', async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    try {
      expect(a.url).not.toBe(b.url);
      const c = new pg.Client({ connectionString: a.url });
      await c.connect();
      await c.query('create table t (x int)');
      const tables = await c.query("select count(*)::int n from information_schema.tables where table_schema = 'public'");
      await c.end();
      expect(tables.rows[0].n).toBe(1);
      const d = new pg.Client({ connectionString: b.url });
      await d.connect();
      const none = await d.query("select count(*)::int n from information_schema.tables where table_schema = 'public'");
      await d.end();
      expect(none.rows[0].n).toBe(0);
    } finally {
      await a.drop();
      await b.drop();
    }
  });
});

describe.skipIf(noPostgres())('a PostgreSQL store names its database', () => {
  it('from the URL it was opened with: two databases, two names, two intake spools', async () => {
    const { openPostgres } = await import('../src/db/postgres/open.ts');
    const { PgStore } = await import('../src/db/postgres/store.ts');
    const { spoolDirFor } = await import('../src/intake/spool.ts');
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    const stores = [await PgStore.connect(await openPostgres(a.url)), await PgStore.connect(await openPostgres(b.url))];
    try {
      const [u, v] = [new URL(a.url), new URL(b.url)];
      expect(stores[0].name).toBe(`postgres://${u.hostname}:${u.port}${u.pathname}`);
      expect(stores[1].name).toBe(`postgres://${v.hostname}:${v.port}${v.pathname}`);
      expect(spoolDirFor({ spool: {} } as never, stores[0].name)).not.toBe(spoolDirFor({ spool: {} } as never, stores[1].name));
    } finally {
      for (const s of stores) await s.close();
      await a.drop();
      await b.drop();
    }
  });
});

describe.skipIf(noPostgres())('a PostgreSQL unit of work prepares its statements', () => {
  /** A store on a pool of one connection (every unit of work on the same session), on a new database. */
  const withStore = async (prepared: boolean, run: (store: import('../src/db/postgres/store.ts').PgStore, count: (name: string) => Promise<number>, url: string) => Promise<void>) => {
    const { openPostgres } = await import('../src/db/postgres/open.ts');
    const { PgStore } = await import('../src/db/postgres/store.ts');
    const { io } = await import('../src/db/port.ts');
    const db = await createTestDatabase();
    const store = await PgStore.connect(await openPostgres(db.url, { max: 1 }), undefined, { prepared });
    try {
      await run(store, (name) => store.unitOfWork((tx) => io(tx.nextCounter(name))), db.url);
    } finally {
      await store.close();
      await db.drop();
    }
  };

  it('once per connection, by name, and runs them again from there (a pool of one connection)', () =>
    withStore(true, async (store, count) => {
      for (let i = 1; i <= 7; i++) expect(await count('prepared.test')).toBe(i);
      const { rows } = await store.pool.query<{ statement: string; runs: number }>("select statement, (generic_plans + custom_plans)::int runs from pg_prepared_statements where name like 'uow%'");
      const counter = rows.filter((r) => /counters/.test(r.statement));
      expect(counter.length).toBeGreaterThan(0);
      expect(Math.max(...counter.map((r) => r.runs))).toBe(7); // parsed once, executed seven times
    }));

  it('and when one went stale (its result changed shape after a migration elsewhere), runs the work again on a fresh connection', () =>
    withStore(true, async (store, count, url) => {
      const other = new pg.Client({ connectionString: url });
      await other.connect();
      try {
        for (let i = 1; i <= 2; i++) expect(await count('stale.test')).toBe(i);
        const before = (await store.pool.query<{ pid: number }>('select pg_backend_pid() pid')).rows[0].pid;
        await other.query('alter table counters alter column value type numeric'); // `returning value` changes type
        expect(await count('stale.test')).toBe(3);
        const after = (await store.pool.query<{ pid: number }>('select pg_backend_pid() pid')).rows[0].pid;
        expect(after).not.toBe(before); // the stale connection was closed
      } finally {
        await other.end();
      }
    }));

  it('not when told so (database.preparedStatements: false, for a pooler that would lose them)', () =>
    withStore(false, async (store, count) => {
      for (let i = 1; i <= 3; i++) expect(await count('prepared.test')).toBe(i);
      const { rows } = await store.pool.query<{ n: number }>("select count(*)::int n from pg_prepared_statements where name like 'uow%'");
      expect(rows[0].n).toBe(0);
    }));
});

describe('the statements a PostgreSQL unit of work prepares', () => {
  const capture = async () => {
    const { nulSafe, MAX_PREPARED, MAX_PREPARED_PARAMS } = await import('../src/db/postgres/rows.ts');
    const sent: unknown[] = [];
    const c = nulSafe({ query: ((q: unknown) => void sent.push(q)) as never }, { prepared: true });
    return { c, sent, MAX_PREPARED, MAX_PREPARED_PARAMS };
  };
  const isNamed = (q: unknown): q is { name: string; text: string; values: unknown[] } => typeof q === 'object' && q !== null && 'name' in q;

  it('are named by their text (the same name in every process); ordered limited queries, long parameter lists and texts without values are not', async () => {
    const { c, sent, MAX_PREPARED_PARAMS } = await capture();
    await c.query('select value from counters where name = $1', ['x']);
    await c.query('select id from leads where email = any($1) order by id desc limit 1', [['a@b.cl']]);
    await c.query(`select ${Array.from({ length: MAX_PREPARED_PARAMS + 1 }, (_, i) => `$${i + 1}::int`).join(', ')}`, Array.from({ length: MAX_PREPARED_PARAMS + 1 }, () => 1));
    await c.query('select 1');
    expect(sent[0]).toEqual({ name: `uow_${createHash('sha1').update('select value from counters where name = $1').digest('hex').slice(0, 24)}`, text: 'select value from counters where name = $1', values: ['x'] });
    expect(sent.slice(1).map(isNamed)).toEqual([false, false, false]);
  });

  it('are at most a bound of texts: past it, new texts run unprepared and the named ones keep their names', async () => {
    const { c, sent, MAX_PREPARED } = await capture();
    const texts = Array.from({ length: MAX_PREPARED + 5 }, (_, i) => `select $1::int + ${i}`);
    for (const t of [...texts, texts[0]]) await c.query(t, [1]);
    const named = sent.slice(0, texts.length).map(isNamed);
    const first = named.indexOf(false); // texts other tests named came first
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(MAX_PREPARED);
    expect(named.slice(0, first).every(Boolean) && named.slice(first).every((n) => !n)).toBe(true);
    expect(sent.at(-1)).toEqual(sent[0]); // the same text, the same name
  });
});
