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
