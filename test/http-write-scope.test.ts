// Scope for every write as for every read (issue 21, items 1-3): interactions, walk-ins, lead
// edits, retire, reassign and notifications touch only what the caller may see, or answer 4xx and
// change nothing; a vendedor's writes name themselves; every write is audited with its person; no
// answer carries another vendor's client. Real SQLite, leads through the real pipeline.
import { rows as dbRows, value } from './helpers/db-rows.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formEmail, rut, startHarness, tableDigest, type Harness } from './http-fixture.ts';

const PLR = 'Parque Los Robles';
const MDV = 'Mirador del Valle';
// v2 sells both projects; v1 only PLR, v3 only MDV.
const PROJECTS = [
  `  - name: ${PLR}`,
  '    aliases: [PLR]',
  '    vendors:',
  '      - {id: v1, name: Vera Díaz, type: lp}',
  '      - {id: v2, name: Hugo Pérez, type: lp}',
  `  - name: ${MDV}`,
  '    aliases: [MDV]',
  '    vendors:',
  '      - {id: v2, name: Hugo Pérez, type: lp}',
  '      - {id: v3, name: Ana Soto, type: lp}',
];

interface Client { id: number; owner: string; nationalId: string; email: string; name: string; phone: string }

let h: Harness;
let vera = '';
let hugo = '';
let gerentePlr = '';
let gerenteMdv = '';
const sql = <T = unknown>(q: string, ...p: unknown[]) => value<T>(h.app, q, p);
const rows = (q: string, ...p: unknown[]) => dbRows(h.app, q, p);
/** Every table a write here could change, hashed: the fixture's tables plus the funnel, the outbox and vendors. */
const everything = () => tableDigest(h.app, ['interactions', 'notifications', 'vendors']);
const clientsOf = async (vendor: string) => (await rows(`SELECT c.id, c.owner_vendor_id AS owner, c.national_id AS "nationalId", c.email, c.name, c.phone FROM clients c
  WHERE c.owner_vendor_id = ? AND c.national_id IS NOT NULL ORDER BY c.id`, vendor)) as Client[];
/** Clients whose leads are all in one project. */
const clientsOnlyIn = async (vendor: string, project: string) => (await rows(`SELECT c.id FROM clients c WHERE c.owner_vendor_id = ?
  AND NOT EXISTS (SELECT 1 FROM leads l LEFT JOIN projects p ON p.id = l.project_id WHERE l.client_id = c.id AND p.name IS DISTINCT FROM ?)
  AND EXISTS (SELECT 1 FROM leads l WHERE l.client_id = c.id) ORDER BY c.id`, vendor, project)).map((r) => r.id as number);
const audit = (action: string) => rows('SELECT actor, object_id AS "objectId", data FROM audit WHERE action = ? ORDER BY id', action);

beforeAll(async () => {
  h = await startHarness({ projects: PROJECTS });
  for (let n = 0; n < 16; n++) {
    const p = { name: `Cliente ${String.fromCharCode(65 + n)}lvarez`, rut: rut(22_000_000 + n * 7919), email: `escritura${n}@correo-prueba.cl`, phone: `+56 9 5${String(n).padStart(3, '0')} 4321`, project: n % 2 ? MDV : PLR };
    await h.app.ingestor.ingest(formEmail(p, { daysAgo: n % 5 }), { source: 'file' });
  }
  // Complete data with a project nobody knows: con_problemas, with a client and an owner (editable by its vendor).
  for (let n = 0; n < 3; n++) {
    await h.app.ingestor.ingest(formEmail({ name: `Proyecto Raro ${String.fromCharCode(65 + n)}lvarez`, rut: rut(23_000_000 + n * 104_729), email: `raro${n}@correo-prueba.cl`, project: 'Torre Desconocida' }), { source: 'file' });
  }
  vera = await h.addUser('vera@inmo.cl', 'vendedor', { vendorId: 'v1' });
  hugo = await h.addUser('hugo@inmo.cl', 'vendedor', { vendorId: 'v2' });
  gerentePlr = await h.addUser('gerente.plr@inmo.cl', 'gerente', { projects: [PLR] });
  gerenteMdv = await h.addUser('gerente.mdv@inmo.cl', 'gerente', { projects: [MDV] });
  expect((await clientsOf('v1')).length).toBeGreaterThan(1);
  expect((await clientsOf('v2')).length).toBeGreaterThan(1);
});
afterAll(() => h?.close());

