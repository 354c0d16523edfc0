// La ficha del cliente (GET /api/clients/:id) and its editor (POST /api/clients/:id/edit) on both
// engines: invalid values refused in Spanish with nothing changed, a corrected RUT saved, audited
// with the person and passed to the client's leads (a con_problemas lead becomes bueno with its
// follow-up), a RUT of another client answered 409, merged on confirmation and undone, and scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formEmail, rut, startHarness, type Harness } from './http-fixture.ts';
import { noPostgres } from './helpers/tools.ts';

const PLR = 'Parque Los Robles';
const MDV = 'Mirador del Valle';
const PROJECTS = [
  `  - name: ${PLR}`, '    aliases: [PLR]', '    vendors:', '      - {id: v1, name: Vera Díaz}',
  `  - name: ${MDV}`, '    aliases: [MDV]', '    vendors:', '      - {id: v3, name: Ana Soto}',
];
const ANA = { name: 'Ana María Rojas', rut: rut(15_234_567), email: 'ana.rojas@correo-prueba.cl', phone: '+56 9 8765 4321' };
const BRUNO = { name: 'Bruno Díaz Soto', rut: rut(16_345_678), email: 'bruno.diaz@correo-prueba.cl', phone: '+56 9 7654 3210' };
const DANI = { name: 'Daniela Fuentes', rut: rut(17_456_789), email: 'daniela@correo-prueba.cl', phone: '+56 9 6543 2109' };
const NEW_RUT = rut(15_234_568);
const wrongCheck = (r: string) => r.replace(/.$/, (d) => (d === '0' ? '1' : '0'));

