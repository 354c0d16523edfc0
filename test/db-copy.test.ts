import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../src/db/postgres/open.ts';
import { PgStore } from '../src/db/postgres/store.ts';
import { openDatabase } from '../src/db/sqlite/open.ts';
import { Store } from '../src/db/sqlite/store.ts';
import { emailSummary } from '../src/leads/summary.ts';
import { runCli } from './helpers/cli.ts';
import { createTestDatabase } from './helpers/postgres.ts';
import { noPostgres } from './helpers/tools.ts';

describe.skipIf(noPostgres())('centralizer db copy --to postgres://', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbcopy-'));
    file = path.join(dir, 'source.db');
    const r = await runCli(['replay', 'fixtures/toctoc', 'fixtures/portal-inmobiliario', 'fixtures/generic', '--json', '--config', 'fixtures/config.yaml', '--db', file]);
    expect(r.code).toBe(0);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('copies every table with equal counts; the copy reads as the original; a second copy into it is refused', async () => {
    const target = await createTestDatabase();
    try {
      const r = await runCli(['db', 'copy', '--to', target.url, '--db', file, '--config', 'fixtures/config.yaml']);
      expect(r.stderr).not.toMatch(/no coinciden|error/i);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/las cuentas coinciden/);
      const leadsLine = r.stdout.split('\n').find((l) => l.startsWith('leads '))!;
      const [, source, copied] = /leads\s+(\d+) → (\d+)/.exec(leadsLine)!;
      expect(Number(source)).toBeGreaterThan(10);
      expect(copied).toBe(source);
      // Vacuumed and analyzed after the load: statistics and the visibility map are there for the first queries.
      expect(r.stderr).toMatch(/VACUUM ANALYZE leads/);
      const stats = await openPostgres(target.url, { max: 1 });
      try {
        const { rows } = await stats.query<{ relname: string }>("select relname from pg_stat_user_tables where relname in ('leads', 'raw_emails', 'lead_funnel_16d') and last_vacuum is not null and last_analyze is not null");
        expect(rows.map((x) => x.relname).sort()).toEqual(['lead_funnel_16d', 'leads', 'raw_emails']);
      } finally {
        await stats.end();
      }

      const sqlite = new Store(openDatabase(file, { readonly: true }));
      const pg = await PgStore.connect(await openPostgres(target.url, { max: 2 }));
      try {
        const ids = await sqlite.rawIdsByStatus(['lead', 'ignored'], null);
        expect(await pg.rawIdsByStatus(['lead', 'ignored'], null)).toEqual(ids);
        for (const id of ids) expect(await pg.read((tx) => emailSummary(tx, id))).toEqual(await sqlite.read((tx) => emailSummary(tx, id)));
        // Identity sequences continue after the copied ids: a new row does not collide.
        const next = await pg.unitOfWork(function* (tx) {
          return (yield tx.insertRaw({ source: 'file', messageId: '<new@x>', sha256: 'n', size: 1, raw: Buffer.from('x'), receivedAt: 1 }, 1)) as number;
        });
        expect(next).toBeGreaterThan(Math.max(...ids));
      } finally {
        sqlite.close();
        await pg.close();
      }

      const again = await runCli(['db', 'copy', '--to', target.url, '--db', file, '--config', 'fixtures/config.yaml']);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/no está vacía/);
    } finally {
      await target.drop();
    }
  });

  it('refuses a URL that is not postgres://', async () => {
    const r = await runCli(['db', 'copy', '--to', 'mysql://x/y', '--db', file, '--config', 'fixtures/config.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/postgres:\/\//);
  });
});
