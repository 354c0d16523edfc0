import { column } from './helpers/db-rows.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, rut, seed, startHarness, type Harness, type Seeded } from './http-fixture.ts';

let h: Harness;
let data: Seeded;
let maria: string;
let jefe: string;

beforeAll(async () => {
  h = await startHarness();
  data = await seed(h.app);
  maria = await h.addUser('maria.soto@inmobiliaria-prueba.cl', 'gerente', { name: 'María Soto' });
  jefe = await h.addUser('jefe.ventas@inmobiliaria-prueba.cl', 'admin', { name: 'Jefe de Ventas' });
});
afterAll(() => h.close());

const lead = (id: number) => h.json(`/api/leads/${id}`);
const idsWhere = (where: string) => column(h.app, `SELECT id FROM leads WHERE ${where} ORDER BY id`);

async function expectStatus(res: Response, status: number, error?: RegExp) {
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(status);
  if (error) expect(body.error).toMatch(error);
  return body;
}

describe('edit contact data', () => {
  it('re-classifies: a con_problemas lead that gets its RUT becomes bueno with client and follow-up', async () => {
    const [id] = await idsWhere("quality = 'con_problemas' AND national_id IS NULL AND client_id IS NULL");
    const body = await expectStatus(await h.post(`/api/leads/${id}/edit`, { nationalId: '16.543.210-' + rut(16543210).slice(-1) }, {}, maria), 200);
    expect(body).toMatchObject({ ok: true, quality: 'bueno', contactState: 'por_contactar' });
    expect(body.clientId).toBeGreaterThan(0);
    expect(body.followUpAt).toMatch(/^\d{4}-/);
    const d = await lead(id);
    expect(d.lead.nationalId).toBe(rut(16543210));
    expect(d.client.nationalId).toBe(rut(16543210));
    expect(d.followUps).toEqual([expect.objectContaining({ action: 'continuar', status: 'open' })]);
    expect(d.actions[0]).toMatchObject({ actor: 'maria.soto@inmobiliaria-prueba.cl', actorName: 'María Soto', action: 'edit', data: { changed: ['nationalId'], qualityBefore: 'con_problemas', qualityAfter: 'bueno' } });
  });

  it('an invalid value is refused with its reason in Spanish and nothing is saved', async () => {
    const [id] = await idsWhere("quality = 'con_problemas' AND national_id IS NULL AND client_id IS NULL");
    const before = (await lead(id)).lead;
    const wrongDigit = rut(12345678).endsWith('9') ? '12.345.678-8' : '12.345.678-9';
    const body = await expectStatus(await h.post(`/api/leads/${id}/edit`, { nationalId: wrongDigit }), 400, /^RUT no válido: el dígito verificador del RUT es /);
    expect(body.code).toBe('lead.invalid_value');
    await expectStatus(await h.post(`/api/leads/${id}/edit`, { email: 'no-es-un-correo' }), 400, /^email no válido/);
    await expectStatus(await h.post(`/api/leads/${id}/edit`, { phone: '123' }), 400, /^teléfono no válido/);
    await expectStatus(await h.post(`/api/leads/${id}/edit`, { project: 'Torre Que No Existe' }), 400, /^proyecto desconocido/);
    // A valid stored value is never erased.
    if (before.email) await expectStatus(await h.post(`/api/leads/${id}/edit`, { email: '' }), 400, /no se puede borrar/);
    const after = (await lead(id)).lead;
    expect([after.nationalId, after.email, after.phone, after.quality, after.updatedAt]).toEqual([before.nationalId, before.email, before.phone, before.quality, before.updatedAt]);
    expect((await lead(id)).actions.filter((a: { action: string }) => a.action === 'edit')).toEqual([]);
  });

  it('a bueno lead takes only a name correction; empty or unknown edits are 400', async () => {
    const [bueno] = await idsWhere("quality = 'bueno'");
    await expectStatus(await h.post(`/api/leads/${bueno}/edit`, { email: 'otro@gmail.com' }), 409, /bueno/);
    const ok = await expectStatus(await h.post(`/api/leads/${bueno}/edit`, { name: 'Cliente Corregido Álvarez' }), 200);
    expect(ok.quality).toBe('bueno');
    expect((await lead(bueno)).lead.name).toBe('Cliente Corregido Álvarez');
    const [malo] = await idsWhere("quality = 'malo'");
    await expectStatus(await h.post(`/api/leads/${malo}/edit`, {}), 400, /at least one/);
    await expectStatus(await h.post(`/api/leads/${malo}/edit`, { quality: 'bueno' }), 400, /quality: parámetro desconocido/);
    await expectStatus(await h.post('/api/leads/999999/edit', { name: 'X Y' }), 404);
  });
});