describe('interactions: a vendor writes only on their own clients, in their own name', () => {
  it('a colleague\'s external id cannot be moved or rewritten; nothing changes and nothing is audited', async () => {
    const theirs = (await clientsOf('v2'))[0];
    const mine = (await clientsOf('v1'))[0];
    const created = await h.post('/api/interactions', { tipo: 'cotizacion', rut: theirs.nationalId, proyecto: PLR, fecha: '2026-01-10', id: 'COT-v2-1', monto: 'UF 3000' }, {}, hugo);
    expect(created.status, await created.clone().text()).toBe(200);
    expect(await sql("SELECT actor FROM interactions WHERE external_id = 'COT-v2-1'")).toBe('hugo@inmo.cl');
    const before = await everything();
    const auditBefore = await sql<number>('SELECT count(*) FROM audit');
    const res = await h.post('/api/interactions', { tipo: 'cotizacion', rut: mine.nationalId, proyecto: PLR, fecha: '2026-01-10', id: 'COT-v2-1', monto: 'UF 1' }, {}, vera);
    expect(res.status).toBe(400);
    const body = await res.json();
    // The whole answer: the refusal and nothing of the colleague's client.
    const reason = 'el id "COT-v2-1" ya está registrado en una interacción que no es tuya: no se puede modificar';
    expect(body).toEqual({ error: `items[0]: ${reason}`, errors: [{ item: 0, reason }] });
    expect(await everything()).toBe(before);
    expect(await sql<number>('SELECT count(*) FROM audit')).toBe(auditBefore);
    expect(await rows("SELECT client_id AS c, amount FROM interactions WHERE external_id = 'COT-v2-1'")).toEqual([{ c: theirs.id, amount: 3000 }]);
  });

  it('a vendedor cannot record in another vendor\'s name; without one the row names them', async () => {
    const mine = (await clientsOf('v1'))[0];
    const before = await everything();
    const res = await h.post('/api/interactions', { tipo: 'cotizacion', rut: mine.nationalId, proyecto: PLR, fecha: '2026-01-11', id: 'COT-v1-x', vendedor: 'v2' }, {}, vera);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/vendedor "v2": un vendedor registra solo a su propio nombre/);
    expect(await everything()).toBe(before);
    // Named by email or by id as their own: accepted, owned by and written by them.
    const ok = await h.post('/api/interactions', { tipo: 'cotizacion', rut: mine.nationalId, proyecto: PLR, fecha: '2026-01-11', id: 'COT-v1-1', monto: 'UF 2.000' }, {}, vera);
    expect(ok.status, await ok.clone().text()).toBe(200);
    const id = (await ok.json()).ids[0];
    expect(await rows('SELECT owner_vendor_id AS owner, actor FROM interactions WHERE id = ?', id)).toEqual([{ owner: 'v1', actor: 'vera@inmo.cl' }]);
    expect((await audit('interaction.create')).at(-1)).toMatchObject({ actor: 'vera@inmo.cl', objectId: String(id) });
  });

  it('an update is written and audited under its writer, with what it replaced', async () => {
    const mine = (await clientsOf('v1'))[0];
    const adminWrote = await h.post('/api/interactions', { tipo: 'separacion', rut: mine.nationalId, proyecto: PLR, fecha: '2026-01-12', id: 'SEP-1', monto: 100 });
    expect(adminWrote.status).toBe(200);
    expect(await sql("SELECT actor FROM interactions WHERE external_id = 'SEP-1'")).toBe('token:admin');
    const res = await h.post('/api/interactions', { tipo: 'separacion', rut: mine.nationalId, proyecto: PLR, fecha: '2026-01-12', id: 'SEP-1', monto: 150, estado: 'aprobada' }, {}, vera);
    expect((await res.json()).updated).toBe(1);
    expect(await rows("SELECT amount, state, actor FROM interactions WHERE external_id = 'SEP-1'")).toEqual([{ amount: 150, state: 'aprobada', actor: 'vera@inmo.cl' }]);
    const last = (await audit('interaction.update')).at(-1)!;
    expect(last.actor).toBe('vera@inmo.cl');
    expect(JSON.parse(last.data as string).before).toMatchObject({ amount: 100, state: 'emitida', actor: 'token:admin' });
  });
});

