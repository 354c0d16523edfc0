import { sqliteStore } from './helpers/sqlite-store.ts';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { createLogger } from '../src/logger.ts';
import { formEmail, rut, testConfig } from './helpers/mail.ts';

describe('lead_counts aggregate (triggers)', () => {
  it('always equals a GROUP BY over leads, through inserts, updates and deletes', async () => {
    const app = await createApp(testConfig(), createLogger('silent'), { dbPath: ':memory:' });
    for (let i = 0; i < 12; i++) {
      const lines: Record<string, string> = { Nombre: `Persona ${i}`, Correo: `p${i}@correo.cl`, Proyecto: i % 3 ? 'PLR' : 'MDV' };
      if (i % 2) lines.RUT = rut(10_000_000 + i * 31);
      await app.ingestor.ingest(formEmail({ lines }), { source: 'file' });
    }
    const sql = sqliteStore(app).sqlite;
    sql.prepare("update leads set contact_state = 'contactado' where id in (1, 2)").run();
    sql.prepare("update leads set quality = 'malo', project_id = null where id = 3").run();
    sql.prepare('delete from leads where id = 4').run();
    const truth = sql.prepare("select ifnull(project_id,-1) p, ifnull(parser,'') pa, medium m, quality q, contact_state s, count(*) n from leads group by 1,2,3,4,5 order by 1,2,3,4,5").all();
    const agg = sql.prepare('select project_id p, parser pa, medium m, quality q, contact_state s, n from lead_counts where n > 0 order by 1,2,3,4,5').all();
    expect(agg).toEqual(truth);
    expect(truth.length).toBeGreaterThan(3);
    app.close();
  });
});

describe('stats over a date range (daily aggregate + scanned partial days)', () => {
  it('equal a direct scan for ranges with partial days at either end', async () => {
    const { LeadQueries } = await import('../src/db/sqlite/queries.ts');
    const app = await createApp(testConfig(), createLogger('silent'), { dbPath: ':memory:' });
    const DAY = 86_400_000;
    const t0 = Date.parse('2026-10-01T00:00:00Z');
    for (let i = 0; i < 60; i++) {
      const at = new Date(t0 + i * 0.37 * DAY + (i % 5) * 3_600_000);
      const lines: Record<string, string> = { Nombre: `Persona ${i}`, Correo: `p${i}@correo.cl`, Proyecto: i % 3 ? 'PLR' : 'MDV' };
      if (i % 2) lines.RUT = rut(11_000_000 + i * 37);
      await app.ingestor.ingest(formEmail({ lines, date: at.toUTCString().replace('GMT', '+0000') }), { source: 'file' });
    }
    sqliteStore(app).sqlite.prepare("update leads set contact_state = 'contactado' where id % 4 = 0").run();
    const q = new LeadQueries(sqliteStore(app).sqlite);
    const norm = (gs: { quality: string; state: string; medium: string; parser: string | null; overdue: number; n: number }[]) =>
      gs.filter((g) => g.n > 0).map((g) => `${g.quality}|${g.state}|${g.medium}|${g.parser}|${g.overdue}=${g.n}`).sort();
    const now = t0 + 12 * DAY;
    const ranges = [
      { from: t0 + 0.5 * DAY, to: t0 + 10.25 * DAY },
      { from: t0 + 2 * DAY, to: t0 + 9 * DAY },
      { from: t0 + 3.1 * DAY, to: t0 + 3.9 * DAY },
      { from: t0 + 5.5 * DAY, to: undefined },
      { from: undefined, to: t0 + 7.3 * DAY },
      // Whole 16-day buckets inside (the funnel's counters), odd days and partial ends around them.
      { from: t0 - 20.4 * DAY, to: t0 + 30.2 * DAY },
      { from: t0 - 20.4 * DAY, to: t0 + 30.2 * DAY, contactState: ['contactado' as const] },
    ];
    for (const r of ranges) {
      const filter = { ...r, projectIds: undefined };
      expect(norm(await q.statsGroups(filter, now))).toEqual(norm(await q.statsScan(filter, now)));
      const pid = sqliteStore(app).projectId('Parque Los Robles')!;
      expect(norm(await q.statsGroups({ ...r, projectIds: [pid] }, now))).toEqual(norm(await q.statsScan({ ...r, projectIds: [pid] }, now)));
    }
    expect(norm(await q.statsScan(ranges[0], now)).length).toBeGreaterThan(3);
    app.close();
  });
});
