// The vendor's day through the API, on a real SQLite file with emails through the real pipeline:
// "Mis pendientes" and its links, one contact for a client who wrote twice, two people sharing a
// phone kept apart (and merged back by a manager, and unmerged), a national ID edit that relinks,
// live arrivals and per-user column settings.
import { exec, row } from './helpers/db-rows.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, formEmail, rut, startHarness, type Harness } from './http-fixture.ts';

const PLR = 'Parque Los Robles';
const PROJECTS = [
  `  - name: ${PLR}`,
  '    aliases: [PLR]',
  '    whatsappGreeting: "Hola {cliente}, te saluda {vendedor} de {proyecto}"',
  '    vendors:',
  '      - {id: v1, name: Vera Díaz}',
  '  - name: Mirador del Valle',
  '    aliases: [MDV]',
  '    vendors:',
  '      - {id: v2, name: Hugo Pérez}',
];

let h: Harness;
let vera: string;
let hugo: string;
let manager: string;
const ingest = async (p: Parameters<typeof formEmail>[0], opts: Parameters<typeof formEmail>[1] = {}) => (await h.app.ingestor.ingest(formEmail(p, opts), { source: 'file' })).leadId!;
const lead = async (id: number) => (await row(h.app, 'SELECT * FROM leads WHERE id = ?', [id]))!;

beforeAll(async () => {
  h = await startHarness({ projects: PROJECTS });
  vera = await h.addUser('vera@inmo.cl', 'vendedor', { name: 'Vera Díaz', vendorId: 'v1' });
  hugo = await h.addUser('hugo@inmo.cl', 'vendedor', { name: 'Hugo Pérez', vendorId: 'v2' });
  manager = await h.addUser('gerente@inmo.cl', 'gerente', { name: 'Gerente' });
});
afterAll(() => h.close());

describe('Mis pendientes', () => {
  it('lists the vendor’s own waiting leads by deadline, overdue flagged, with call, WhatsApp and email links', async () => {
    const old = await ingest({ name: 'Camila Soto Vera', rut: rut(16_111_111), email: 'camila@gmail.com', phone: '+56 9 8111 1111', project: 'PLR' }, { daysAgo: 7 });
    const fresh = await ingest({ name: 'Diego Ruiz', rut: rut(17_222_222), email: 'diego@gmail.com', phone: '+56 9 8222 2222', project: 'PLR' });
    const other = await ingest({ name: 'Elena Mora', rut: rut(18_333_333), email: 'elena@gmail.com', phone: '+56 9 8333 3333', project: 'MDV' });
    expect([(await lead(old)).owner_vendor_id, (await lead(fresh)).owner_vendor_id, (await lead(other)).owner_vendor_id]).toEqual(['v1', 'v1', 'v2']);
    const day = await h.json('/api/my/day?visit=1', { token: vera });
    expect(day.vendor).toEqual({ id: 'v1', name: 'Vera Díaz' });
    expect(day.pending.map((c: any) => c.id)).toEqual([old, fresh]);
    expect(day.pending.map((c: any) => c.overdue)).toEqual([true, false]);
    expect(day.overdue).toBe(1);
    const card = day.pending[1];
    expect(card).toMatchObject({ name: 'Diego Ruiz', project: PLR, phone: '+56982222222', ownerName: 'Vera Díaz' });
    expect(card.links.tel).toBe('tel:+56982222222');
    expect(card.links.whatsapp).toBe(`https://wa.me/56982222222?text=${encodeURIComponent(`Hola Diego, te saluda Vera Díaz de ${PLR}`)}`);
    expect(card.links.mailto).toBe(`mailto:diego@gmail.com?subject=${encodeURIComponent(`Tu consulta por ${PLR}`)}`);
    expect((await h.json('/api/my/day', { token: hugo })).pending.map((c: any) => c.id)).toEqual([other]);
  });

  it('counts what arrived since the last visit and answers the live poll', async () => {
    const before = await h.json('/api/arrivals?after=0', { token: vera });
    const hugoBefore = await h.json('/api/arrivals?after=0', { token: hugo });
    const id = await ingest({ name: 'Felipe Núñez', rut: rut(19_444_444), email: 'felipe@gmail.com', phone: '+56 9 8444 4444', project: 'PLR' });
    const after = await h.json(`/api/arrivals?after=${before.latestLeadId}`, { token: vera });
    expect(after).toEqual({ latestLeadId: id, newLeads: 1 });
    expect((await h.json(`/api/arrivals?after=${hugoBefore.latestLeadId}`, { token: hugo })).newLeads).toBe(0); // not Hugo's
    expect((await h.json('/api/my/day', { token: vera })).newSinceLastVisit).toBe(1);
  });

  it('keeps each person’s table columns', async () => {
    const res = await h.post('/api/me/prefs', { columns: ['name', 'status', 'owner'] }, {}, manager);
    expect(res.status).toBe(200);
    expect(await h.json('/api/me/prefs', { token: manager })).toEqual({ columns: ['name', 'status', 'owner'] });
    expect(await h.json('/api/me/prefs', { token: vera })).toEqual({});
    expect((await h.post('/api/me/prefs', { columns: ['<script>'] }, {}, manager)).status).toBe(400);
  });
});