describe('answers never carry another vendor\'s client', () => {
  it('a walk-in with a colleague\'s client\'s email joins that client, and the answer withholds it', async () => {
    const theirs = (await clientsOf('v2'))[1];
    const leadsBefore = await sql<number>('SELECT count(*) FROM leads WHERE client_id = ?', theirs.id);
    const res = await h.post('/api/walk-ins', { name: 'Alguien Distinto', email: theirs.email, phone: '+56 9 4444 1111', project: PLR }, {}, vera);
    expect(res.status).toBe(201);
    const text = await res.text();
    const body = JSON.parse(text);
    expect(body).toMatchObject({ leadId: null, clientId: null, clientOfAnotherVendor: true });
    expect(body.notice).toMatch(/ya está registrado con otro vendedor/);
    for (const secret of [String(theirs.id), theirs.name, theirs.phone, theirs.nationalId]) expect(text).not.toContain(secret);
    // The first to register the client keeps it: the visit is on their record, with their owner.
    expect(await sql<number>('SELECT count(*) FROM leads WHERE client_id = ?', theirs.id)).toBe(leadsBefore + 1);
    expect(await sql('SELECT owner_vendor_id FROM clients WHERE id = ?', theirs.id)).toBe('v2');
    const a = (await audit('lead.walk_in')).at(-1)!;
    expect(a.actor).toBe('vera@inmo.cl');
    expect(await sql('SELECT client_id FROM leads WHERE id = ?', Number(a.objectId))).toBe(theirs.id);
  });

  it('a walk-in of the vendor\'s own client answers its ids', async () => {
    const mine = (await clientsOf('v1'))[1] ?? (await clientsOf('v1'))[0];
    const res = await h.post('/api/walk-ins', { name: mine.name, email: mine.email, project: PLR }, {}, vera);
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.clientId).toBe(mine.id);
    expect(body.leadId).toEqual(expect.any(Number));
  });

  it('editing a lead\'s RUT to a colleague\'s client links the lead there, and the answer withholds the client', async () => {
    const lead = (await rows(`SELECT id, client_id AS "clientId" FROM leads WHERE owner_vendor_id = 'v1' AND quality = 'con_problemas' AND client_id IS NOT NULL LIMIT 1`))[0];
    expect(lead, 'a con_problemas lead of v1 with a client').toBeDefined();
    const theirs = (await clientsOf('v2'))[2];
    const res = await h.post(`/api/leads/${lead.id}/edit`, { nationalId: theirs.nationalId }, {}, vera);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const body = JSON.parse(text);
    expect(body).toMatchObject({ ok: true, leadId: lead.id, clientId: null, clientOfAnotherVendor: true });
    expect(body.notice).toMatch(/otro vendedor/);
    for (const secret of [theirs.name, theirs.email, theirs.phone]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(new RegExp(`[^0-9]${theirs.id}[^0-9]`));
    expect(await rows('SELECT client_id AS c, owner_vendor_id AS o FROM leads WHERE id = ?', lead.id)).toEqual([{ c: theirs.id, o: 'v2' }]);
    expect((await audit('lead.edit')).at(-1)).toMatchObject({ actor: 'vera@inmo.cl', objectId: String(lead.id) });
    // The lead is theirs now: vera no longer sees it.
    expect((await h.call(`/api/leads/${lead.id}`, { token: vera })).status).toBe(404);
  });
});

