// A client whose leads two vendors or two managers share: each reads and changes only their part.
// Ana wrote about PLR (v1's) and MDV (v2's after a reassignment); a vendor, a gerente of PLR and a
// supervisor of v1 act on her. The timeline, the lead page, follow-ups, interactions by external
// id, reassignments and merges stay inside each caller's scope, or answer 4xx and change nothing.
// Real SQLite (and PostgreSQL in the postgres project), leads through the real pipeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from '../src/db/port.ts';
import { rows as dbRows } from './helpers/db-rows.ts';
import { ANA, formEmail, rut, startHarness, tableDigest, type Harness } from './http-fixture.ts';

const PLR = 'Parque Los Robles';
const MDV = 'Mirador del Valle';
const V = (id: string, name: string) => `      - {id: ${id}, name: ${name}, type: lp}`;

let h: Harness;
let vera = '';
let gerentePlr = '';
let supervisor = '';
let plrLead = 0;
let mdvLead = 0;
let ana = 0;
let yolanda = 0;
const rows = (q: string, ...p: unknown[]) => dbRows(h.app, q, p);
const everything = () => tableDigest(h.app, ['interactions', 'notifications', 'client_duplicates']);
const owners = () => rows('SELECT id, owner_vendor_id AS owner, contact_state AS state FROM leads WHERE client_id = ? ORDER BY id', ana);

beforeAll(async () => {
  h = await startHarness({
    logLevel: 'error',
    projects: [`  - name: ${PLR}`, '    aliases: [PLR]', '    vendors:', V('v1', 'Vera Díaz'), V('v3', 'Tomás Ruiz'), `  - name: ${MDV}`, '    aliases: [MDV]', '    vendors:', V('v2', 'Hugo Pérez')],
  });
  const ingest = async (p: Record<string, string>, daysAgo: number) => h.app.ingestor.ingest(formEmail(p, { daysAgo }), { source: 'file' });
  const a1 = await ingest({ ...ANA, project: PLR }, 3);
  const a2 = await ingest({ ...ANA, project: MDV }, 1);
  const y = await ingest({ name: 'Yolanda Pérez Soto', rut: rut(12_345_678), email: 'yolanda@gmail.com', phone: '+56 9 7000 1111', project: PLR }, 2);
  [plrLead, mdvLead, ana, yolanda] = [a1.leadId!, a2.leadId!, a1.clientId!, y.clientId!];
  vera = await h.addUser('vera@inmo.cl', 'vendedor', { vendorId: 'v1' });
  gerentePlr = await h.addUser('gerente.plr@inmo.cl', 'gerente', { projects: [PLR] });
  supervisor = await h.addUser('sup@inmo.cl', 'supervisor', { team: ['v1'] });
  // Vera calls Ana about PLR; then an admin gives Ana to Hugo: her waiting MDV lead goes with her.
  expect((await h.post(`/api/leads/${plrLead}/follow-up`, { expectation: 'alta', contactType: 'llamada', comment: 'llamar el lunes' }, {}, vera)).status).toBe(200);
  expect((await h.post(`/api/clients/${ana}/reassign`, { vendorId: 'v2', reason: 'vende MDV' })).status).toBe(200);
  expect(await owners()).toEqual([{ id: plrLead, owner: 'v1', state: 'contactado' }, { id: mdvLead, owner: 'v2', state: 'por_contactar' }]);
});
afterAll(() => h?.close());

