// Owners through the admin API (issue 7): the owner filter, vendors and their pending lists,
// retiring a vendor, manual reassignment and the 30-day clock restarted by activity. Real SQLite,
// emails ingested through the real pipeline with Date headers, the server's clock injected.
import { column } from './helpers/db-rows.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { ROUTES } from '../src/http/routes.ts';
import { DAY, formEmail, rut, startHarness, type Harness } from './http-fixture.ts';

const T0 = Date.parse('2026-01-05T12:00:00Z');
const iso = (t: number) => new Date(t).toISOString();
const PLR = 'Parque Los Robles';
const MDV = 'Mirador del Valle';
const PROJECTS = [
  `  - name: ${PLR}`,
  '    aliases: [PLR]',
  '    vendors:',
  '      - {id: v1, name: Vera Díaz, type: licencia_personal}',
  '      - {id: v2, name: Hugo Pérez, type: licencia_personal}',
  `  - name: ${MDV}`,
  '    aliases: [MDV]',
  '    vendors:',
  '      - {id: v3, name: Ana Soto, type: licencia_personal}',
  '      - {id: j1, name: Julia Rojas, type: agente_junior}',
];

let h: Harness;
let clock = T0;
afterEach(() => h?.close());
const setup = async () => {
  clock = T0;
  h = await startHarness({ projects: PROJECTS, extraYaml: ['reassignAfterDays: 30'], now: () => clock });
};

/** Person `n` (same n = same client) writes about `project`, arriving at `at` (the Date header). */
async function arrive(n: number, at: number, project = PLR) {
  const who = { name: `Cliente ${String.fromCharCode(65 + n)}lvarez`, rut: rut(20_000_000 + n * 7919), email: `cliente${n}@gmail.com`, phone: `+56 9 7${String(n).padStart(3, '0')} 4321`, project };
  const r = await h.app.ingestor.ingest(formEmail(who, { at }), { source: 'file' });
  const lead = (await h.app.store.getLead(r.leadId!))!;
  return { leadId: r.leadId!, clientId: lead.clientId!, owner: lead.ownerVendorId, contactType: lead.contactType, quality: lead.quality };
}

async function expectStatus(res: Response, status: number, error?: RegExp) {
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(status);
  if (error) expect(body.error).toMatch(error);
  return body;
}
const followUp = (leadId: number, contactType = 'llamada') => h.post(`/api/leads/${leadId}/follow-up`, { expectation: 'media', contactType, comment: 'Conversamos' });
const sqlIds = (where: string, ...params: unknown[]) => column(h.app, `SELECT id FROM leads WHERE ${where} ORDER BY id`, params);

it('registers every owner route in the one table, behind the token', async () => {
  const paths = ['GET /api/vendors', 'GET /api/vendors/:id/pending', 'POST /api/vendors/:id/retire', 'POST /api/clients/:id/reassign', 'GET /api/clients/:id/owners'];
  for (const p of paths) expect(ROUTES.find((r) => `${r.method} ${r.path}` === p)?.allow ?? 'public', p).not.toBe('public');
  await setup();
  for (const p of ['/api/vendors', '/api/vendors/v1/pending', '/api/clients/1/owners']) expect((await h.call(p, { token: null })).status, p).toBe(401);
  expect((await h.call('/api/vendors/v1/retire', { method: 'POST', token: null })).status).toBe(401);
});

