import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formEmail, rut, startHarness, type Harness } from './http-fixture.ts';

// A portal parser of our own, so the suite does not depend on what parsers/ holds today.
const PARSER = `
id: portal-prueba
name: Portal de prueba
medium: portales
match:
  from: portal-prueba.cl
fields:
  name: { label: Nombre }
  nationalId: { label: RUT }
  email: { label: Email }
  project: { label: Proyecto }
`;

let h: Harness;
let dir: string;
const from = 'avisos@portal-prueba.cl';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centralizer-parsers-'));
  fs.writeFileSync(path.join(dir, 'portal-prueba.yaml'), PARSER);
  h = await startHarness({ parsersDir: dir });
  // A week of complete leads (the baseline), then a day where the portal stopped sending RUT and email.
  for (let i = 0; i < 15; i++) {
    await h.app.ingestor.ingest(formEmail({ name: `Comprador Semana ${i}`, rut: rut(12_000_000 + i * 31), email: `semana${i}@gmail.com`, project: 'Parque Los Robles' }, { from, daysAgo: 2 + (i % 5) }), { source: 'file' });
  }
  for (let i = 0; i < 12; i++) {
    await h.app.ingestor.ingest(formEmail({ name: `Comprador Hoy ${i}`, phone: `+56 9 8123 46${10 + i}`, project: 'Parque Los Robles' }, { from, daysAgo: 0 }), { source: 'file' });
  }
  await h.app.ingestor.ingest(formEmail({ name: 'Sitio Propio', rut: rut(13_000_000), email: 'sitio@gmail.com', project: 'MDV' }), { source: 'file' });
});
afterAll(async () => {
  await h.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('per-parser filters and health', () => {
  it('filters by parser and medium, and counts by parser', async () => {
    const stats = await h.json('/api/stats');
    expect(stats.byParser).toEqual({ 'portal-prueba': 27, _generic: 1 });
    expect(stats.medium).toEqual({ portales: 27, web: 0, otros: 1 });
    expect((await h.json('/api/leads?parser=portal-prueba&limit=200')).items.length).toBe(27);
    expect((await h.json('/api/leads?parser=_generic')).items.map((i: any) => i.fields.name)).toEqual(['Sitio Propio']);
    expect((await h.json('/api/stats?medium=portales')).total).toBe(27);
    expect((await h.call('/api/leads?parser=Portal Prueba')).status).toBe(400);
  });

  it('flags a template change when the missing-field share jumps over the baseline, and warns once', async () => {
    const { parsers } = await h.json('/api/parsers');
    const p = parsers.find((x: any) => x.parser === 'portal-prueba');
    expect(p).toMatchObject({ leads24h: 12, leads7d: 27, emails24h: 12, emails7d: 27, missingShare24h: 1, missingShareBaseline: 0, templateChanged: true });
    expect(p.conProblemasShare).toBeCloseTo(12 / 27, 2);
    expect(p.maloShare).toBe(0);
    expect(Date.now() - Date.parse(p.lastSuccessAt)).toBeGreaterThan(1.5 * 86_400_000); // the last bueno was before the change
    const stats = await h.json('/api/stats');
    expect(stats.parserHealth.find((x: any) => x.parser === 'portal-prueba').templateChanged).toBe(true);
    const warnings = h.logLines.filter((l) => l.includes('parser may no longer match its portal template'));
    expect(warnings.length).toBe(1);
    expect(JSON.parse(warnings[0])).toMatchObject({ level: 40, parser: 'portal-prueba' });
    expect(warnings[0]).not.toContain('Comprador');
  });
});