describe("a shared client: each caller's part only", () => {
  it("the timeline shows the caller's leads, interactions and follow-ups, as the client record does", async () => {
    const mine = await h.json<{ timeline: { type: string; id: number; project: string }[] }>(`/api/clients/${ana}/timeline`, { token: vera });
    expect(mine.timeline.filter((r) => r.type === 'lead').map((r) => r.id)).toEqual([plrLead]);
    expect(mine.timeline.every((r) => r.project === PLR)).toBe(true);
    const record = await h.json<{ followUps: { id: number }[] }>(`/api/clients/${ana}`, { token: vera });
    expect(mine.timeline.filter((r) => r.type === 'seguimiento').map((r) => r.id).sort()).toEqual(record.followUps.map((f) => f.id).sort());
    const gerente = await h.json<{ timeline: { type: string; id: number }[] }>(`/api/clients/${ana}/timeline`, { token: gerentePlr });
    expect(gerente.timeline.filter((r) => r.type === 'lead').map((r) => r.id)).toEqual([plrLead]);
    const all = await h.json<{ timeline: { type: string; id: number }[] }>(`/api/clients/${ana}/timeline`);
    expect(all.timeline.filter((r) => r.type === 'lead').map((r) => r.id).sort((a, b) => a - b)).toEqual([plrLead, mdvLead]);
  });

  it("the lead page lists no follow-up of another vendor's lead and no ids of other records in its history", async () => {
    const d = await h.json<{ followUps: { leadId: number }[]; actions: { action: string; data: Record<string, unknown> }[] }>(`/api/leads/${plrLead}`, { token: vera });
    expect(d.followUps.length).toBeGreaterThan(0);
    expect(d.followUps.every((f) => f.leadId === plrLead)).toBe(true);
    const admin = await h.json<{ followUps: { leadId: number }[] }>(`/api/leads/${plrLead}`);
    expect(admin.followUps.some((f) => f.leadId === mdvLead)).toBe(true); // the admin sees the whole client
    for (const a of d.actions) expect(Object.keys(a.data ?? {}).filter((k) => /(Id|Ids)$|^(alsoContacted|viaLead|leads|movedLeads|mergeInto)$/.test(k))).toEqual([]);
  });

  it("a follow-up on one's own lead leaves another vendor's waiting lead and follow-up as they were", async () => {
    const other = await h.app.ingestor.ingest(formEmail({ ...ANA, project: PLR, message: 'Sigo interesada' }, { daysAgo: 0 }), { source: 'file' });
    const [before] = await rows('SELECT owner_vendor_id AS owner, contact_state AS state FROM leads WHERE id = ?', other.leadId);
    expect(before).toEqual({ owner: 'v2', state: 'por_contactar' }); // the client's owner now
    await h.post(`/api/leads/${other.leadId}/follow-up`, { expectation: 'media', contactType: 'sin_respuesta' }); // Hugo's open follow-up (by an admin here)
    const hugoOpen = await rows("SELECT id FROM follow_ups WHERE lead_id = ? AND status = 'open'", other.leadId);
    expect(hugoOpen).toHaveLength(1);
    expect((await h.post(`/api/leads/${plrLead}/follow-up`, { expectation: 'media', contactType: 'whatsapp' }, {}, vera)).status).toBe(200);
    expect(await rows('SELECT owner_vendor_id AS owner, contact_state AS state FROM leads WHERE id = ?', other.leadId)).toEqual([before]);
    expect(await rows("SELECT id FROM follow_ups WHERE lead_id = ? AND status = 'open'", other.leadId)).toEqual(hugoOpen);
  });

  it("an interaction recorded for another vendor's project cannot be rewritten through its external id", async () => {
    const quote = { tipo: 'cotizacion', rut: ANA.rut, proyecto: 'MDV', fecha: '2026-01-10', id: 'Q-77', monto: 1000, vendedor: 'v2' };
    expect((await h.post('/api/interactions', quote)).status).toBe(200);
    const stored = await rows("SELECT project_id AS project, amount, owner_vendor_id AS owner FROM interactions WHERE external_id = 'Q-77'");
    const before = await everything();
    const byVera = await h.post('/api/interactions', { ...quote, vendedor: undefined, monto: 1 }, {}, vera);
    expect(byVera.status).toBe(400);
    expect(((await byVera.json()) as { error: string }).error).toContain('no es tuya');
    expect((await h.post('/api/interactions', { ...quote, vendedor: undefined, proyecto: 'PLR', monto: 2 }, {}, gerentePlr)).status).toBe(400);
    expect(await everything()).toBe(before);
    expect(await rows("SELECT project_id AS project, amount, owner_vendor_id AS owner FROM interactions WHERE external_id = 'Q-77'")).toEqual(stored);
    // Its owner's own update still goes through.
    const hugo = await h.addUser('hugo@inmo.cl', 'vendedor', { vendorId: 'v2' });
    const own = await h.post('/api/interactions', { ...quote, vendedor: undefined, monto: 1200 }, {}, hugo);
    expect(own.status).toBe(200);
    expect(((await own.json()) as { updated: number }).updated).toBe(1);
  });

  it('a gerente of PLR or a supervisor of Vera cannot reassign a client with leads outside their scope: 403, nothing changes', async () => {
    const before = await everything();
    for (const [token, to] of [[gerentePlr, 'v3'], [supervisor, 'v1']]) {
      const r = await h.post(`/api/clients/${ana}/reassign`, { vendorId: to, reason: 'la tomo yo' }, {}, token);
      expect(r.status).toBe(403);
      expect(((await r.json()) as { code: string; error: string })).toMatchObject({ code: 'client.outside_scope', error: expect.stringContaining('administrador') });
    }
    expect(await everything()).toBe(before);
    // A client wholly in PLR is still the gerente's to move.
    const r = await h.post(`/api/clients/${yolanda}/reassign`, { vendorId: 'v1', reason: 'cartera de Vera' }, {}, gerentePlr);
    expect(r.status).toBe(200);
  });

  it("the audit trail a gerente of PLR reads names no lead of another project (the reassignment moved MDV's)", async () => {
    type Entry = { action: string; objectId: string; data: Record<string, unknown> };
    const find = (items: Entry[]) => items.find((e) => e.action === 'client.reassign' && e.objectId === String(ana));
    const admin = find((await h.json<{ items: Entry[] }>('/api/audit?action=client.reassign')).items);
    expect(admin?.data.leads).toEqual([mdvLead]);
    const gerente = find((await h.json<{ items: Entry[] }>('/api/audit?action=client.reassign', { token: gerentePlr })).items);
    expect(gerente).toMatchObject({ data: { from: 'v1', to: 'v2' } });
    expect(gerente?.data).not.toHaveProperty('leads');
  });

  it("a gerente of PLR cannot merge a client with MDV leads into another (their leads would move): 403, nothing changes; an admin can", async () => {
    const markId = await h.app.store.unitOfWork((tx) => io(tx.markPossibleDuplicate({ clientId: ana, otherClientId: yolanda, leadId: null, reason: 'phone', at: Date.now() })));
    const before = await everything();
    const r = await h.post(`/api/duplicates/${markId}/merge`, {}, {}, gerentePlr);
    expect(r.status).toBe(403);
    expect(await everything()).toBe(before);
    const admin = await h.post(`/api/duplicates/${markId}/merge`, {});
    expect(admin.status).toBe(200);
    expect(((await admin.json()) as { movedLeads: number[] }).movedLeads).toEqual(expect.arrayContaining([plrLead, mdvLead]));
    // Undoing it moves MDV's lead back too: not the gerente's either (the merged-away record has
    // no lead she sees now, so the mark is not even hers to find).
    const merged = await everything();
    expect([403, 404]).toContain((await h.post(`/api/duplicates/${markId}/unmerge`, {}, {}, gerentePlr)).status);
    expect(await everything()).toBe(merged);
    expect((await h.post(`/api/duplicates/${markId}/unmerge`, {})).status).toBe(200);
  });
});