describe('a gerente limited to a project acts only inside it', () => {
  it('retire moves only the vendor\'s clients of her project, to vendors who sell it; the rest stay put', async () => {
    const plrOnly = await clientsOnlyIn('v2', PLR);
    const others = (await rows("SELECT id, owner_vendor_id AS o FROM clients WHERE owner_vendor_id = 'v2' ORDER BY id")).map((r) => r.id as number).filter((id) => !plrOnly.includes(id));
    expect(plrOnly.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    const res = await h.post('/api/vendors/v2/retire', {}, {}, gerentePlr);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ retired: false, retiredAt: null, moved: plrOnly.length, to: { v1: plrOnly.length } });
    expect(body.notice).toMatch(/también vende en proyectos que no gestionas/);
    for (const id of plrOnly) expect(await sql('SELECT owner_vendor_id FROM clients WHERE id = ?', id), `client ${id}`).toBe('v1');
    for (const id of others) expect(await sql('SELECT owner_vendor_id FROM clients WHERE id = ?', id), `client ${id}`).toBe('v2');
    expect(await rows("SELECT active, retired_at AS r FROM vendors WHERE id = 'v2'")).toEqual([{ active: 1, r: null }]);
    expect((await audit('vendor.retire')).at(-1)).toMatchObject({ actor: 'gerente.plr@inmo.cl', objectId: 'v2' });
  });

  it('a vendor with nothing in her projects is 404, and nothing changes', async () => {
    const before = await everything();
    expect((await h.post('/api/vendors/v1/retire', {}, {}, gerenteMdv)).status).toBe(404);
    expect(await everything()).toBe(before);
  });

  it('reassign: a client outside her projects is 404; a vendor who does not sell the project is refused', async () => {
    const before = await everything();
    const mdvClient = (await rows(`SELECT l.client_id AS id FROM leads l JOIN projects p ON p.id = l.project_id WHERE p.name = ? AND l.client_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM leads x JOIN projects q ON q.id = x.project_id WHERE x.client_id = l.client_id AND q.name = ?) LIMIT 1`, MDV, PLR))[0].id;
    expect((await h.post(`/api/clients/${mdvClient}/reassign`, { vendorId: 'v1', reason: 'x' }, {}, gerentePlr)).status).toBe(404);
    const plrClient = (await clientsOnlyIn('v1', PLR))[0];
    const res = await h.post(`/api/clients/${plrClient}/reassign`, { vendorId: 'v3', reason: 'otro asesor' }, {}, gerentePlr);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'vendor.wrong_project', error: expect.stringMatching(/no vende los proyectos de este cliente/) });
    expect(await everything()).toBe(before);
    const ok = await h.post(`/api/clients/${plrClient}/reassign`, { vendorId: 'v2', reason: 'otro asesor' }, {}, gerentePlr);
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect((await audit('client.reassign')).at(-1)).toMatchObject({ actor: 'gerente.plr@inmo.cl', objectId: String(plrClient) });
  });

  it('notifications: she lists and resends only her project\'s; another one is 404 and unchanged', async () => {
    const leadIn = (project: string) => sql<number>('SELECT l.id FROM leads l JOIN projects p ON p.id = l.project_id WHERE p.name = ? LIMIT 1', project);
    const insert = (key: string, lead: number, subject: string) => sql<number>(`INSERT INTO notifications (key, kind, lead_id, client_id, project_id, vendor_id, recipient, subject, text, status, attempts, next_attempt_at, last_error, created_at)
      VALUES (?, 'assignment', ?, NULL, (SELECT project_id FROM leads WHERE id = ?), 'v2', 'hugo@inmo.cl', ?, 'x', 'failed', 5, 0, 'smtp caído', 1) RETURNING id`, key, lead, lead, subject);
    const plr = await insert('t:plr', await leadIn(PLR), 'Nuevo lead: Persona de Los Robles');
    const mdv = await insert('t:mdv', await leadIn(MDV), 'Nuevo lead: Persona del Valle');
    const digest = await sql<number>(`INSERT INTO notifications (key, kind, vendor_id, recipient, subject, text, status, attempts, next_attempt_at, created_at)
      VALUES ('t:digest', 'digest', 'v2', 'hugo@inmo.cl', 'Resumen: Persona del Valle y otros', 'x', 'failed', 5, 0, 1) RETURNING id`);
    const list = await h.json('/api/notifications?status=failed', { token: gerentePlr });
    expect(list.items.map((n: { id: number }) => n.id)).toEqual([plr]);
    expect(list.counts.failed).toBe(1);
    expect(JSON.stringify(list)).not.toContain('del Valle');
    const all = await h.json('/api/notifications?status=failed');
    expect(all.items.map((n: { id: number }) => n.id).sort()).toEqual([plr, mdv, digest].sort());
    const before = await everything();
    for (const id of [mdv, digest]) expect((await h.call(`/api/notifications/${id}/resend`, { method: 'POST', token: gerentePlr })).status, `resend ${id}`).toBe(404);
    expect(await everything()).toBe(before);
    expect((await h.call(`/api/notifications/${plr}/resend`, { method: 'POST', token: gerentePlr })).status).toBe(200);
    expect(await rows('SELECT status, attempts FROM notifications WHERE id = ?', plr)).toEqual([{ status: 'pending', attempts: 0 }]);
    expect((await audit('notification.resend')).at(-1)).toMatchObject({ actor: 'gerente.plr@inmo.cl', objectId: String(plr) });
  });
});
