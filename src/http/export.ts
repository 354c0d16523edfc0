import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import { statusOf, type LeadFilter, type LeadRow } from '../db/lead-filter.ts';
import { filterFrom, portalNames } from './leads.ts';
import type { filterQuery } from './params.ts';
import { zoneOffset } from '../time-zone.ts';
import type { RequestContext, Services } from './types.ts';
import { countryModule } from '../countries/index.ts';

export const EXPORT_CAP = 100_000;
const CHUNK = 1000;

const LABELS: Record<string, string> = {
  bueno: 'Bueno', con_problemas: 'Con problemas', malo: 'Malo',
  por_contactar: 'Por contactar', no_contactado: 'No contactado', contactado: 'Contactado', abortado: 'Abortado', descartado: 'Descartado',
  portales: 'Portales', web: 'Web', otros: 'Otros',
};

type Cell = string | Date | null;

const CONTACT_TYPES: Record<string, string> = { nuevo: 'Nuevo', retorno: 'Retorno', transferencia: 'Transferencia', regla: 'Regla' };
/** Columns from this one on are dates. */
const FIRST_DATE = 12;

function headers(s: Services): string[] {
  return ['Nombre', countryModule(s.app.config.country).idLabel, 'Teléfono', 'Email', 'Proyecto', 'Portal', 'Medio de llegada', 'Calidad', 'Estado de contacto', 'Estado', 'Responsable', 'Tipo de contacto',
    'Fecha de ingreso', 'Fecha de último contacto', 'Última interacción', 'Fecha de seguimiento'];
}

/** Vendor ids to names and parser ids to the portal's display name, once per export. */
async function names(s: Services) {
  const vendors = await s.vendors.names();
  const portals = portalNames(s);
  return { vendor: (id: string | null) => (id === null ? null : (vendors.get(id) ?? id)), portal: (id: string | null) => (id === null ? 'Genérico' : (portals.get(id) ?? id)) };
}

/** The table's columns, dates as Date in the company's time zone (spreadsheets have no zones). */
function cells(r: LeadRow, now: number, timeZone: string, n: Awaited<ReturnType<typeof names>>): Cell[] {
  const local = (ms: number | null) => {
    if (ms === null) return null;
    let offset = 0;
    try { offset = zoneOffset(ms, timeZone); } catch { /* unknown zone: UTC */ }
    return new Date(ms + offset);
  };
  return [
    r.name, r.nationalId, r.phone, r.email, r.project ?? r.projectText, n.portal(r.parser), LABELS[r.medium] ?? r.medium,
    LABELS[r.quality] ?? r.quality, LABELS[r.contactState] ?? r.contactState, LABELS[statusOf(r.contactState, r.deadlineAt, now)],
    n.vendor(r.owner), r.contactType ? (CONTACT_TYPES[r.contactType] ?? r.contactType) : null,
    local(r.receivedAt), local(r.lastContactAt), local(r.lastActionAt), local(r.followUpAt),
  ];
}

/** Pages through the filtered leads with the list's keyset, yielding to the event loop between pages. */
async function* exportRows(s: Services, filter: LeadFilter, now: number) {
  let cursor = null;
  let count = 0;
  while (count < EXPORT_CAP) {
    const page = await s.queries.list(filter, Math.min(CHUNK, EXPORT_CAP - count), cursor, now);
    count += page.rows.length;
    yield { rows: page.rows, truncated: count >= EXPORT_CAP && page.next !== null };
    if (!page.next) return;
    cursor = page.next;
    await new Promise((r) => setImmediate(r));
  }
}

/** Waits for the client to take what was written; false when it went away (stop querying). */
async function drained(res: ServerResponse): Promise<boolean> {
  if (res.writableNeedDrain && !res.destroyed) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  return !res.destroyed;
}

function startDownload(res: ServerResponse, type: string, name: string): void {
  res.writeHead(200, { 'Content-Type': type, 'Content-Disposition': `attachment; filename="${name}"`, 'X-Export-Limit': String(EXPORT_CAP) });
}

const stamp = (now: number) => new Date(now).toISOString().slice(0, 10);

/** Streams an .xlsx (exceljs WorkbookWriter): memory stays flat however many rows. */
export async function exportXlsx(ctx: RequestContext<z.output<typeof filterQuery>>): Promise<void> {
  const filter = await filterFrom(ctx);
  const { res, services, now } = ctx;
  const tz = services.app.config.timezone;
  // Loaded on first export: exceljs costs ~25 MB of memory that the daemon otherwise never needs.
  const { default: ExcelJS } = await import('exceljs');
  startDownload(res, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', `contactos-${stamp(now)}.xlsx`);
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true, useSharedStrings: false });
  const sheet = book.addWorksheet('Contactos', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = headers(services).map((header, i) => ({ header, width: i >= FIRST_DATE ? 18 : i === 0 || i === 3 ? 28 : 16, style: i >= FIRST_DATE ? { numFmt: 'yyyy-mm-dd hh:mm' } : {} }));
  const n = await names(services);
  sheet.getRow(1).font = { bold: true };
  let truncated = false;
  for await (const page of exportRows(services, filter, now)) {
    for (const r of page.rows) sheet.addRow(cells(r, now, tz, n)).commit();
    truncated ||= page.truncated;
    if (!(await drained(res))) return;
  }
  await sheet.commit();
  if (truncated) {
    const note = book.addWorksheet('Aviso');
    note.addRow([`La exportación se limitó a ${EXPORT_CAP} filas: acote los filtros para obtener el resto.`]).commit();
    await note.commit();
  }
  await book.commit();
  if (truncated) services.deps.log.warn({ cap: EXPORT_CAP }, 'export truncated at the row cap');
}

/**
 * A CSV cell for a `;` locale: always quoted (no `;`, `,` or line break inside a value can start a
 * new cell), and a value a spreadsheet would run as a formula gets a leading apostrophe.
 */
export function csvField(v: Cell): string {
  if (v === null) return '""';
  let s = v instanceof Date ? v.toISOString().slice(0, 16).replace('T', ' ') : String(v);
  if (/^[=+\-@\t\r|%]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

/** `;`-separated with a UTF-8 BOM: Excel in Spanish and Portuguese opens it in columns, accents intact. */
export async function exportCsv(ctx: RequestContext<z.output<typeof filterQuery>>): Promise<void> {
  const filter = await filterFrom(ctx);
  const { res, services, now } = ctx;
  const tz = services.app.config.timezone;
  const n = await names(services);
  startDownload(res, 'text/csv; charset=utf-8', `contactos-${stamp(now)}.csv`);
  res.write(`\ufeff${headers(services).map(csvField).join(';')}\r\n`);
  for await (const page of exportRows(services, filter, now)) {
    res.write(page.rows.map((r) => `${cells(r, now, tz, n).map(csvField).join(';')}\r\n`).join(''));
    if (!(await drained(res))) return;
  }
  res.end();
}
