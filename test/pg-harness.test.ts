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
  it('once per connection, by name, and runs them again from there (a pool of one connection)', async () => {
    const { openPostgres } = await import('../src/db/postgres/open.ts');
    const { PgStore } = await import('../src/db/postgres/store.ts');
    const { io } = await import('../src/db/port.ts');
    const db = await createTestDatabase();
    const store = await PgStore.connect(await openPostgres(db.url, { max: 1 }));
    try {
      for (let i = 1; i <= 7; i++) expect(await store.unitOfWork((tx) => io(tx.nextCounter('prepared.test')))).toBe(i);
      const { rows } = await store.pool.query<{ statement: string; runs: number }>("select statement, (generic_plans + custom_plans)::int runs from pg_prepared_statements where name like 'uow%'");
      const counter = rows.filter((r) => /counters/.test(r.statement));
      expect(counter.length).toBeGreaterThan(0);
      expect(Math.max(...counter.map((r) => r.runs))).toBe(7); // parsed once, executed seven times
    } finally {
      await store.close();
      await db.drop();
    }
  });

  it('not when told so (database.preparedStatements: false, for a pooler that would lose them)', async () => {
    const { openPostgres } = await import('../src/db/postgres/open.ts');
    const { PgStore } = await import('../src/db/postgres/store.ts');
    const { io } = await import('../src/db/port.ts');
    const db = await createTestDatabase();
    const store = await PgStore.connect(await openPostgres(db.url, { max: 1 }), undefined, { prepared: false });
    try {
      for (let i = 1; i <= 3; i++) expect(await store.unitOfWork((tx) => io(tx.nextCounter('prepared.test')))).toBe(i);
      const { rows } = await store.pool.query<{ n: number }>("select count(*)::int n from pg_prepared_statements where name like 'uow%'");
      expect(rows[0].n).toBe(0);
    } finally {
      await store.close();
      await db.drop();
    }
  });

});

describe('the statements a PostgreSQL unit of work prepares', () => {
  it('are named one per text, and past a bound of texts run unprepared of texts runs the rest unprepared', async () => {
    const { nulSafe, MAX_PREPARED } = await import('../src/db/postgres/rows.ts');
    const sent: unknown[] = [];
    const c = nulSafe({ query: ((q: unknown) => void sent.push(q)) as never }, { prepared: true });
    const texts = Array.from({ length: MAX_PREPARED + 5 }, (_, i) => `select $1::int + ${i}`);
    for (const t of [...texts, texts[0]]) await c.query(t, [1]);
    await c.query('select 1'); // no values: the simple protocol, as before
    const named = sent.filter((q): q is { name: string; text: string } => typeof q === 'object' && q !== null && 'name' in q);
    expect(named.length).toBeLessThanOrEqual(MAX_PREPARED + 1);
    expect(typeof sent[MAX_PREPARED + 4]).toBe('string'); // past the bound
    expect(named[0].text).toBe(texts[0]);
    expect(named.at(-1)).toEqual({ name: named[0].name, text: texts[0], values: [1] }); // the same text, the same name
    expect(sent.at(-1)).toBe('select 1');
  });
});
