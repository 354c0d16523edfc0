// `centralizer interactions import` end to end: a real .xlsx written with exceljs, a real SQLite file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { rut } from './http-fixture.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-interactions-'));
const db = path.join(dir, 'test.db');
const config = path.join(dir, 'config.yaml');
fs.writeFileSync(config, ['country: CL', 'timezone: America/Santiago', `parsersDir: ${JSON.stringify(path.resolve('parsers'))}`, 'projects:', '  - name: Parque Los Robles', '    aliases: [PLR]', ''].join('\n'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => runCli([...args, '--config', config, '--db', db]);

async function xlsx(name: string, rows: unknown[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Cotizaciones');
  for (const r of rows) ws.addRow(r);
  const file = path.join(dir, name);
  await wb.xlsx.writeFile(file);
  return file;
}

const count = () => {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare('SELECT count(*) FROM interactions').pluck().get() as number;
  } finally {
    d.close();
  }
};

describe('interactions import CLI', () => {
  const header = ['TIPO', 'R.U.T.', 'Nombre', 'Proyecto', 'Fecha', 'Estado', 'Monto UF', 'Unidad', 'Folio'];
  const good = [
    ['Cotización', rut(16_111_222), 'Rosa Campos', 'PLR', new Date(Date.UTC(2026, 0, 15, 11, 0)), null, 2850.5, 'Depto 1204', 'C-1'],
    ['Separación', rut(16_111_222), 'Rosa Campos', 'Parque Los Robles', '20-01-2026', 'Pendiente', '2.900', 'Depto 1204', 'S-1'],
  ];

  it('refuses a file with a bad row and imports nothing, naming the line; --dry-run with --skip-invalid writes nothing', async () => {
    const file = await xlsx('bad.xlsx', [header, ...good, ['Cotización', '16.111.222-0', 'Rosa Campos', 'PLR', '2026-01-22', null, null, null, 'C-2']]);
    const r = await run('interactions', 'import', file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/línea 4: RUT "16\.111\.222-0" no es válido/);
    expect(r.stdout).toMatch(/no se importó nada/);
    expect(count()).toBe(0);
    const dry = await run('interactions', 'import', file, '--skip-invalid', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/simulación.*2 nuevas/);
    expect(count()).toBe(0);
  });

  it('imports an .xlsx by header names (clients created), and a second import changes nothing', async () => {
    const file = await xlsx('good.xlsx', [header, ...good]);
    const first = await run('interactions', 'import', file, '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ records: 2, valid: 2, created: 2, clientsCreated: 1, imported: true, errors: [] });
    const second = await run('interactions', 'import', file, '--json');
    expect(JSON.parse(second.stdout)).toMatchObject({ created: 0, updated: 0, unchanged: 2, clientsCreated: 0 });
    const d = new Database(db, { readonly: true });
    const rows = d.prepare('SELECT kind, state, amount, product, at FROM interactions ORDER BY at').all();
    // Each import that wrote is one audit entry naming the operator (the refused and dry runs none).
    const audit = d.prepare("SELECT actor, object_id AS file, data FROM audit WHERE action = 'interaction.import' ORDER BY id").all() as { actor: string; file: string; data: string }[];
    d.close();
    expect(audit.map((a) => ({ ...a, data: JSON.parse(a.data) }))).toEqual([
      { actor: `cli:${os.userInfo().username}`, file: 'good.xlsx', data: { created: 2, updated: 0, unchanged: 0, clientsCreated: 1, errors: 0 } },
      { actor: `cli:${os.userInfo().username}`, file: 'good.xlsx', data: { created: 0, updated: 0, unchanged: 2, clientsCreated: 0, errors: 0 } },
    ]);
    expect(rows).toEqual([
      { kind: 'cotizacion', state: null, amount: 2850.5, product: 'Depto 1204', at: Date.parse('2026-01-15T11:00:00-03:00') },
      { kind: 'separacion', state: 'pendiente', amount: 2900, product: 'Depto 1204', at: Date.parse('2026-01-20T00:00:00-03:00') },
    ]);
  });

  it('says what is missing in the header', async () => {
    const file = path.join(dir, 'sin-tipo.csv');
    fs.writeFileSync(file, 'rut;proyecto;fecha\n16111222-8;PLR;2026-01-01\n');
    const r = await run('interactions', 'import', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/falta la columna "tipo"/);
  });
});
