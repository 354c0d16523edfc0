import { exec, value } from './helpers/db-rows.ts';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField } from '../src/http/export.ts';
import { ANA, formEmail, seed, startHarness, type Harness } from './http-fixture.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await seed(h.app);
  // Cells a spreadsheet would run as formulas.
  await h.app.ingestor.ingest(formEmail({ name: 'Formula Inyectada', email: 'formula.inyectada@gmail.com', project: 'PLR', message: '=HYPERLINK("http://evil.example","x")' }), { source: 'file' });
  await exec(h.app, 'UPDATE leads SET name = ? WHERE email = ?', ["=cmd|' /C calc'!A0", 'formula.inyectada@gmail.com']);
  // A separator inside a value must not start a new cell in a ';' locale.
  await h.app.ingestor.ingest(formEmail({ name: 'Ana Punto Coma', email: 'punto.coma@gmail.com', project: 'PLR' }), { source: 'file' });
  await exec(h.app, 'UPDATE leads SET name = ? WHERE email = ?', ["Ana Soto;=cmd|' /C calc'!A0", 'punto.coma@gmail.com']);
});
afterAll(() => h.close());

const HEADERS = ['Nombre', 'RUT', 'Teléfono', 'Email', 'Proyecto', 'Portal', 'Medio de llegada', 'Calidad', 'Estado de contacto', 'Estado', 'Responsable', 'Tipo de contacto',
  'Fecha de ingreso', 'Fecha de último contacto', 'Última interacción', 'Fecha de seguimiento'];

/** RFC 4180 reader with Excel's ';' separator, enough to check what the writer produced. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  return rows;
}

describe('exports', () => {
  it('writes a real .xlsx with the table columns and the same rows as the list', async () => {
    const res = await h.call('/api/leads/export.xlsx?quality=bueno');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="contactos-\d{4}-\d\d-\d\d\.xlsx"$/);
    const buffer = Buffer.from(await res.arrayBuffer());
    expect(buffer.subarray(0, 2).toString()).toBe('PK'); // a zip container
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(buffer as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Contactos')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(HEADERS);
    const { items } = await h.json('/api/leads?quality=bueno&limit=200');
    expect(sheet.rowCount - 1).toBe(items.length);
    const names = new Set<string>();
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      names.add(String(row.getCell(1).value));
      expect(row.getCell(8).value).toBe('Bueno');
      expect(row.getCell(13).value).toBeInstanceOf(Date);
    });
    expect(names).toEqual(new Set(items.map((i: any) => i.fields.name)));
    const ana = [];
    sheet.eachRow((row) => row.getCell(4).value === ANA.email && ana.push(row));
    expect(ana.length).toBe(1);
  });

  it('writes CSV for Excel in Spanish: ; separated, every cell quoted, formulas neutralised', async () => {
    const res = await h.call('/api/leads/export.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM
    const text = bytes.toString('utf8').replace(/^\ufeff/, '');
    const rows = parseCsv(text);
    // Every line has exactly the header's cells (no value split in two), every cell quoted.
    for (const r of rows) expect(r.length).toBe(HEADERS.length);
    for (const line of text.split('\r\n').filter(Boolean)) expect(line.startsWith('"') && line.endsWith('"')).toBe(true);
    const semi = rows.find((r) => r[3] === 'punto.coma@gmail.com')!;
    expect(semi[0]).toBe("Ana Soto;=cmd|' /C calc'!A0");
    expect(rows[0]).toEqual(HEADERS);
    const stats = await h.json('/api/stats');
    expect(rows.length - 1).toBe(stats.total);
    const formula = rows.find((r) => r[3] === 'formula.inyectada@gmail.com')!;
    expect(formula[0]).toBe("'=cmd|' /C calc'!A0");
    expect(rows.some((r) => r.some((c) => /^[=+\-@]/.test(c)))).toBe(false);
    const hostile = rows.find((r) => r[0].includes('<script>'))!;
    expect(hostile[0]).toBe('<script>alert(1)</script><img src=x onerror=alert(2)>');
  });

  it('quotes and neutralises single fields', () => {
    expect(csvField('plain')).toBe('"plain"');
    expect(csvField('a;b')).toBe('"a;b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField('=1+1')).toBe(`"'=1+1"`);
    expect(csvField('+56987654321')).toBe(`"'+56987654321"`);
    expect(csvField('-2')).toBe(`"'-2"`);
    expect(csvField('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvField('\t=1')).toBe(`"'\t=1"`);
    expect(csvField('=A1;"x"')).toBe(`"'=A1;""x"""`);
    expect(csvField(null)).toBe('""');
  });

  it('carries Responsable, tipo de contacto, última interacción and the portal display name', async () => {
    const withOwner = await startHarness({ projects: ['  - name: Parque Los Robles', '    aliases: [PLR]', '    vendors:', '      - {id: v1, name: Vera Díaz}'] });
    try {
      await withOwner.app.ingestor.ingest(formEmail({ name: 'Ana Rojas', rut: ANA.rut, email: 'ana.rojas.x@gmail.com', project: 'PLR' }), { source: 'file' });
      const id = await value(withOwner.app, 'SELECT id FROM leads WHERE email = ?', ['ana.rojas.x@gmail.com']);
      expect((await withOwner.post(`/api/leads/${id}/abort`, { comment: 'No le interesa' })).status).toBe(200);
      const rows = parseCsv((await (await withOwner.call('/api/leads/export.csv')).text()).replace(/^\ufeff/, ''));
      const row = rows.find((r) => r[3] === 'ana.rojas.x@gmail.com')!;
      const col = (name: string) => row[HEADERS.indexOf(name)];
      expect(col('Responsable')).toBe('Vera Díaz');
      expect(col('Tipo de contacto')).toBe('Nuevo');
      expect(col('Última interacción')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
      expect(col('Portal')).toBe('Genérico');
    } finally {
      await withOwner.close();
    }
  });

  it('applies the same filters and validation as the list', async () => {
    const res = await h.call(`/api/leads/export.csv?q=${encodeURIComponent(ANA.rut)}`);
    const rows = parseCsv((await res.text()).replace(/^\ufeff/, ''));
    expect(rows.length - 1).toBe(3);
    expect((await h.call('/api/leads/export.xlsx?quality=nope')).status).toBe(400);
    expect((await h.call('/api/leads/export.xlsx?limit=5')).status).toBe(400);
  });
});
