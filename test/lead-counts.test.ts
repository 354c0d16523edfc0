import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { createLogger } from '../src/logger.ts';
import { formEmail, rut, testConfig } from './helpers/mail.ts';

describe('lead_counts aggregate (triggers)', () => {
  it('always equals a GROUP BY over leads, through inserts, updates and deletes', async () => {
    const app = createApp(testConfig(), createLogger('silent'), { dbPath: ':memory:' });
    for (let i = 0; i < 12; i++) {
      const lines: Record<string, string> = { Nombre: `Persona ${i}`, Correo: `p${i}@correo.cl`, Proyecto: i % 3 ? 'PLR' : 'MDV' };
      if (i % 2) lines.RUT = rut(10_000_000 + i * 31);
      await app.ingestor.ingest(formEmail({ lines }), { source: 'file' });
    }
    const sql = app.store.sqlite;
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
