// The sales funnel on real SQLite (or PostgreSQL with CENTRALIZER_TEST_DB=postgres): leads through
// the real pipeline, interactions through the import and the API, every count checked against a
// direct count of the database.
import { rows, value } from './helpers/db-rows.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANA, DAY, dotted, formEmail, rut, seed, startHarness, type Harness } from './http-fixture.ts';
import { readInteractionsFile } from '../src/cli/interactions.ts';
import { io } from '../src/db/port.ts';
import { importRecords, runImport, type ImportOptions } from '../src/funnel/import.ts';
import { funnelSettings } from '../src/funnel/service.ts';
import { parseAmount, parseDate } from '../src/funnel/values.ts';
import { isReentry, attributedLead } from '../src/funnel/rules.ts';

const VENDORS = ['    vendors:', '      - {id: v1, name: Vera Díaz, type: lp}', '      - {id: v2, name: Hugo Pérez, type: lp}'];
const TZ = 'America/Santiago';
/** A date as an ERP writes it (dd-mm-aaaa, local), `days` ago. */
const ddmmyyyy = (days: number) => new Date(Date.now() - days * DAY).toLocaleDateString('es-CL', { timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric' }).replace(/\//g, '-');
/** The RUT of the seed's i-th bueno client. */
const buenoRut = (i: number) => rut(10_000_000 + i * 7919);

describe('sales funnel', () => {
  let h: Harness;
  let dir: string;
  const sql = <T = number>(q: string, ...p: unknown[]) => value<T>(h.app, q, p);
  const run = (file: string, o: Partial<ImportOptions> = {}) => {
    const settings = funnelSettings(h.app);
    return readInteractionsFile(file).then(({ records }) => runImport(h.app.store, (tx) => importRecords(tx, records, settings, { actor: 'test', defaultSource: 'sala_de_ventas', createClients: true, now: Date.now(), ...o })));
  };
  const write = (name: string, lines: string[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `\ufeff${lines.join('\r\n')}\r\n`);
    return file;
  };

  beforeAll(async () => {
    h = await startHarness({ projects: ['  - name: Parque Los Robles', '    aliases: [PLR]', ...VENDORS, '  - name: Mirador del Valle', '    aliases: [MDV]', ...VENDORS] });
    await seed(h.app);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'funnel-'));
  });
  afterAll(async () => {
    await h?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads dates and amounts as ERP exports write them', () => {
    expect(parseDate('05-03-2026', TZ)).toBe(Date.parse('2026-03-05T03:00:00Z'));
    expect(parseDate('2026-03-05', TZ)).toBe(parseDate('5/3/2026', TZ));
    expect(parseDate('2026-03-05T10:00:00Z', TZ)).toBe(Date.parse('2026-03-05T10:00:00Z'));
    expect(parseDate('31-02-2026', TZ)).toBeNull();
    expect(parseDate('ayer', TZ)).toBeNull();
    expect([parseAmount('1.234.567'), parseAmount('3.500,25'), parseAmount('UF 2.850'), parseAmount('1,234.5'), parseAmount('12.5'), parseAmount('doce')]).toEqual([1234567, 3500.25, 2850, 1234.5, 12.5, null]);
  });

  it('counting rule and attribution as plain functions', () => {
    const ev = (id: number, kind: 'cotizacion' | 'separacion', at: number) => ({ id, kind, at, projectId: 1, source: 'sala_de_ventas' as const });
    const events = [ev(1, 'cotizacion', 10), ev(2, 'separacion', 20), ev(3, 'cotizacion', 30)];
    expect(events.map((e) => isReentry(events, e))).toEqual([false, false, true]);
    const leads = [{ id: 7, at: 5, projectId: 2, parser: 'toctoc', medium: 'portales' as const }, { id: 8, at: 8, projectId: 1, parser: 'yapo', medium: 'portales' as const }, { id: 9, at: 40, projectId: 1, parser: null, medium: 'otros' as const }];
    expect(attributedLead(leads, { at: 30, projectId: 1 })?.id).toBe(8); // latest of the same project before it
    expect(attributedLead(leads, { at: 6, projectId: 1 })?.id).toBe(7); // none of the project before: latest of any
    expect(attributedLead(leads, { at: 1, projectId: 1 })?.id).toBe(8); // none before: the first after, same project
  });

  it('a file with errors imports nothing and names every bad row by line; --skip-invalid imports the valid ones', async () => {
    const before = await sql('SELECT count(*) FROM interactions');
    const file = write('malo.csv', [
      'Tipo;RUT;Proyecto;Fecha;Estado;Monto;ID',
      `cotizacion;${buenoRut(0)};Parque Los Robles;${ddmmyyyy(3)};;2.500;Q-BAD-1`,
      `cotizacion;12.345.678-0;Parque Los Robles;${ddmmyyyy(3)};;;Q-BAD-2`,
      `arriendo;${buenoRut(1)};Mirador del Valle;${ddmmyyyy(3)};;;Q-BAD-3`,
      `separacion;${buenoRut(2)};Torre Inexistente;${ddmmyyyy(3)};emitida;;Q-BAD-4`,
      `separacion;${buenoRut(2)};Parque Los Robles;32-13-2026;firmada;;Q-BAD-5`,
    ]);
    const r = await run(file);
    expect(r.imported).toBe(false);
    expect(r.errors.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    expect(r.errors[0].reason).toMatch(/RUT "12\.345\.678-0" no es válido \(el dígito verificador del RUT es 5, no 0\)/);
    expect(r.errors[1].reason).toMatch(/tipo "arriendo" desconocido/);
    expect(r.errors[2].reason).toMatch(/proyecto "Torre Inexistente" desconocido/);
    expect(r.errors[3].reason).toMatch(/fecha "32-13-2026" no válida.*estado "firmada" desconocido/);
    expect(await sql('SELECT count(*) FROM interactions')).toBe(before);
    const skipped = await run(file, { skipInvalid: true, dryRun: true });
    expect([skipped.created, skipped.imported]).toEqual([1, false]);
    expect(await sql('SELECT count(*) FROM interactions')).toBe(before);
  });

  it('imports quotes and reservations matched by national ID, email or phone; re-importing changes nothing', async () => {
    const clientOf = (r: string) => sql<number>('SELECT id FROM clients WHERE national_id = ?', r);
    const file = write('erp.csv', [
      'Tipo de interacción,Documento,Correo electrónico,Teléfono,Proyecto,Fecha,Estado,Monto,Producto,Modelo,Id',
      `Cotización,${dotted(buenoRut(0))},,,Parque Los Robles,${ddmmyyyy(2)},,"2.500,5",Depto 101,2D2B,Q1`,
      `cotizacion,${buenoRut(1)},,,MDV,${ddmmyyyy(10)},,,Depto 202,,Q2`,
      `Separación,${buenoRut(0)},,,Parque Los Robles,${ddmmyyyy(1)},Aprobada,3100,Depto 101,,S1`,
      `cotizacion,,${ANA.email.toUpperCase()},,Parque Los Robles,${ddmmyyyy(4)},,,,,Q3`,
      `cotizacion,,,+56 9 8123 4512,Parque Los Robles,${ddmmyyyy(8)},,,,,Q4`,
      `minuta,${buenoRut(0)},,,Parque Los Robles,${ddmmyyyy(0)},,,,,M1`,
      `cotizacion,${buenoRut(0)},,,Parque Los Robles,${ddmmyyyy(0)},,,Depto 305,,Q5`,
    ]);
    const r = await run(file);
    expect(r.errors).toEqual([]);
    expect([r.created, r.updated, r.unchanged, r.clientsCreated]).toEqual([7, 0, 0, 0]);
    const row = async (id: string) => (await rows(h.app, 'SELECT * FROM interactions WHERE external_id = ?', [id]))[0];
    expect((await row('Q1')).client_id).toBe(await clientOf(buenoRut(0)));
    expect((await row('Q1')).amount).toBe(2500.5);
    expect((await row('Q3')).client_id).toBe(await clientOf(ANA.rut)); // by email, case ignored
    expect((await row('Q4')).client_id).toBe(await clientOf(buenoRut(2))); // by phone written another way
    expect((await row('S1')).state).toBe('aprobada');
    // Attributed to the client's lead (its portal) and, after the separación, Q5 is a new lead.
    expect((await row('Q1')).lead_id).toBe(await sql('SELECT id FROM leads WHERE client_id = ?', await clientOf(buenoRut(0))));
    expect([(await row('Q1')).reentry, (await row('Q5')).reentry]).toEqual([0, 1]);
    const snapshot = await rows(h.app, 'SELECT * FROM interactions ORDER BY id');
    const again = await run(file);
    expect([again.created, again.updated, again.unchanged]).toEqual([0, 0, 7]);
    expect(await rows(h.app, 'SELECT * FROM interactions ORDER BY id')).toEqual(snapshot);
  });

  it('quotes are por contactar within their deadline, no contactados past it, contactados after a follow-up', async () => {
    const f = await h.json('/api/funnel');
    const quotes = await rows<{ d: number; s: string }>(h.app, "SELECT deadline_at AS d, contact_state AS s FROM interactions WHERE kind = 'cotizacion'");
    expect(f.statuses.cotizacion.no_contactado).toBe(quotes.filter((q) => q.s === 'por_contactar' && q.d < Date.now()).length);
    expect(f.statuses.cotizacion.no_contactado).toBeGreaterThan(0); // Q2 and Q4, 10 and 8 days old
    expect(f.statuses.cotizacion.por_contactar).toBe(quotes.filter((q) => q.s === 'por_contactar' && q.d >= Date.now()).length);
    const client = await sql<number>('SELECT id FROM clients WHERE national_id = ?', buenoRut(1));
    const lead = await sql<number>('SELECT id FROM leads WHERE client_id = ? ORDER BY id LIMIT 1', client);
    const res = await h.post(`/api/leads/${lead}/follow-up`, { expectation: 'alta', contactType: 'llamada', comment: 'Cotizó el 202' });
    expect(res.status).toBe(200);
    expect(await sql("SELECT contact_state FROM interactions WHERE external_id = 'Q2'")).toBe('contactado');
    const items = await h.json('/api/funnel/items?stage=cotizacion&state=contactado');
    expect(items.items.map((i: { externalId: string }) => i.externalId)).toEqual(['Q2']);
  });

  it('funnel counts match a direct count of the database, by stage, portal and vendor', async () => {
    const f = await h.json('/api/funnel');
    const leads = await sql("SELECT count(*) FROM leads WHERE contact_state <> 'descartado'");
    const reentries = await sql("SELECT count(*) FROM interactions WHERE kind = 'cotizacion' AND reentry");
    const kind = (k: string) => sql('SELECT count(*) FROM interactions WHERE kind = ?', k);
    expect(f.stages.map((s: { count: number }) => s.count)).toEqual([leads + reentries, await kind('cotizacion'), await kind('separacion'), await kind('minuta'), await kind('desembolso')]);
    expect(f.stages[0].conversion).toBeCloseTo(await kind('cotizacion') / (leads + reentries), 4);
    expect(f.stages[4].conversion).toBeNull();
    const direct = await rows<{ p: string; lead: number; cotizacion: number }>(h.app, `SELECT p, sum(lead) AS lead, sum(cot) AS cotizacion FROM (
      SELECT coalesce(parser, '_generic') AS p, 1 AS lead, 0 AS cot FROM leads WHERE contact_state <> 'descartado'
      UNION ALL SELECT coalesce(parser, '_generic'), CASE WHEN reentry THEN 1 ELSE 0 END, 1 FROM interactions WHERE kind = 'cotizacion') AS x GROUP BY p`);
    expect(Object.fromEntries(f.byPortal.map((r: { parser: string; lead: number; cotizacion: number }) => [r.parser, [r.lead, r.cotizacion]]))).toEqual(Object.fromEntries(direct.map((d) => [d.p, [d.lead, d.cotizacion]])));
    // A period: the last 3 days of interactions and arrivals.
    const from = new Date(Date.now() - 3 * DAY).toISOString().slice(0, 10);
    const since = (await h.json(`/api/funnel?from=${from}`)).stages;
    const fromMs = Date.parse(`${from}T00:00:00-03:00`);
    expect(since[1].count).toBe(await sql("SELECT count(*) FROM interactions WHERE kind = 'cotizacion' AND at >= ?", fromMs) as number);
  });

  it('a vendor sees only their clients\' funnel', async () => {
    const token = await h.addUser('vera@inmo.cl', 'vendedor', { vendorId: 'v1' });
    const f = await h.json('/api/funnel', { token });
    const leads = await sql("SELECT count(*) FROM leads WHERE contact_state <> 'descartado' AND owner_vendor_id = 'v1'");
    const quotes = await sql("SELECT count(*) FROM interactions WHERE kind = 'cotizacion' AND owner_vendor_id = 'v1'");
    const reentries = await sql("SELECT count(*) FROM interactions WHERE kind = 'cotizacion' AND reentry AND owner_vendor_id = 'v1'");
    expect([f.stages[0].count, f.stages[1].count]).toEqual([leads + reentries, quotes]);
    expect(f.byVendor.map((v: { vendorId: string }) => v.vendorId)).toEqual(['v1']);
    const other = await sql<number>("SELECT client_id FROM interactions WHERE owner_vendor_id = 'v2' LIMIT 1");
    expect((await h.call(`/api/clients/${other}/timeline`, { token })).status).toBe(404);
    // Vendors record their own clients' quotes only; the rest reads as unknown.
    const res = await h.post('/api/interactions', { tipo: 'cotizacion', rut: await sql('SELECT national_id FROM clients WHERE id = ?', other), proyecto: 'Parque Los Robles', fecha: '2026-01-10' }, {}, token);
    expect(res.status).toBe(400);
  });

  it('POST /api/interactions takes one or a batch; a bad item answers 400 naming it and stores nothing', async () => {
    const before = await sql('SELECT count(*) FROM interactions');
    const bad = await h.post('/api/interactions', { items: [{ tipo: 'desembolso', rut: buenoRut(0), proyecto: 'PLR', fecha: '2026-01-10', id: 'D1' }, { tipo: 'desembolso', rut: buenoRut(3), fecha: 'mañana', id: 'D2' }] });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.errors.map((e: { item: number }) => e.item)).toEqual([1]);
    expect(body.error).toMatch(/items\[1\]: .*falta el proyecto.*fecha "mañana" no válida/);
    expect(await sql('SELECT count(*) FROM interactions')).toBe(before);
    const ok = await h.post('/api/interactions', [{ kind: 'desembolso', nationalId: buenoRut(0), project: 'PLR', at: '2026-01-10', externalId: 'D1', amount: 100 }]);
    expect(ok.status).toBe(200);
    expect((await ok.json()).created).toBe(1);
    expect(await sql("SELECT source FROM interactions WHERE external_id = 'D1'")).toBe('api');
  });

  it('registers a walk-in through the email rules and shows the client\'s timeline', async () => {
    const res = await h.post('/api/walk-ins', { name: 'Pedro Sala Ventas', nationalId: rut(17_345_678), email: 'pedro.sala@gmail.com', phone: '+56 9 7777 1234', project: 'Mirador del Valle' });
    expect(res.status).toBe(201);
    const w = await res.json();
    expect(w.quality).toBe('bueno');
    expect(await sql('SELECT national_id FROM clients WHERE id = ?', w.clientId)).toBe(rut(17_345_678));
    await h.post('/api/interactions', { tipo: 'cotizacion', email: 'pedro.sala@gmail.com', proyecto: 'MDV', fecha: new Date(Date.now() + 60_000).toISOString(), producto: 'Depto 901', id: 'Q-W1' });
    const t = await h.json(`/api/clients/${w.clientId}/timeline`);
    expect(t.timeline.map((r: { type: string }) => r.type).sort()).toEqual(['cotizacion', 'lead', 'seguimiento']);
    expect(t.timeline.find((r: { type: string }) => r.type === 'lead').source).toBe('sala_de_ventas');
    expect(t.timeline.find((r: { type: string }) => r.type === 'cotizacion').product).toBe('Depto 901');
    expect(t.lastInteraction.type).toBe('cotizacion');
  });

  it("a walk-in's lead, its follow-up (named after the person) and its audit row commit in one unit of work", async () => {
    const res = await h.post('/api/walk-ins', { name: 'Rosa Mostrador', nationalId: rut(17_456_789), email: 'rosa.mostrador@gmail.com', phone: '+56 9 7777 4321', project: 'PLR' });
    expect(res.status).toBe(201);
    const w = await res.json();
    expect(await sql('SELECT created_by FROM follow_ups WHERE lead_id = ?', w.leadId)).toBe('token:admin');
    expect(await sql("SELECT count(*) FROM audit WHERE action = 'lead.walk_in' AND object_id = ?", String(w.leadId))).toBe(1);
    // Whatever fails in that unit of work takes the lead with it: the email stays stored, as an
    // error (the pending retry would record it without its person).
    const leads = await sql('SELECT count(*) FROM leads');
    const raw = formEmail({ name: 'Tomás Fallido', rut: rut(17_567_890), email: 'tomas.f@gmail.com', phone: '+56 9 7777 5555', project: 'PLR' });
    const failing = h.app.ingestor.ingest(raw, { source: 'file', file: 'walk-in' }, {
      actor: 'ana@inmo.cl',
      *alsoRecord(tx) {
        yield* io(tx.audit({ at: Date.now(), userId: null, actor: 'ana@inmo.cl', action: 'lead.walk_in', objectType: 'lead', objectId: null, address: null, data: {} }));
        throw new Error('audit write failed');
      },
    });
    await expect(failing).rejects.toThrow('audit write failed');
    expect(await sql('SELECT count(*) FROM leads')).toBe(leads);
    expect(await sql("SELECT status FROM raw_emails ORDER BY id DESC LIMIT 1")).toBe('error');
    expect(await sql("SELECT count(*) FROM audit WHERE actor = 'ana@inmo.cl'")).toBe(0); // its audit row went with it
  });
});
