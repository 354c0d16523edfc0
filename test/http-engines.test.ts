// The admin API over both storage engines: the same data set, the same people, the same calls, and
// the same answers (lists, filters, search, stats, detail, scopes, actions with their audit,
// funnel, the vendor's day, notifications, exports).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANA, seed, startHarness, type Harness } from './http-fixture.ts';
import { noPostgres } from './helpers/tools.ts';

const VENDORS = ['    vendors:', '      - {id: v1, name: Vera Díaz, type: lp}', '      - {id: v2, name: Hugo Pérez, type: lp}'];
const PROJECTS = ['  - name: Parque Los Robles', '    aliases: [PLR]', ...VENDORS, '  - name: Mirador del Valle', '    aliases: [MDV]', ...VENDORS];

interface Run { h: Harness; tokens: Record<string, string> }

async function prepare(engine: 'sqlite' | 'postgres'): Promise<Run> {
  const h = await startHarness({ engine, projects: PROJECTS, logLevel: 'silent' });
  await seed(h.app);
  const tokens: Record<string, string> = {
    admin: await h.addUser('admin@x.cl', 'admin'),
    gerente: await h.addUser('gerente@x.cl', 'gerente', { projects: ['Mirador del Valle'] }),
    supervisor: await h.addUser('super@x.cl', 'supervisor', { team: ['v2'] }),
    vendedor: await h.addUser('vera@x.cl', 'vendedor', { vendorId: 'v1' }),
  };
  return { h, tokens };
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
/** Everything an answer says, but the clock readings and generated Message-IDs: the two data sets were made a few seconds apart. */
function stable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (k, v) => (['messageId', 'sha256', 'size'].includes(k) ? k : typeof v === 'string' && ISO_TIME.test(v) ? 'time' : typeof v === 'number' && v > 1e12 && /(at|At|Since|_at)$/.test(k) ? 'time' : v)));
}

const GETS = [
  '/api/leads?limit=100',
  '/api/leads?quality=bueno&limit=100',
  '/api/leads?status=no_contactado&limit=100',
  '/api/leads?project=Mirador%20del%20Valle&limit=100',
  '/api/leads?q=rojas&limit=100',
  '/api/leads?q=gmail.com&limit=100',
  '/api/leads?q=4321&limit=100',
  `/api/leads?q=${encodeURIComponent(ANA.rut.slice(0, 5))}&limit=100`,
  '/api/stats',
  '/api/stats?project=Parque%20Los%20Robles',
  '/api/options',
  '/api/vendors',
  '/api/vendors/v1/pending',
  '/api/my/day',
  '/api/funnel',
  '/api/duplicates',
  '/api/notifications',
];

describe.skipIf(noPostgres())('the admin API answers the same on SQLite and PostgreSQL', () => {
  let runs: Record<'sqlite' | 'postgres', Run>;
  beforeAll(async () => {
    runs = { sqlite: await prepare('sqlite'), postgres: await prepare('postgres') };
  }, 120_000);
  afterAll(async () => {
    await runs?.sqlite.h.close();
    await runs?.postgres.h.close();
  });

  const both = async (role: string, path: string, init: RequestInit = {}) => {
    const out = [];
    for (const r of [runs.sqlite, runs.postgres]) {
      const res = await r.h.call(path, { ...init, token: r.tokens[role] });
      const type = res.headers.get('content-type') ?? '';
      out.push({ status: res.status, body: type.includes('json') ? stable(await res.json()) : (await res.text()).length });
    }
    return out;
  };

  for (const role of ['admin', 'gerente', 'supervisor', 'vendedor']) {
    it(`${role}: every list, filter, search, stat and view`, async () => {
      for (const path of GETS) {
        const [a, b] = await both(role, path);
        expect({ path, ...b }).toEqual({ path, ...a });
      }
    });
  }

  it('a lead detail and an action with its audit entry, then the lead and the audit read back', async () => {
    const list = (await (await runs.sqlite.h.call('/api/leads?quality=bueno&limit=1', { token: runs.sqlite.tokens.admin })).json()) as { items: { id: number }[] };
    const id = list.items[0].id;
    const [da, db] = await both('admin', `/api/leads/${id}`);
    expect(db).toEqual(da);
    const body = JSON.stringify({ expectation: 'media', contactType: 'llamada', comment: 'llamó de vuelta' });
    const [fa, fb] = await both('admin', `/api/leads/${id}/follow-up`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(fa.status).toBe(200);
    expect(fb).toEqual(fa);
    const [aa, ab] = await both('admin', '/api/audit?limit=5');
    expect(ab).toEqual(aa);
    const [la, lb] = await both('admin', `/api/leads/${id}`);
    expect(lb).toEqual(la);
  });

  it('a vendedor records a cotización for her client, and the funnel lists it the same', async () => {
    const cot = JSON.stringify({ tipo: 'cotizacion', email: ANA.email, proyecto: 'Parque Los Robles', id: 'COT-1', monto: 'UF 3000', fecha: '01-12-2026' });
    const [a, b] = await both('admin', '/api/interactions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: cot });
    expect(b).toEqual(a);
    const [ia, ib] = await both('admin', '/api/funnel/items?stage=cotizacion');
    expect(ib).toEqual(ia);
  });

  it('exports the same rows', async () => {
    const [a, b] = await both('admin', '/api/leads/export.csv');
    expect(a.status).toBe(200);
    expect(b).toEqual(a);
  });
});