describe('owner filter on the list, the stats and the exports', () => {
  it('is exact, and the stats total equals the list total for it', async () => {
    await setup();
    const arrivals: Awaited<ReturnType<typeof arrive>>[] = [];
    for (let n = 0; n < 6; n++) arrivals.push(await arrive(n, T0 + n * DAY)); // PLR: v1, v2, v1, ...
    for (let n = 6; n < 10; n++) arrivals.push(await arrive(n, T0 + (n - 6) * DAY, MDV)); // MDV: v3, j1, ...
    expect(arrivals.map((a) => a.owner)).toEqual(['v1', 'v2', 'v1', 'v2', 'v1', 'v2', 'v3', 'j1', 'v3', 'j1']);
    const malo = await h.app.ingestor.ingest(formEmail({ name: 'Malo Sin Contacto', message: 'hola' }, { at: T0 }), { source: 'file' });
    clock = T0 + 7 * DAY; // leads of days 0 and 1 are past their 5-day deadline
    await expectStatus(await followUp(arrivals[2].leadId), 200); // one of v1's leads becomes contactado

    const all = await h.json('/api/leads?limit=200');
    expect(all.items.find((i: any) => i.id === malo.leadId)).toMatchObject({ owner: null, contactType: null });
    expect(all.items.find((i: any) => i.id === arrivals[0].leadId)).toMatchObject({ owner: 'v1', contactType: 'nuevo' });

    const v1 = await h.json('/api/leads?owner=v1&limit=200');
    expect(v1.items.map((i: any) => i.id).sort((a: number, b: number) => a - b)).toEqual(await sqlIds("owner_vendor_id = 'v1'"));
    expect(v1.items).toHaveLength(3);
    expect(v1.items.every((i: any) => i.owner === 'v1')).toBe(true);

    for (const q of ['owner=v1', 'owner=v1&status=no_contactado', 'owner=v1&status=por_contactar', 'owner=v1&status=contactado', 'owner=v2&project=Parque%20Los%20Robles', 'owner=j1&quality=bueno', 'owner=v3&q=cliente6%40gmail.com', 'owner=j1&from=2026-01-06']) {
      const list = await h.json(`/api/leads?${q}&limit=200`);
      const stats = await h.json(`/api/stats?${q}`);
      expect(stats.total, q).toBe(list.items.length);
      for (const s of ['por_contactar', 'no_contactado', 'contactado']) expect(stats.status[s], `${q} ${s}`).toBe(list.items.filter((i: any) => i.status === s).length);
    }
    const s = await h.json('/api/stats?owner=v1');
    expect(s.status).toMatchObject({ no_contactado: 1, por_contactar: 1, contactado: 1 });
    expect((await h.json('/api/stats')).total).toBe(11); // without the filter: every lead

    const csv = await (await h.call('/api/leads/export.csv?owner=v2')).text();
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(1 + 3);
    expect((await h.call('/api/leads/export.xlsx?owner=v2')).status).toBe(200);

    await expectStatus(await h.call('/api/leads?owner=nobody'), 400, /^owner: vendedor desconocido "nobody"/);
    await expectStatus(await h.call('/api/stats?owner=nobody'), 400, /^owner: /);
    await expectStatus(await h.call('/api/leads/export.csv?owner=nobody'), 400, /^owner: /);
    await expectStatus(await h.call('/api/leads?owner='), 400, /^owner: /);
    await expectStatus(await h.call(`/api/leads?owner=${'v'.repeat(101)}`), 400, /^owner: /);
  });
});

describe('vendors and their pending lists', () => {
  it('lists the leads with no registered contact, oldest first, with deadline and status', async () => {
    await setup();
    const p1 = await arrive(1, T0 + DAY); // v1
    await arrive(2, T0); // v2
    const p3 = await arrive(3, T0); // v1
    await arrive(4, T0 + 3 * DAY); // v2
    const p5 = await arrive(5, T0 + 2 * DAY); // v1
    expect([p1.owner, p3.owner, p5.owner]).toEqual(['v1', 'v1', 'v1']);
    clock = T0 + 5.5 * DAY;

    const v1 = await h.json('/api/vendors/v1/pending');
    expect(v1.vendor).toEqual({ id: 'v1', name: 'Vera Díaz', type: 'licencia_personal', active: true, retiredAt: null });
    expect(v1.items.map((i: any) => [i.id, i.status])).toEqual([[p3.leadId, 'no_contactado'], [p1.leadId, 'por_contactar'], [p5.leadId, 'por_contactar']]);
    expect(v1.items[0]).toMatchObject({ clientId: p3.clientId, project: PLR, contactType: 'nuevo', receivedAt: iso(T0), deadlineAt: iso(T0 + 5 * DAY), email: 'cliente3@gmail.com' });
    expect(v1.total).toBe(3);

    await expectStatus(await followUp(p1.leadId), 200); // reached: no longer pending
    await expectStatus(await followUp(p5.leadId, 'sin_respuesta'), 200); // nobody answered: still pending
    expect((await h.json('/api/vendors/v1/pending')).items.map((i: any) => i.id)).toEqual([p3.leadId, p5.leadId]);

    const vendors = await h.json('/api/vendors');
    expect(vendors.items).toEqual([
      { id: 'v3', name: 'Ana Soto', type: 'licencia_personal', active: true, retiredAt: null, pending: 0 },
      { id: 'v2', name: 'Hugo Pérez', type: 'licencia_personal', active: true, retiredAt: null, pending: 2 },
      { id: 'j1', name: 'Julia Rojas', type: 'agente_junior', active: true, retiredAt: null, pending: 0 },
      { id: 'v1', name: 'Vera Díaz', type: 'licencia_personal', active: true, retiredAt: null, pending: 2 },
    ]);
    expect((await h.json('/api/options')).vendors.map((v: any) => v.id)).toEqual(['v3', 'v2', 'j1', 'v1']);
    await expectStatus(await h.call('/api/vendors/nobody/pending'), 404, /vendedor "nobody" no encontrado/);
    await expectStatus(await h.call('/api/vendors/%ZZ/pending'), 400, /^id: /);
  });
});

