// One person, two national IDs: an Argentine writes once with the DNI and once with the CUIT/CUIL
// that carries it (a Peruvian: DNI and RUC 10…). Both leads belong to one client, by ID or by
// email, never a second record; another person's ID under the same email still is another person.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { formEmail, PROJECTS } from './helpers/mail.ts';
import { sqliteStore } from './helpers/sqlite-store.ts';

// CUIT/CUIL check digit, written here from the published rule (weights 5432765432, 11 - sum mod 11).
function cuil(prefix: string, dni: string): string {
  const first10 = prefix + dni.padStart(8, '0');
  const w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const r = 11 - (w.reduce((s, x, i) => s + x * Number(first10[i]), 0) % 11);
  return `${prefix}-${dni.padStart(8, '0')}-${r === 11 ? 0 : r === 10 ? 9 : r}`;
}

let dir: string;
let app: App;

async function start(country: 'AR' | 'PE') {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'same-person-'));
  const yaml = `country: ${country}\nfollowUpDays: 5\nparsersDir: ${process.cwd()}/parsers\nprojects:\n${PROJECTS.map((p) => `  - {name: ${p.name}, aliases: [${p.aliases.join(', ')}]}`).join('\n')}\n`;
  app = await createApp(parseConfig(yaml, 'test.yaml', {}), createLogger('silent'), { dbPath: path.join(dir, 'c.db') });
}
afterEach(async () => {
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ingest = async (lines: Record<string, string>) => {
  const r = await app.ingestor.ingest(formEmail({ lines }), { source: 'file' });
  return { leadId: r.leadId!, clientId: r.clientId };
};
const clients = () => sqliteStore(app).sqlite.prepare('select id, national_id nationalId, email from clients order by id').all() as { id: number; nationalId: string; email: string }[];

describe('AR: a DNI and the CUIT/CUIL that carries it are one person', () => {
  beforeEach(() => start('AR'));

  it('the CUIL lead joins the DNI client by ID, and by email; the DNI lead joins a CUIL client', async () => {
    const first = await ingest({ Nombre: 'Lucía Ferreyra', DNI: '35.908.214', Email: 'lucia.ferreyra@correo.com.ar', Proyecto: 'PLR' });
    expect(first.clientId).not.toBeNull();
    // Another email, the CUIL: the same person by her ID.
    const byId = await ingest({ Nombre: 'Lucía Ferreyra', CUIL: cuil('27', '35908214'), Email: 'lferreyra@trabajo.com.ar', Proyecto: 'PLR' });
    expect(byId.clientId).toBe(first.clientId);
    // A DNI lead when the record was opened with a CUIT: the same, the other way round.
    const other = await ingest({ Nombre: 'Martín Paz', CUIT: cuil('20', '28123456'), Email: 'martin.paz@correo.com.ar', Proyecto: 'MDV' });
    const back = await ingest({ Nombre: 'Martín Paz', DNI: '28.123.456', Email: 'mpaz@otro.com.ar', Proyecto: 'MDV' });
    expect(back.clientId).toBe(other.clientId);
    expect(clients()).toHaveLength(2);
  });

  it('by email when the record has the other ID; another person with the same email stays another', async () => {
    const first = await ingest({ Nombre: 'Lucía Ferreyra', DNI: '35.908.214', Email: 'lucia.ferreyra@correo.com.ar', Proyecto: 'PLR' });
    // The record keeps its DNI; the CUIL lead with the same email is hers.
    const same = await ingest({ Nombre: 'Lucía Ferreyra', CUIL: cuil('27', '35908214'), Email: 'lucia.ferreyra@correo.com.ar', Proyecto: 'PLR' });
    expect(same.clientId).toBe(first.clientId);
    // Someone else's CUIL (another DNI inside) with her email: another person, another record.
    const stranger = await ingest({ Nombre: 'Pedro Gómez', CUIL: cuil('20', '30111222'), Email: 'lucia.ferreyra@correo.com.ar', Proyecto: 'PLR' });
    expect(stranger.clientId).not.toBe(first.clientId);
    expect(clients().map((c) => c.nationalId).sort()).toEqual(['35908214', cuil('20', '30111222').replace(/-/g, '')].sort());
  });
});

describe('PE: a DNI and its RUC 10… are one person', () => {
  beforeEach(() => start('PE'));

  it('the RUC lead joins the DNI client', async () => {
    const first = await ingest({ Nombre: 'Rosa Quispe', DNI: '45678912', Email: 'rosa.quispe@correo.pe', Proyecto: 'PLR' });
    const ruc = (await import('../src/countries/pe.ts')).PE.samePerson!({ type: 'dni', value: '45678912' })[0];
    expect(ruc).toMatch(/^1045678912\d$/);
    const again = await ingest({ Nombre: 'Rosa Quispe', RUC: ruc, Email: 'rquispe@empresa.pe', Proyecto: 'PLR' });
    expect(again.clientId).toBe(first.clientId);
    expect(clients()).toHaveLength(1);
  });
});
