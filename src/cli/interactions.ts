import fs from 'node:fs';
import path from 'node:path';
import { createApp } from '../app.ts';
import { mapHeader, parseCsv, toRecords, type Cell, type SourceRecord } from '../funnel/columns.ts';
import { importRecords, runImport, type ImportReport } from '../funnel/import.ts';
import { funnelSettings } from '../funnel/service.ts';
import { type CommandContext, UsageError, commandLogger } from './context.ts';
import { io } from '../db/port.ts';
import { cliActor, cliAuditEntry } from './audit.ts';

const USAGE = 'uso: centralizer interactions import ARCHIVO.xlsx|ARCHIVO.csv [--dry-run] [--skip-invalid] [--json]';
/** Above this many records the command shows its progress. */
const LARGE = 2000;

/** A spreadsheet cell to text, number or date (rich text, formulas and links to what they show). */
function cellValue(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || v instanceof Date) return v;
  if (typeof v === 'boolean') return String(v);
  const o = v as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: string };
  if (o.richText) return o.richText.map((r) => r.text).join('');
  if (o.result !== undefined) return cellValue(o.result);
  if (o.text !== undefined) return cellValue(o.text);
  return null;
}

async function readXlsx(file: string): Promise<{ line: number; cells: Cell[] }[]> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const sheet = wb.worksheets[0];
  if (!sheet) throw new UsageError(`${file}: el libro no tiene hojas`);
  const rows: { line: number; cells: Cell[] }[] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values = (row.values as unknown[]).slice(1); // exceljs rows are 1-based
    rows.push({ line: row.number, cells: values.map(cellValue) });
  });
  return rows;
}

/** The file's records by the header's columns, or the header's problems. */
export async function readInteractionsFile(file: string): Promise<{ records: SourceRecord[]; unknown: string[]; headerErrors: string[] }> {
  const ext = path.extname(file).toLowerCase();
  let rows: { line: number; cells: Cell[] }[];
  if (ext === '.xlsx') rows = await readXlsx(file);
  else if (ext === '.csv' || ext === '.txt') rows = parseCsv(fs.readFileSync(file, 'utf8'));
  else throw new UsageError(`${file}: use un archivo .xlsx o .csv`);
  const [header, ...body] = rows;
  if (!header) return { records: [], unknown: [], headerErrors: ['el archivo está vacío'] };
  const { columns, unknown, errors } = mapHeader(header.cells);
  return { records: errors.length ? [] : toRecords(body, columns), unknown, headerErrors: errors };
}

function progress(err: NodeJS.WritableStream & { isTTY?: boolean }) {
  let lastShown = -1;
  return (phase: string, done: number, total: number) => {
    if (total < LARGE) return;
    const share = total ? done / total : 1;
    if (err.isTTY) {
      const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
      err.write(`\r${phase.padEnd(11)} [${bar}] ${Math.round(share * 100)}% ${done}/${total}${done === total ? '\n' : ''}`);
    } else {
      const step = Math.floor(share * 4);
      if (step !== lastShown || done === total) err.write(`${phase} ${done}/${total}\n`);
      lastShown = step;
    }
  };
}

function summary(r: ImportReport, unknown: string[], skipInvalid: boolean): string {
  const lines = [`${r.records} filas: ${r.valid} válidas, ${r.errors.length} con errores`];
  if (unknown.length) lines.push(`columnas ignoradas: ${unknown.join(', ')}`);
  for (const e of r.errors) lines.push(`línea ${e.line}: ${e.reason}`);
  if (r.errors.length && !skipInvalid) lines.push(`${r.dryRun ? 'no se importaría nada' : 'no se importó nada'}: corrige las filas con errores o usa --skip-invalid para importar solo las válidas`);
  else lines.push(`${r.dryRun ? 'simulación (--dry-run), nada guardado: se importarían' : 'importadas'}: ${r.created} nuevas, ${r.updated} actualizadas, ${r.unchanged} sin cambios; ${r.clientsCreated} clientes nuevos`);
  return `${lines.join('\n')}\n`;
}

/** `centralizer interactions import FILE`: quotes, reservations, minutas and disbursements from an ERP export. */
export async function interactionsCommand(ctx: CommandContext): Promise<number> {
  const [sub, file, ...rest] = ctx.args;
  if (sub !== 'import' || !file || rest.length) throw new UsageError(USAGE);
  if (!fs.existsSync(file)) throw new UsageError(`${file}: no existe`);
  const { records, unknown, headerErrors } = await readInteractionsFile(file);
  if (headerErrors.length) {
    ctx.err.write(`${file}: ${headerErrors.join('; ')}\n`);
    return 1;
  }
  const app = await createApp(ctx.config, commandLogger(ctx.config, Boolean(ctx.values.json)), { dbPath: ctx.db });
  try {
    const settings = funnelSettings(app);
    const skipInvalid = Boolean(ctx.values['skip-invalid']);
    // The interactions and one audit entry for the import (the operator named) in one unit of work.
    const report = await runImport(app.store, function* (tx) {
      const r = yield* importRecords(tx, records, settings, {
        actor: cliActor(), defaultSource: 'sala_de_ventas', createClients: true, now: Date.now(),
        dryRun: Boolean(ctx.values['dry-run']), skipInvalid, onProgress: progress(ctx.err),
      });
      if (r.imported && !r.dryRun) {
        const { created, updated, unchanged, clientsCreated } = r;
        yield* io(tx.audit(cliAuditEntry('interaction.import', 'file', path.basename(file), { created, updated, unchanged, clientsCreated, errors: r.errors.length })));
      }
      return r;
    });
    const { ids: _ids, ...shown } = report;
    ctx.out.write(ctx.values.json ? `${JSON.stringify({ file, ...shown, ignoredColumns: unknown })}\n` : summary(report, unknown, skipInvalid));
    return report.errors.length && !skipInvalid ? 1 : 0;
  } finally {
    app.close();
  }
}