describe('retiring a vendor', () => {
  it('moves their clients to active vendors of the same type and reports the moves', async () => {
    await setup();
    const plr: Awaited<ReturnType<typeof arrive>>[] = [];
    for (let n = 0; n < 8; n++) plr.push(await arrive(n, T0 + n * 3_600_000));
    expect((await arrive(8, T0, MDV)).owner).toBe('v3');
    expect((await arrive(9, T0, MDV)).owner).toBe('j1');
    const ofV1 = plr.filter((a) => a.owner === 'v1');
    expect(ofV1).toHaveLength(4);
    clock = T0 + DAY;

    const jefe = await h.addUser(`jefe.${Date.now()}@inmobiliaria-prueba.cl`, 'gerente', { name: 'Jefe Ventas' });
    const r = await expectStatus(await h.post('/api/vendors/v1/retire', {}, {}, jefe), 200);
    expect(r).toEqual({ ok: true, vendorId: 'v1', retired: true, retiredAt: iso(clock), moved: 4, to: { v2: 2, v3: 2 } });
    for (const a of ofV1) {
      const o = await h.json(`/api/clients/${a.clientId}/owners`);
      expect(['v2', 'v3']).toContain(o.ownerVendorId);
      expect(o.owners.map((x: any) => [x.action, x.from, x.to])).toEqual([['assign', null, 'v1'], ['retire-move', 'v1', o.ownerVendorId]]);
      expect(o.owners[1]).toMatchObject({ actor: expect.stringMatching(/^jefe\.\d+@inmobiliaria-prueba\.cl$/), actorName: 'Jefe Ventas', reason: 'vendor v1 retired', at: iso(clock) });
    }
    expect((await h.json('/api/vendors/v1/pending')).items).toEqual([]);
    expect((await h.json('/api/leads?owner=v1')).items).toEqual([]);
    expect((await h.json('/api/vendors')).items.find((v: any) => v.id === 'v1')).toMatchObject({ active: false, retiredAt: iso(clock), pending: 0 });
    expect((await arrive(20, T0 + 2 * DAY)).owner).toBe('v2'); // the only active vendor left in the project

    await expectStatus(await h.post('/api/vendors/v1/retire', {}), 409, /ya fue retirado/);
    const noHeir = await expectStatus(await h.post('/api/vendors/j1/retire', {}), 409, /no hay un vendedor activo del tipo "agente_junior" que reciba 1 cliente$/);
    expect(noHeir.code).toBe('vendor.no_heir');
    expect((await h.json('/api/vendors')).items.find((v: any) => v.id === 'j1')).toMatchObject({ active: true, retiredAt: null });
    await expectStatus(await h.post('/api/vendors/nobody/retire', {}), 404);
    await expectStatus(await h.post('/api/vendors/v2/retire', { now: 1 }), 400, /now: parámetro desconocido/);
  });
});

describe('manual reassignment', () => {
  it('needs a reason and an active vendor; the history shows every owner', async () => {
    await setup();
    const a = await arrive(1, T0);
    expect(a.owner).toBe('v1');
    clock = T0 + DAY;
    const url = `/api/clients/${a.clientId}/reassign`;
    await expectStatus(await h.post(url, { vendorId: 'v2' }), 400, /^reason: /);
    await expectStatus(await h.post(url, { vendorId: 'v2', reason: '   ' }), 400, /^reason: es obligatorio/);
    await expectStatus(await h.post(url, { vendorId: 'v2', reason: 'x'.repeat(501) }), 400, /^reason: /);
    await expectStatus(await h.post(url, { reason: 'x' }), 400, /^vendorId: /);
    await expectStatus(await h.post(url, { vendorId: 'v2', reason: 'x', extra: 1 }), 400, /extra: parámetro desconocido/);
    await expectStatus(await h.post(url, { vendorId: 'nobody', reason: 'x' }), 409, /"nobody" no está activo/);
    await expectStatus(await h.post(url, { vendorId: 'v1', reason: 'x' }), 409, /ya es de v1/);
    await expectStatus(await h.post('/api/clients/999999/reassign', { vendorId: 'v2', reason: 'x' }), 404, /no existe el cliente 999999/);
    await expectStatus(await h.post('/api/clients/abc/reassign', { vendorId: 'v2', reason: 'x' }), 400, /^id: /);

    const first = await expectStatus(await h.post(url, { vendorId: 'v2', reason: 'El cliente pidió otro asesor' }), 200);
    expect(first).toMatchObject({ ok: true, clientId: a.clientId, ownerVendorId: 'v2' });
    clock = T0 + 2 * DAY;
    await expectStatus(await h.post(url, { vendorId: 'j1', reason: 'Cambio de equipo' }), 200);

    const o = await h.json(`/api/clients/${a.clientId}/owners`);
    expect(o.ownerVendorId).toBe('j1');
    expect(o.owners).toEqual([
      expect.objectContaining({ action: 'assign', from: null, to: 'v1', actor: 'centralizador', at: iso(T0) }),
      expect.objectContaining({ action: 'manual-reassign', from: 'v1', to: 'v2', reason: 'El cliente pidió otro asesor', actor: 'token:admin', at: iso(T0 + DAY) }),
      expect.objectContaining({ action: 'manual-reassign', from: 'v2', to: 'j1', reason: 'Cambio de equipo', actor: 'token:admin', at: iso(T0 + 2 * DAY) }),
    ]);
    const d = await h.json(`/api/leads/${a.leadId}`);
    expect(d.client.ownerVendorId).toBe('j1');
    expect(d.client.ownerHistory.map((x: any) => x.to)).toEqual(['v1', 'v2', 'j1']);
    expect((await h.json('/api/leads?owner=j1')).items.map((i: any) => i.id)).toEqual([a.leadId]); // its uncontacted lead moved too
    await expectStatus(await h.call('/api/clients/999999/owners'), 404);
  });
});

