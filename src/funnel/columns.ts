// ERP exports to records: columns found by header name (accents, case and spacing ignored) and a
// small RFC 4180 CSV reader (',' or ';', quoted cells, BOM), each record with its line number.
import { foldKey } from './values.ts';

export const COLUMNS = ['kind', 'nationalId', 'email', 'phone', 'name', 'project', 'at', 'state', 'amount', 'product', 'model', 'externalId', 'source', 'vendor'] as const;
export type Column = (typeof COLUMNS)[number];

const ALIASES: Record<Column, string[]> = {
  kind: ['tipo', 'tipo_interaccion', 'tipo_de_interaccion', 'interaccion', 'kind', 'type'],
  nationalId: ['rut', 'documento', 'dni', 'cpf', 'ruc', 'ce', 'c_e', 'dni_c_e_ruc', 'nro_documento', 'numero_documento', 'n_documento', 'documento_identidad', 'cedula', 'national_id', 'nationalid', 'rut_cliente'],
  email: ['email', 'correo', 'correo_electronico', 'e_mail', 'mail'],
  phone: ['telefono', 'fono', 'celular', 'movil', 'phone', 'whatsapp'],
  name: ['nombre', 'nombre_cliente', 'cliente', 'nombre_y_apellido', 'nombre_completo', 'name'],
  project: ['proyecto', 'project'],
  at: ['fecha', 'fecha_interaccion', 'fecha_de_interaccion', 'date', 'at'],
  state: ['estado', 'estado_separacion', 'state'],
  amount: ['monto', 'valor', 'precio', 'amount', 'total', 'monto_uf', 'valor_uf'],
  product: ['producto', 'unidad', 'depto', 'departamento', 'product', 'unit'],
  model: ['modelo', 'tipologia', 'model'],
  externalId: ['id', 'id_externo', 'external_id', 'externalid', 'folio', 'codigo'],
  source: ['tipo_de_ingreso', 'tipo_ingreso', 'via_de_ingreso', 'via_ingreso', 'origen', 'source', 'fuente'],
  vendor: ['vendedor', 'ejecutivo', 'responsable', 'vendor', 'vendedor_id'],
};
// Keyed without separators, so "R.U.T.", "Tipo de ingreso" and "tipo_de_ingreso" read the same.
const bare = (s: string) => foldKey(s).replace(/_/g, '');
const BY_HEADER = new Map<string, Column>(COLUMNS.flatMap((c) => ALIASES[c].map((a) => [bare(a), c] as [string, Column])));

export type Cell = string | number | Date | null;

/** The column a header (or an API item's key) names: "RUT", "Teléfono", "nationalId"… */
export const columnOf = (header: string): Column | undefined => BY_HEADER.get(bare(header)) ?? (COLUMNS as readonly string[]).find((c) => c.toLowerCase() === header.toLowerCase()) as Column | undefined;
export interface SourceRecord { line: number; values: Partial<Record<Column, Cell>> }

/** Header cells to column positions; unknown headers are ignored and reported, a column given twice is an error. */
export function mapHeader(header: Cell[]): { columns: Map<number, Column>; unknown: string[]; errors: string[] } {
  const columns = new Map<number, Column>();
  const unknown: string[] = [];
  const errors: string[] = [];
  const seen = new Map<Column, string>();
  header.forEach((cell, i) => {
    const text = String(cell ?? '').trim();
    if (!text) return;
    const col = BY_HEADER.get(bare(text));
    if (!col) return void unknown.push(text);
    if (seen.has(col)) return void errors.push(`las columnas "${seen.get(col)}" y "${text}" dicen lo mismo`);
    seen.set(col, text);
    columns.set(i, col);
  });
  if (!seen.has('kind')) errors.push('falta la columna "tipo" (cotizacion, separacion, minuta, desembolso)');
  if (!seen.has('at')) errors.push('falta la columna "fecha"');
  if (!seen.has('nationalId') && !seen.has('email') && !seen.has('phone')) errors.push('falta una columna para identificar al cliente: "rut" (o documento, dni, cpf), "email" o "telefono"');
  return { columns, unknown, errors };
}

/** Rows of cells to records by the header's columns; blank rows are skipped. */
export function toRecords(rows: { line: number; cells: Cell[] }[], columns: Map<number, Column>): SourceRecord[] {
  const out: SourceRecord[] = [];
  for (const r of rows) {
    if (r.cells.every((c) => c === null || String(c).trim() === '')) continue;
    const values: Partial<Record<Column, Cell>> = {};
    for (const [i, col] of columns) values[col] = r.cells[i] ?? null;
    out.push({ line: r.line, values });
  }
  return out;
}

/** The delimiter of a CSV: whichever of ',' and ';' the header line has more of (outside quotes). */
export function detectDelimiter(firstLine: string): ',' | ';' {
  const bare = firstLine.replace(/"[^"]*"/g, '');
  return (bare.match(/;/g)?.length ?? 0) > (bare.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/** CSV text to rows with the line number where each record starts (quoted cells may span lines). */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const delimiter = detectDelimiter(text.slice(0, text.search(/\r?\n|$/)));
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { cell += '"'; i++; } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === delimiter) { cells.push(cell); cell = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      rows.push({ line: start, cells });
      cells = [];
      cell = '';
      line++;
      start = line;
    } else cell += ch;
  }
  if (cell !== '' || cells.length) { cells.push(cell); rows.push({ line: start, cells }); }
  return rows;
}
