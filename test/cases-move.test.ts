import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './http-fixture.ts';
import { noPostgres } from './helpers/tools.ts';

// An admin moves a misfiled email either way, audited with the person in the same unit of work;
// on both engines, through the real pipeline (the commit's case routing included).

const fixture = (name: string) => fs.readFileSync(path.resolve('fixtures/cases', name));
const engines = noPostgres() ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

describe.each(engines)('moving a misfiled email on %s', (engine) => {
  let h: Harness;
  let gerente = '';
  beforeAll(async () => {
    h = await startHarness({ engine });
    gerente = await h.addUser('gerente@inmo.cl', 'gerente');
  });
  afterAll(() => h.close());

  it('a lead becomes a case: the lead leaves the sales lists, its email is the case\'s, the person is audited', async () => {
    const lead = await h.app.ingestor.ingest(fixture('01-portal-interes-2d.eml'), { source: 'file' });
    expect(lead.status).toBe('lead');
    const leadId = lead.leadId!;
    expect((await h.post(`/api/leads/${leadId}/to-case`, { category: 'postventa' }, {}, gerente)).status).toBe(403);
    const res = await h.post(`/api/leads/${leadId}/to-case`, { category: 'postventa', comment: 'Es propietario, escribe por garantía' });
    expect(res.status, await res.clone().text()).toBe(200);
    const moved = (await res.json()) as { caseId: number; number: number };
    const c = await h.app.store.getCase(moved.caseId);
    expect(c).toMatchObject({ category: 'postventa', status: 'abierto', fromLeadId: leadId, rawEmailId: lead.rawEmailId, contactEmail: 'camila.fuentes@gmail.com' });
    expect((await h.app.store.getLead(leadId))?.contactState).toBe('descartado');
    expect((await h.app.store.getRaw(lead.rawEmailId))?.status).toBe('case');
    expect((await h.post(`/api/leads/${leadId}/to-case`, { category: 'postventa' })).status).toBe(409);
    const audit = await h.json('/api/audit?limit=20');
    expect(audit.items.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['lead.to_case', 'case.from_lead']));
    expect(audit.items.find((a: { action: string }) => a.action === 'lead.to_case')).toMatchObject({ actor: 'token:admin', objectId: String(leadId) });
    // Back again: the same lead, waiting for contact.
    const back = await h.post(`/api/cases/${moved.caseId}/to-lead`, {});
    expect(back.status, await back.clone().text()).toBe(200);
    expect(await back.json()).toMatchObject({ leadId, number: moved.number });
    expect((await h.app.store.getLead(leadId))?.contactState).toBe('por_contactar');
    expect(await h.app.store.getCase(moved.caseId)).toMatchObject({ status: 'cerrado', toLeadId: leadId });
    expect((await h.post(`/api/cases/${moved.caseId}/to-lead`, {})).status).toBe(409);
  });

  it('a case that came as one becomes a lead, read again from its email in a worker', async () => {
    const r = await h.app.ingestor.ingest(fixture('13-reclamo-filtracion-1502.eml'), { source: 'file' });
    expect(r.status).toBe('case');
    expect((await h.post(`/api/cases/${r.caseId}/to-lead`, {}, {}, gerente)).status).toBe(403);
    const res = await h.post(`/api/cases/${r.caseId}/to-lead`, { comment: 'Es un comprador' });
    expect(res.status, await res.clone().text()).toBe(200);
    const { leadId } = (await res.json()) as { leadId: number };
    expect(await h.app.store.getLead(leadId)).toMatchObject({ rawEmailId: r.rawEmailId, contactState: 'por_contactar' });
    expect(await h.app.store.getCase(r.caseId!)).toMatchObject({ status: 'cerrado', toLeadId: leadId });
    expect((await h.app.store.getRaw(r.rawEmailId))?.status).toBe('lead');
    const audit = await h.json('/api/audit?limit=5');
    expect(audit.items.find((a: { action: string }) => a.action === 'case.to_lead')).toMatchObject({ actor: 'token:admin', objectId: String(r.caseId) });
    expect((await h.post('/api/cases/999999/to-lead', {})).status).toBe(404);
    expect((await h.post('/api/leads/999999/to-case', { category: 'reclamo' })).status).toBe(404);
  });
});