describe('activity restarts the 30-day clock', () => {
  it('a follow-up at day 20 keeps a client returning at day 45 with its owner', async () => {
    await setup();
    const a = await arrive(1, T0);
    const b = await arrive(2, T0);
    expect([a.owner, b.owner]).toEqual(['v1', 'v2']);
    clock = T0 + 20 * DAY;
    await expectStatus(await followUp(a.leadId), 200);
    expect((await h.json(`/api/clients/${a.clientId}/owners`)).lastActivityAt).toBe(iso(T0 + 20 * DAY));

    clock = T0 + 45 * DAY;
    const again = await arrive(1, T0 + 45 * DAY);
    expect(again).toMatchObject({ clientId: a.clientId, owner: 'v1', contactType: 'retorno' });
    const idle = await arrive(2, T0 + 45 * DAY); // no activity for 45 days: reassignable
    expect(idle.contactType).toBe('transferencia');
    expect(idle.owner).not.toBe('v2');
    const items = (await h.json('/api/leads?limit=200')).items;
    expect(items.find((i: any) => i.id === again.leadId)).toMatchObject({ owner: 'v1', contactType: 'retorno' });
    expect(items.find((i: any) => i.id === idle.leadId)).toMatchObject({ owner: idle.owner, contactType: 'transferencia' });
  });

  it('edits and aborts are activity; a discard is not', async () => {
    await setup();
    // Complete contact data, unknown project: con_problemas, but with a client record and an owner.
    const [c, d, e] = [await arrive(3, T0, 'Torre Desconocida'), await arrive(4, T0, 'Torre Desconocida'), await arrive(5, T0, 'Torre Desconocida')];
    for (const x of [c, d, e]) expect(x).toMatchObject({ quality: 'con_problemas', clientId: expect.any(Number), owner: expect.any(String) });
    const lastActivity = async (clientId: number) => (await h.json(`/api/clients/${clientId}/owners`)).lastActivityAt;

    clock = T0 + 10 * DAY;
    await expectStatus(await h.post(`/api/leads/${c.leadId}/discard`, { reason: 'duplicado', comment: 'Repetido' }), 200);
    expect(await lastActivity(c.clientId)).toBeNull();
    await expectStatus(await h.post(`/api/leads/${d.leadId}/edit`, { project: PLR }), 200);
    expect(await lastActivity(d.clientId)).toBe(iso(T0 + 10 * DAY));
    clock = T0 + 11 * DAY;
    await expectStatus(await h.post(`/api/leads/${e.leadId}/abort`, { comment: 'Ya compró' }), 200);
    expect(await lastActivity(e.clientId)).toBe(iso(T0 + 11 * DAY));
  });

  it('a client created by an edit gets an owner like an ingested one', async () => {
    await setup();
    const raw = formEmail({ name: 'Beatriz Sin Rut', email: 'beatriz@gmail.com', project: PLR }, { at: T0 });
    const r = await h.app.ingestor.ingest(raw, { source: 'file' });
    expect(await h.app.store.getLead(r.leadId!)).toMatchObject({ quality: 'con_problemas', clientId: null });
    clock = T0 + DAY;
    const body = await expectStatus(await h.post(`/api/leads/${r.leadId}/edit`, { nationalId: rut(17_654_321) }), 200);
    expect(body.quality).toBe('bueno');
    const item = (await h.json('/api/leads')).items.find((i: any) => i.id === r.leadId);
    expect(item).toMatchObject({ owner: 'v1', contactType: 'nuevo' });
    expect((await h.json(`/api/clients/${body.clientId}/owners`)).owners).toEqual([expect.objectContaining({ action: 'assign', to: 'v1' })]);
  });
});