type Ficha = { client: Record<string, any>; leads: Record<string, any>[]; history: Record<string, any>[]; duplicates: Record<string, any>[]; owners: Record<string, any>; interactions: Record<string, any>[]; followUps: Record<string, any>[]; lastInteraction: Record<string, any> | null };

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && noPostgres())(`la ficha del cliente (${engine})`, () => {
    let h: Harness;
    const tokens: Record<string, string> = {};
    const lead: Record<string, number> = {};
    const client: Record<string, number> = {};
    const ficha = async (id: number, token = tokens.gerente): Promise<Ficha> => h.json(`/api/clients/${id}`, { token });
    const edit = (id: number, body: unknown, token = tokens.gerente) => h.post(`/api/clients/${id}/edit`, body, {}, token);
    const ingest = async (key: string, p: Parameters<typeof formEmail>[0], daysAgo: number) => {
      const r = await h.app.ingestor.ingest(formEmail(p, { daysAgo }), { source: 'file' });
      lead[key] = r.leadId!;
      return r;
    };

    beforeAll(async () => {
      h = await startHarness({ engine, projects: PROJECTS, logLevel: 'silent' });
      // Ana: a bueno lead in PLR, then one without RUT in MDV that joins her record by email (con_problemas).
      client.ana = (await ingest('ana1', { ...ANA, project: PLR }, 6)).clientId!;
      expect((await ingest('ana2', { name: ANA.name, email: ANA.email, phone: ANA.phone, project: MDV }, 2)).clientId).toBe(client.ana);
      client.bruno = (await ingest('bruno', { ...BRUNO, project: PLR }, 3)).clientId!;
      client.dani = (await ingest('dani', { ...DANI, project: PLR }, 1)).clientId!;
      tokens.gerente = await h.addUser('gabriel@inmo.cl', 'gerente', { name: 'Gabriel Gerente' });
      tokens.mdv = await h.addUser('gerente.mdv@inmo.cl', 'gerente', { projects: [MDV] });
      tokens.vera = await h.addUser('vera@inmo.cl', 'vendedor', { vendorId: 'v1' });
      tokens.ana = await h.addUser('ana.soto@inmo.cl', 'vendedor', { vendorId: 'v3' });
      const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
      const res = await h.post('/api/interactions', [
        { tipo: 'cotizacion', rut: ANA.rut, proyecto: PLR, fecha: day(5), producto: 'Depto 101', monto: 'UF 2.850', id: 'Q1' },
        { tipo: 'separacion', rut: ANA.rut, proyecto: MDV, fecha: day(1), producto: 'Depto 202', estado: 'aprobada', id: 'S1' },
      ]);
      expect(res.status).toBe(200);
    });
    afterAll(() => h?.close());

    it('shows the client, all their leads across projects, history, owners and the country', async () => {
      const f = await ficha(client.ana);
      expect(f.client).toMatchObject({ id: client.ana, name: ANA.name, nationalId: ANA.rut, email: ANA.email, country: { code: 'CL', idLabel: 'RUT' } });
      expect(f.client.phones).toEqual(['+56987654321']);
      expect(f.leads.map((l) => [l.id, l.project, l.quality])).toEqual([[lead.ana2, MDV, 'con_problemas'], [lead.ana1, PLR, 'bueno']]);
      expect(f.leads[0].problems).toEqual(['nationalId.missing']);
      expect(f.owners.byProject.map((o: { project: string }) => o.project)).toEqual([MDV, PLR]);
      expect(f.owners.current).toBe('v1');
      expect(f.interactions.map((i: Record<string, any>) => [i.kind, i.project, i.product, i.amount, i.state])).toEqual([['separacion', MDV, 'Depto 202', null, 'aprobada'], ['cotizacion', PLR, 'Depto 101', 2850, null]]);
      expect(f.lastInteraction).toMatchObject({ type: 'separacion' });
    });

    it('refuses an invalid RUT with a Spanish reason and changes nothing', async () => {
      const before = await ficha(client.ana);
      const res = await edit(client.ana, { nationalId: wrongCheck(NEW_RUT) });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error).toMatch(/^RUT no válido: el dígito verificador del RUT es/);
      const junk = await edit(client.ana, { nationalId: 'hola' });
      expect(junk.status).toBe(400);
      expect((await junk.json()).error).toMatch(/RUT no válido/);
      const erase = await edit(client.ana, { email: '' });
      expect((await erase.json()).error).toBe('email: no se puede borrar un dato válido');
      expect(await ficha(client.ana)).toEqual(before);
      const audit = await h.json('/api/audit?action=client.edit');
      expect(audit.items).toEqual([]);
    });

    it('saves a valid RUT, audits it with the person and re-classifies the con_problemas lead as bueno with its follow-up', async () => {
      const res = await edit(client.ana, { nationalId: '15.234.568-' + NEW_RUT.slice(-1), name: ANA.name, email: ANA.email, phone: ANA.phone });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ ok: true, clientId: client.ana, changed: ['nationalId'], merged: null });
      const f = await ficha(client.ana);
      expect(f.client.nationalId).toBe(NEW_RUT);
      const ana2 = f.leads.find((l) => l.id === lead.ana2)!;
      expect(ana2).toMatchObject({ quality: 'bueno', nationalId: NEW_RUT, problems: [] });
      expect(ana2.followUpAt).not.toBeNull();
      expect(body.leads).toContainEqual(expect.objectContaining({ leadId: lead.ana2, qualityBefore: 'con_problemas', qualityAfter: 'bueno' }));
      // The bueno lead carried the old RUT: it takes the corrected one and stays bueno.
      expect(f.leads.find((l) => l.id === lead.ana1)).toMatchObject({ quality: 'bueno', nationalId: NEW_RUT });
      const audit = (await h.json('/api/audit?action=client.edit')).items;
      expect(audit).toHaveLength(1);
      const data = typeof audit[0].data === 'string' ? JSON.parse(audit[0].data) : audit[0].data;
      expect(audit[0]).toMatchObject({ actor: 'gabriel@inmo.cl', objectType: 'client', objectId: String(client.ana) });
      expect(data).toMatchObject({ changed: ['nationalId'], before: { nationalId: ANA.rut }, after: { nationalId: NEW_RUT } });
      const entry = f.history.find((a) => a.action === 'client_edit')!;
      expect(entry).toMatchObject({ actor: 'gabriel@inmo.cl', actorName: 'Gabriel Gerente', data: { changed: ['nationalId'] } });
      expect(f.history.filter((a) => a.action === 'edit' && a.leadId === lead.ana2)).toHaveLength(1);
      // Saving the same values again changes nothing and leaves no second entry.
      const again = await (await edit(client.ana, { nationalId: NEW_RUT, email: ANA.email })).json();
      expect(again).toMatchObject({ changed: [], leads: [] });
      expect((await h.json('/api/audit?action=client.edit')).items).toHaveLength(1);
    });

    it("answers 409 for another client's RUT, merges on confirmation and undoes the merge", async () => {
      const res = await edit(client.dani, { nationalId: BRUNO.rut });
      expect(res.status).toBe(409);
      const conflict = await res.json();
      expect(conflict.error).toMatch(/pertenece a otro cliente: Bruno Díaz Soto/);
      expect(conflict.conflict).toMatchObject({ key: 'nationalId', canMerge: true, client: { id: client.bruno, name: BRUNO.name, nationalId: BRUNO.rut } });
      expect((await ficha(client.dani)).client.nationalId).toBe(DANI.rut);
      // A vendor who sees only her own client learns nothing of the other one and cannot merge.
      const vendorTry = await edit(client.dani, { nationalId: BRUNO.rut, confirmMerge: true }, tokens.vera);
      expect(vendorTry.status).toBe(409);
      expect((await vendorTry.json()).conflict.canMerge).toBe(false);
      const merged = await (await edit(client.dani, { nationalId: BRUNO.rut, confirmMerge: true })).json();
      expect(merged).toMatchObject({ ok: true, clientId: client.bruno, merged: { intoClientId: client.bruno, movedLeads: [lead.dani] } });
      const bruno = await ficha(client.bruno);
      expect(bruno.leads.map((l) => l.id).sort()).toEqual([lead.bruno, lead.dani].sort());
      expect(bruno.duplicates).toContainEqual(expect.objectContaining({ id: merged.merged.duplicateId, status: 'merged' }));
      const audit = (await h.json('/api/audit?action=client.merge')).items;
      expect(audit[0]).toMatchObject({ actor: 'gabriel@inmo.cl', objectId: String(client.bruno) });
      const undo = await h.post(`/api/duplicates/${merged.merged.duplicateId}/unmerge`, {}, {}, tokens.gerente);
      expect(undo.status).toBe(200);
      expect((await ficha(client.bruno)).leads.map((l) => l.id)).toEqual([lead.bruno]);
      const dani = await ficha(client.dani);
      expect(dani.leads.map((l) => l.id)).toEqual([lead.dani]);
      expect(dani.client.nationalId).toBe(DANI.rut);
    });

    it('a vendor on another vendor’s client gets 404 and changes nothing; a gerente of one project sees and edits only its part', async () => {
      const owner = (await ficha(client.ana)).client.owner;
      const other = owner === 'v1' ? tokens.ana : tokens.vera;
      const before = await ficha(client.ana);
      expect((await h.call(`/api/clients/${client.ana}`, { token: other })).status).toBe(404);
      const res = await edit(client.ana, { name: 'Otra Persona' }, other);
      expect(res.status).toBe(404);
      expect(JSON.stringify(await res.json())).not.toContain(ANA.email);
      expect(await ficha(client.ana)).toEqual(before);
      // The owner herself sees her client.
      expect((await h.call(`/api/clients/${client.ana}`, { token: owner === 'v1' ? tokens.vera : tokens.ana })).status).toBe(200);

      const mdv = await ficha(client.ana, tokens.mdv);
      expect(mdv.leads.map((l) => l.id)).toEqual([lead.ana2]);
      expect(mdv.interactions.map((i: Record<string, any>) => i.kind)).toEqual(['separacion']);
      expect(mdv.followUps.every((x: Record<string, any>) => x.project === MDV)).toBe(true);
      expect(JSON.stringify(mdv)).not.toContain(`"leadId":${lead.ana1}`);
      expect((await h.call(`/api/clients/${client.bruno}`, { token: tokens.mdv })).status).toBe(404);
      expect((await edit(client.bruno, { name: 'Bruno Otro' }, tokens.mdv)).status).toBe(404);
      const renamed = await (await edit(client.ana, { phone: '+56 9 5123 4567' }, tokens.mdv)).json();
      expect(renamed.error).toBeUndefined();
      expect(renamed.leads.map((l: { leadId: number }) => l.leadId)).toEqual([lead.ana2]);
      const all = await ficha(client.ana);
      expect(all.client.phone).toBe('+56951234567');
      expect(all.leads.find((l) => l.id === lead.ana1)!.phone).toBe('+56987654321');
      expect(all.leads.find((l) => l.id === lead.ana2)!.phone).toBe('+56951234567');
    });
  });
}

