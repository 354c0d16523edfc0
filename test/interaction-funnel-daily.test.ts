// interaction_funnel_daily (kept by triggers, drizzle/0015 and drizzle-pg/0005) and the 16-day
// buckets over it and over lead_funnel_daily (drizzle/0016, drizzle-pg/0006) on both engines:
// after inserts through the API, updates (separación state, a follow-up closing quotes, owner,
// reentry, date) and deletes it equals a recount of interactions; and the funnel's interaction
// groups read from it (whole days + scanned partial ends + quotes still in time) equal a direct
// count of interactions for periods with partial days at either end and whole buckets inside;
// lead groups alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeadFilter } from '../src/db/lead-filter.ts';
import { rows, value } from './helpers/db-rows.ts';
import { ANA, DAY, formEmail, rut, seed, startHarness, type Harness } from './http-fixture.ts';

const VENDORS = ['    vendors:', '      - {id: v1, name: Vera Díaz, type: lp}', '      - {id: v2, name: Hugo Pérez, type: lp}'];
const PROJECTS = ['  - name: Parque Los Robles', '    aliases: [PLR]', ...VENDORS, '  - name: Mirador del Valle', '    aliases: [MDV]', ...VENDORS];
const buenoRut = (i: number) => rut(10_000_000 + i * 7919);

const RECOUNT = `SELECT at / 86400000 AS day, kind, coalesce(project_id, -1) AS project_id, coalesce(parser, '') AS parser, medium, coalesce(owner_vendor_id, '') AS owner_vendor_id,
  CASE WHEN reentry THEN 1 ELSE 0 END AS reentry, coalesce(state, '') AS state, coalesce(contact_state, '') AS contact_state, count(*) AS n
  FROM interactions GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9`;
const BUCKETS = `SELECT bucket, kind, project_id, parser, medium, owner_vendor_id, reentry, state, contact_state, n FROM interaction_funnel_16d WHERE n > 0
  ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9`;
const BUCKET_RECOUNT = RECOUNT.replace('at / 86400000 AS day', 'at / 1382400000 AS bucket');
const LEAD_BUCKETS = `SELECT bucket, project_id, parser, medium, owner_vendor_id, quality, contact_state, n FROM lead_funnel_16d WHERE n > 0 ORDER BY 1, 2, 3, 4, 5, 6, 7`;
const LEAD_RECOUNT = `SELECT received_at / 1382400000 AS bucket, coalesce(project_id, -1) AS project_id, coalesce(parser, '') AS parser, medium, coalesce(owner_vendor_id, '') AS owner_vendor_id,
  quality, contact_state, count(*) AS n FROM leads GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`;
const DAILY = `SELECT day, kind, project_id, parser, medium, owner_vendor_id, reentry, state, contact_state, n FROM interaction_funnel_daily WHERE n > 0
  ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9`;

type Group = { kind: string; projectId: number | null; parser: string | null; medium: string; owner: string | null; reentry: number; state: string | null; contactState: string | null; overdue: number; n: number };
/** Groups as `key → n`, the same key counted once (the days part and the scanned ends may both hold it). */
const merged = (groups: Group[]) => {
  const out: Record<string, number> = {};
  for (const g of groups) {
    const k = [g.kind, g.projectId, g.parser, g.medium, g.owner, Number(g.reentry), g.state, g.contactState, Number(g.overdue)].join('|');
    out[k] = (out[k] ?? 0) + Number(g.n);
  }
  return out;
};