describe('follow-up, abort, discard', () => {
  it('a registered contact makes the lead contactado, with last contact and the next follow-up', async () => {
    const id = data.anaLeadIds[0];
    const recontact = new Date(Date.now() + 3 * DAY).toISOString().slice(0, 10);
    const body = await expectStatus(await h.post(`/api/leads/${id}/follow-up`, { expectation: 'alta', contactType: 'llamada', recontactAt: recontact, comment: 'Interesada en 2 dormitorios' }), 200);
    expect(body.contactState).toBe('contactado');
    const d = await lead(id);
    expect(d.lead.status).toBe('contactado');
    expect(Date.now() - Date.parse(d.lead.lastContactAt)).toBeLessThan(60_000);
    expect(d.lead.followUpAt.slice(0, 10)).toBe(recontact);
    const open = d.followUps.filter((f: any) => f.status === 'open' && f.projectId === d.lead.projectId);
    expect(open).toEqual([expect.objectContaining({ expectation: 'alta', contactType: 'llamada', comment: 'Interesada en 2 dormitorios', createdBy: 'token:admin' })]);
    expect(d.actions[0]).toMatchObject({ action: 'follow_up', actor: 'token:admin' });
    const stats = await h.json('/api/stats');
    expect(stats.status.contactado).toBe(1);
  });

  it('defaults the recontact date to now + followUpDays; refuses past dates, and an abort without a comment', async () => {
    const [id] = await idsWhere("quality = 'bueno' AND contact_state = 'por_contactar'");
    const body = await expectStatus(await h.post(`/api/leads/${id}/follow-up`, { expectation: 'media', contactType: 'sin_respuesta', comment: 'No contesta' }), 200);
    expect(body.contactState).toBe('por_contactar'); // an attempt that reached nobody is not a contact
    expect(Math.abs(Date.parse(body.followUpAt) - (Date.now() + 5 * DAY))).toBeLessThan(60_000);
    await expectStatus(await h.post(`/api/leads/${id}/follow-up`, { expectation: 'media', contactType: 'llamada', recontactAt: '2020-01-01', comment: 'x' }), 400, /^recontactAt: no puede estar en el pasado/);
    await expectStatus(await h.post(`/api/leads/${id}/follow-up`, { expectation: 'media', contactType: 'llamada', action: 'abortar', comment: '   ' }), 400, /^comment: es obligatorio para abortar/);
    await expectStatus(await h.post(`/api/leads/${id}/follow-up`, { expectation: 'enorme', contactType: 'llamada', comment: 'x' }), 400, /^expectation: /);
  });

  it('a lead without a client record cannot take a follow-up (409 says why)', async () => {
    const [malo] = await idsWhere("quality = 'malo' AND contact_state = 'por_contactar'");
    await expectStatus(await h.post(`/api/leads/${malo}/follow-up`, { expectation: 'baja', contactType: 'email', comment: 'x' }), 409, /no client record/);
  });

  it('abort needs a comment, closes the follow-up and is final', async () => {
    const [id] = await idsWhere("quality = 'bueno' AND contact_state = 'por_contactar' AND follow_up_at IS NOT NULL");
    await expectStatus(await h.post(`/api/leads/${id}/abort`, {}), 400, /^comment: /);
    const body = await expectStatus(await h.post(`/api/leads/${id}/abort`, { comment: 'Compró con otra inmobiliaria' }), 200);
    expect(body).toMatchObject({ contactState: 'abortado', followUpAt: null });
    const d = await lead(id);
    expect(d.followUps.some((f: any) => f.status === 'open' && f.projectId === d.lead.projectId)).toBe(false);
    expect(d.followUps[0]).toMatchObject({ action: 'abortar', status: 'aborted', comment: 'Compró con otra inmobiliaria' });
    await expectStatus(await h.post(`/api/leads/${id}/abort`, { comment: 'otra vez' }), 409, /already abortado/);
    await expectStatus(await h.post(`/api/leads/${id}/follow-up`, { expectation: 'alta', contactType: 'llamada', comment: 'x' }), 409);
    await expectStatus(await h.post(`/api/leads/${id}/edit`, { name: 'Nuevo Nombre' }), 409);
  });

  it('discard: only malo or con_problemas, reason and comment required; it leaves every count but descartado', async () => {
    const before = await h.json('/api/stats');
    const [bueno] = await idsWhere("quality = 'bueno' AND contact_state = 'por_contactar'");
    await expectStatus(await h.post(`/api/leads/${bueno}/discard`, { reason: 'spam', comment: 'x' }), 409, /only malo or con_problemas/);
    const [malo] = await idsWhere("quality = 'malo' AND contact_state = 'por_contactar'");
    await expectStatus(await h.post(`/api/leads/${malo}/discard`, { comment: 'sin motivo' }), 400, /^reason: /);
    await expectStatus(await h.post(`/api/leads/${malo}/discard`, { reason: 'spam' }), 400, /^comment: /);
    await expectStatus(await h.post(`/api/leads/${malo}/discard`, { reason: 'sin_datos_de_contacto', comment: 'Llegó sin teléfono ni email' }, {}, jefe), 200);
    await expectStatus(await h.post(`/api/leads/${malo}/discard`, { reason: 'spam', comment: 'x' }), 409, /descartado lead cannot be discarded/);
    const after = await h.json('/api/stats');
    expect(after.total).toBe(before.total - 1);
    expect(after.quality.malo).toBe(before.quality.malo - 1);
    expect(after.contactState.descartado).toBe(before.contactState.descartado + 1);
    expect(after.status.descartado).toBe(before.status.descartado + 1);
    const list = await h.json('/api/leads?limit=200');
    expect(list.items.some((i: any) => i.id === malo)).toBe(false);
    const discarded = await h.json('/api/leads?status=descartado');
    expect(discarded.items.map((i: any) => i.id)).toEqual([malo]);
    expect((await h.json('/api/stats?status=descartado')).total).toBe(1);
    const d = await lead(malo);
    expect(d.actions[0]).toMatchObject({ actor: 'jefe.ventas@inmobiliaria-prueba.cl', actorName: 'Jefe de Ventas', action: 'discard', data: { reason: 'sin_datos_de_contacto', comment: 'Llegó sin teléfono ni email' } });
  });

  it('records the person who acted, whatever an X-Actor header claims, and audits it with the address', async () => {
    const [id] = await idsWhere("quality = 'malo' AND contact_state = 'por_contactar'");
    await expectStatus(await h.post(`/api/leads/${id}/abort`, { comment: 'No contesta' }, { 'X-Actor': 'Otra Persona' }, maria), 200);
    const d = await lead(id);
    expect(d.actions[0]).toMatchObject({ actor: 'maria.soto@inmobiliaria-prueba.cl', actorName: 'María Soto', action: 'abort' });
    const audit = await h.json('/api/audit?action=lead.abort');
    expect(audit.items[0]).toMatchObject({ actor: 'maria.soto@inmobiliaria-prueba.cl', actorName: 'María Soto', objectType: 'lead', objectId: String(id), address: '127.0.0.1' });
    // The config's token acts as `token:admin`.
    const [other] = await idsWhere("quality = 'malo' AND contact_state = 'por_contactar'");
    await expectStatus(await h.post(`/api/leads/${other}/abort`, { comment: 'x' }), 200);
    expect((await lead(other)).actions[0]).toMatchObject({ actor: 'token:admin' });
  });

  it('the lead_counts aggregate path agrees with a full scan after all these actions', async () => {
    const strip = ({ parserHealth, ...rest }: any) => rest;
    // A date range forces the scan over leads; without one, stats come from lead_counts.
    for (const q of ['', 'status=por_contactar', 'status=no_contactado', 'status=descartado', 'quality=con_problemas&status=contactado,abortado', 'contactState=por_contactar&status=no_contactado', 'parser=_generic&medium=otros', 'project=Parque%20Los%20Robles']) {
      const counted = strip(await h.json(`/api/stats?${q}`));
      const scanned = strip(await h.json(`/api/stats?${q}${q ? '&' : ''}from=2000-01-01`));
      expect(counted, q).toEqual(scanned);
    }
  });
});