/** A Brazilian CPF with its two check digits, computed here independently of src/. */
function cpf(base: string): string {
  const digit = (s: string) => {
    const sum = [...s].reduce((n, d, i) => n + Number(d) * (s.length + 1 - i), 0);
    const r = (sum * 10) % 11;
    return String(r === 10 ? 0 : r);
  };
  const first = digit(base);
  return `${base}${first}${digit(base + first)}`;
}

describe('la ficha in a Brazilian company', () => {
  let h: Harness;
  afterAll(() => h?.close());

  it("answers another client's CPF in Portuguese", async () => {
    h = await startHarness({ country: 'BR', logLevel: 'silent' });
    const ingest = (p: Parameters<typeof formEmail>[0]) => h.app.ingestor.ingest(formEmail({ ...p, project: 'Parque Los Robles' }), { source: 'file' });
    const a = await ingest({ name: 'Ana Souza Lima', rut: cpf('390533447'), email: 'ana.souza@correio-teste.com.br', phone: '(11) 96123-4567' });
    const b = await ingest({ name: 'Bruno Costa Reis', rut: cpf('123456789'), email: 'bruno.costa@correio-teste.com.br', phone: '(11) 96123-4568' });
    expect(a.clientId && b.clientId).toBeTruthy();
    const res = await h.post(`/api/clients/${a.clientId}/edit`, { nationalId: cpf('123456789') });
    expect(res.status).toBe(409);
    expect((await res.json()).error).toBe('O CPF pertence a outro cliente: Bruno Costa Reis. Unir esta ficha com a dele? Pode ser desfeito.');
    const f = await h.json(`/api/clients/${a.clientId}`);
    expect(f.client).toMatchObject({ nationalId: cpf('390533447'), nationalIdDisplay: '390.533.447-05', country: { code: 'BR', idLabel: 'CPF' } });
  });
});