describe.each(['sqlite', 'postgres'] as const)('interaction_funnel_daily on %s', (engine) => {
  let h: Harness;
  const sql = <T = number>(q: string, ...p: unknown[]) => value<T>(h.app, q, p);
  const at = (daysAgo: number, hour: number) => new Date(Math.floor(Date.now() / DAY - daysAgo) * DAY + hour * 3_600_000).toISOString();
  const post = async (items: Record<string, unknown>[]) => {
    const res = await h.post('/api/interactions', { items });
    expect(res.status, await res.clone().text()).toBe(200);
  };

  beforeAll(async () => {
    h = await startHarness({ engine, projects: PROJECTS, logLevel: 'silent' });
    await seed(h.app);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('equals a recount of interactions after inserts, updates and deletes', async () => {
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < 24; i++) {
      const kind = ['cotizacion', 'cotizacion', 'separacion', 'minuta', 'desembolso'][i % 5];
      items.push({ tipo: kind, rut: i % 7 === 6 ? ANA.rut : buenoRut(i % 6), proyecto: i % 3 ? 'PLR' : 'MDV', fecha: at((i * 5) % 60, (i * 5) % 24), id: `X${i}`,
        ...(kind === 'separacion' ? { estado: i % 2 ? 'emitida' : 'aprobada' } : {}) });
    }
    // Quotes from today: still inside their contact deadline.
    items.push({ tipo: 'cotizacion', rut: buenoRut(1), proyecto: 'PLR', fecha: at(0, 0), id: 'FRESH1' }, { tipo: 'cotizacion', rut: buenoRut(2), proyecto: 'MDV', fecha: at(0, 0), id: 'FRESH2' });
    await post(items);
    expect(await rows(h.app, DAILY)).toEqual(await rows(h.app, RECOUNT));
    expect(await rows(h.app, BUCKETS)).toEqual(await rows(h.app, BUCKET_RECOUNT));
    expect(await sql("SELECT count(*) FROM interactions WHERE kind = 'cotizacion' AND contact_state = 'por_contactar'")).toBeGreaterThan(2);

    // A separación's state changed by a new import of the same item.
    await post([{ tipo: 'separacion', rut: buenoRut(2), proyecto: 'PLR', fecha: at(2, 10), id: 'X2', estado: 'cancelada' }]);
    expect(await sql("SELECT state FROM interactions WHERE external_id = 'X2'")).toBe('cancelada');
    // A follow-up on a client closes its quotes (a trigger updating contact_state).
    const client = await sql<number>('SELECT id FROM clients WHERE national_id = ?', buenoRut(1));
    const lead = await sql<number>('SELECT id FROM leads WHERE client_id = ? ORDER BY id LIMIT 1', client);
    expect((await h.post(`/api/leads/${lead}/follow-up`, { expectation: 'alta', contactType: 'llamada', comment: 'Cotizó' })).status).toBe(200);
    expect(await sql("SELECT count(*) FROM interactions WHERE client_id = ? AND contact_state = 'contactado'", client)).toBeGreaterThan(0);
    // Owner, reentry and date changed; one deleted.
    await rows(h.app, "UPDATE interactions SET owner_vendor_id = 'v2' WHERE external_id IN ('X0', 'X3')");
    await rows(h.app, "UPDATE interactions SET owner_vendor_id = NULL WHERE external_id = 'X4'");
    await rows(h.app, "UPDATE interactions SET reentry = ? WHERE external_id = 'X1'", [true]);
    await rows(h.app, "UPDATE interactions SET at = at - 3 * 86400000 WHERE external_id = 'X5'");
    await rows(h.app, "DELETE FROM interactions WHERE external_id IN ('X6', 'X7')");
    expect(await rows(h.app, DAILY)).toEqual(await rows(h.app, RECOUNT));
    expect(await rows(h.app, BUCKETS)).toEqual(await rows(h.app, BUCKET_RECOUNT));
    expect((await rows(h.app, DAILY)).length).toBeGreaterThan(10);
    expect(new Set((await rows<{ bucket: number }>(h.app, BUCKETS)).map((r) => Number(r.bucket))).size).toBeGreaterThan(2);
  });

  it('interaction groups read from the days equal a direct count over periods with partial days', async () => {
    const now = Date.now();
    const direct = async (from: number, to: number, extra = '', params: unknown[] = []) => {
      const found = await rows<Group>(h.app, `SELECT kind, project_id AS "projectId", parser, medium, owner_vendor_id AS owner, CASE WHEN reentry THEN 1 ELSE 0 END AS reentry,
        state, contact_state AS "contactState", CASE WHEN contact_state = 'por_contactar' AND deadline_at < ? THEN 1 ELSE 0 END AS overdue, count(*) AS n
        FROM interactions WHERE kind <> 'lead' AND at >= ? AND at < ? ${extra} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`, [now, from, to, ...params]);
      return merged(found);
    };
    const plr = await sql<number>("SELECT id FROM projects WHERE name = 'Parque Los Robles'");
    const from = Date.now() - 55.3 * DAY; // two or three whole 16-day buckets and odd days at each end
    const to = Date.now() + 0.4 * DAY;
    const cases: [LeadFilter, string, unknown[]][] = [
      [{ from, to }, '', []],
      [{ from: Math.floor(from / DAY) * DAY, to }, '', []],
      [{ from, to, projectIds: [plr] }, 'AND project_id = ?', [plr]],
      [{ from, to, ownerVendorId: 'v2' }, "AND owner_vendor_id = 'v2'", []],
      [{ from, to, scope: { vendorIds: ['v2'], projectIds: null } }, "AND owner_vendor_id = 'v2'", []],
      [{ from, to, parsers: [null] }, 'AND parser IS NULL', []],
      [{ from: Date.now() - 10.3 * DAY, to }, '', []],
    ];
    let quotesInTime = 0;
    for (const [f, extra, params] of cases) {
      const groups = await h.app.reads.funnel.interactionGroups(f, now);
      expect(merged(groups), JSON.stringify(f)).toEqual(await direct(f.from!, f.to!, extra, params));
      quotesInTime += groups.filter((g) => g.contactState === 'por_contactar' && !g.overdue).length;
    }
    expect(quotesInTime).toBeGreaterThan(0);
    const everything = merged(await h.app.reads.funnel.interactionGroups({}, now));
    expect(everything).toEqual(await direct(0, 8.64e15));
    expect(Object.keys(everything).some((k) => k.endsWith('|1'))).toBe(true); // overdue quotes among them
  });

  it('lead groups read from buckets and days equal a direct count, and lead_funnel_16d a recount', async () => {
    const now = Date.now();
    for (let i = 0; i < 30; i++) {
      const project = i % 3 ? 'Parque Los Robles' : 'Mirador del Valle';
      const person = { name: `Cliente Bucket${i}`, rut: buenoRut(100 + i), email: `bucket${i}@correo-prueba.cl`, phone: `+56 9 7100 ${String(1000 + i)}`, project };
      await h.app.ingestor.ingest(formEmail(i % 5 === 4 ? { ...person, rut: undefined, email: undefined } : person, { at: now - ((i * 7) % 70) * DAY - i * 3_600_000 }), { source: 'file' });
    }
    // A contact moves a lead's state: its bucket follows its day.
    const lead = await sql<number>("SELECT id FROM leads WHERE contact_state = 'por_contactar' AND quality = 'bueno' ORDER BY received_at LIMIT 1");
    const res = await h.post(`/api/leads/${lead}/follow-up`, { expectation: 'media', contactType: 'llamada' });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await rows(h.app, LEAD_BUCKETS)).toEqual(await rows(h.app, LEAD_RECOUNT));
    type LeadGroup = { projectId: number | null; parser: string | null; medium: string; owner: string | null; quality: string; state: string; overdue: number; n: number };
    const mergedLeads = (groups: LeadGroup[]) => {
      const out: Record<string, number> = {};
      for (const g of groups) {
        const k = [g.projectId, g.parser, g.medium, g.owner, g.quality, g.state, Number(g.overdue)].join('|');
        out[k] = (out[k] ?? 0) + Number(g.n);
      }
      return out;
    };
    for (const [from, to] of [[now - 65.2 * DAY, now + 0.3 * DAY], [now - 40 * DAY, now - 3.5 * DAY], [Math.floor(now / DAY - 64) * DAY, Math.floor(now / DAY) * DAY]]) {
      const direct = await rows<LeadGroup>(h.app, `SELECT project_id AS "projectId", parser, medium, owner_vendor_id AS owner, quality, contact_state AS state,
        CASE WHEN contact_state = 'por_contactar' AND deadline_at < ? THEN 1 ELSE 0 END AS overdue, count(*) AS n FROM leads WHERE received_at >= ? AND received_at < ?
        GROUP BY 1, 2, 3, 4, 5, 6, 7`, [now, from, to]);
      expect(mergedLeads(await h.app.reads.funnel.leadGroups({ from, to }, now)), `${from}..${to}`).toEqual(mergedLeads(direct));
    }
  });
});