describe('one contact for one person', () => {
  it('a contact on one lead marks every waiting lead of the same client and project', async () => {
    const p = { name: 'Gabriela Ibáñez', rut: rut(20_555_555), email: 'gabi@gmail.com', phone: '+56 9 8555 5555', project: 'PLR' };
    const first = await ingest(p, { daysAgo: 2 });
    const second = await ingest({ ...p, message: 'Escribo de nuevo' });
    expect((await lead(first)).client_id).toBe((await lead(second)).client_id);
    const res = await h.post(`/api/leads/${second}/follow-up`, { expectation: 'alta', contactType: 'whatsapp' }, {}, vera);
    expect(res.status, await res.clone().text()).toBe(200);
    expect([(await lead(first)).contact_state, (await lead(second)).contact_state]).toEqual(['contactado', 'contactado']);
    expect((await h.json('/api/my/day', { token: vera })).pending.map((c: any) => c.id)).not.toContain(first);
    const history = (await h.json(`/api/leads/${first}`, { token: vera })).actions;
    // Recorded on this lead too, with the contact's data (ids of other records are never shown).
    expect(history[0]).toMatchObject({ action: 'follow_up', actor: 'vera@inmo.cl', data: { expectation: 'alta', contactType: 'whatsapp' } });
    expect(history[0].data).not.toHaveProperty('viaLead');
  });

  it('"abortar" from the contact form needs a comment and ends the follow-up', async () => {
    const id = await ingest({ name: 'Hernán Paz', rut: rut(21_666_666), email: 'hernan@gmail.com', phone: '+56 9 8666 6666', project: 'PLR' });
    expect((await h.post(`/api/leads/${id}/follow-up`, { expectation: 'baja', contactType: 'otro', action: 'abortar' }, {}, vera)).status).toBe(400);
    expect((await h.post(`/api/leads/${id}/follow-up`, { expectation: 'baja', contactType: 'otro', action: 'abortar', comment: 'Ya compró' }, {}, vera)).status).toBe(200);
    expect((await lead(id)).contact_state).toBe('abortado');
  });
});

describe('two people sharing a phone', () => {
  let first: number;
  let second: number;
  let markId: number;

  it('get two records and a "posible duplicado" mark', async () => {
    first = await ingest({ name: 'Ignacio Fuentes', rut: rut(22_777_777), email: 'ignacio@gmail.com', phone: '+56 9 8777 7777', project: 'PLR' });
    // Another person, typing the same phone and no RUT: before, she joined Ignacio's record.
    second = await ingest({ name: 'Josefa Lagos', email: 'josefa@hotmail.com', phone: '+56 9 8777 7777', project: 'PLR' });
    expect((await lead(second)).client_id).not.toBeNull();
    expect((await lead(first)).client_id).not.toBe((await lead(second)).client_id);
    // The same person writing again by phone only (no ID, same name) still joins her record.
    const again = await ingest({ name: 'Ignacio Fuentes', phone: '+56 9 8777 7777', project: 'PLR' });
    expect((await lead(again)).client_id).toBe((await lead(first)).client_id);
    const marks = await h.json('/api/duplicates', { token: manager });
    const mark = marks.items.find((m: any) => m.leadId === second);
    expect(mark).toMatchObject({ reason: 'phone', status: 'open', clientId: (await lead(second)).client_id, otherClientId: (await lead(first)).client_id });
    expect(mark.client.name).toBe('Josefa Lagos');
    markId = mark.id;
    expect((await h.call('/api/duplicates', { token: vera })).status).toBe(403);
  });

  it('a manager merges them, and can undo it', async () => {
    const secondClient = (await lead(second)).client_id;
    const merged = await (await h.post(`/api/duplicates/${markId}/merge`, {}, {}, manager)).json();
    expect(merged).toMatchObject({ ok: true, status: 'merged', clientId: (await lead(first)).client_id, movedLeads: [second] });
    expect((await lead(second)).client_id).toBe((await lead(first)).client_id);
    expect((await h.post(`/api/duplicates/${markId}/merge`, {}, {}, manager)).status).toBe(409);
    const undone = await (await h.post(`/api/duplicates/${markId}/unmerge`, {}, {}, manager)).json();
    expect(undone).toMatchObject({ ok: true, status: 'unmerged', movedLeads: [second] });
    expect((await lead(second)).client_id).toBe(secondClient);
    const audit = await h.json('/api/audit?action=client.merge');
    expect(audit.items[0]).toMatchObject({ actor: 'gerente@inmo.cl', objectType: 'client' });
  });
});

describe('editing a national ID', () => {
  it('moves the lead to the client that ID belongs to', async () => {
    const owner = await ingest({ name: 'Karen Molina', rut: rut(24_999_999), email: 'karen@gmail.com', phone: '+56 9 8999 9999', project: 'PLR' });
    const typo = await ingest({ name: 'Karen Molina', rut: rut(24_999_998), email: 'karen.molina@yahoo.com', phone: '+56 9 8999 0000', project: 'PLR' }, { daysAgo: 1 });
    expect((await lead(typo)).client_id).not.toBe((await lead(owner)).client_id);
    // A bueno lead's other data is corrected in the client record; a manager fixes the typo through reprocess rules:
    await exec(h.app, "UPDATE leads SET quality = 'con_problemas' WHERE id = ?", [typo]);
    const res = await h.post(`/api/leads/${typo}/edit`, { nationalId: rut(24_999_999) }, {}, manager);
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await lead(typo)).client_id).toBe((await lead(owner)).client_id);
    const d = await h.json(`/api/leads/${typo}`, { token: manager });
    expect(d.actions.map((a: any) => a.action)).toContain('relink');
  });
});

it('the deadline of a card is the arrival plus followUpDays', async () => {
  const id = await ingest({ name: 'Luis Vega', rut: rut(25_123_456), email: 'luis@gmail.com', phone: '+56 9 8123 4567', project: 'PLR' }, { daysAgo: 1 });
  const card = (await h.json('/api/my/day', { token: vera })).pending.find((c: any) => c.id === id);
  expect(Date.parse(card.deadlineAt) - Date.parse(card.receivedAt)).toBe(5 * DAY);
});
