// GET /api/cases/export.xlsx: the cases of the list's filters as a spreadsheet (exceljs, streamed
// like the leads' export), dates in the company's time zone, breaches in words.
import type { z } from 'zod';
import { CASE_WORDS, caseView } from '../cases/view.ts';
import { deskFilter, type filterQuery } from './cases.ts';
import { zoneOffset } from '../time-zone.ts';
import { callerOf, type RequestContext } from './types.ts';
import { DESK_CAP } from '../db/case-desk-sql.ts';

const HEADERS = ['Caso', 'Categoría', 'Estado', 'Asunto', 'Proyecto', 'Unidad', 'Cliente', 'Email', 'Teléfono', 'Responsable',
  'Ingreso', 'Primera respuesta', 'Vence primera respuesta', 'Resuelto', 'Vence resolución', 'Plazo vencido', 'Escalado', 'Satisfacción (1-5)'];
const DATES = new Set([10, 11, 12, 13, 14, 16]);

export async function exportCasesXlsx(ctx: RequestContext<z.output<typeof filterQuery>>): Promise<void> {
  const f = await deskFilter(ctx);
  const { res, services, now } = ctx;
  const { cases, timezone } = services.app.config;
  const rows = await services.app.reads.caseDesk.all(f, callerOf(ctx).caseScope, now, DESK_CAP);
  // Spreadsheets have no zones: the company's wall-clock time.
  const local = (s: string | null) => {
    if (!s) return null;
    const ms = Date.parse(s);
    return new Date(ms + zoneOffset(ms, timezone));
  };
  const { default: ExcelJS } = await import('exceljs');
  res.writeHead(200, {
    'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'Content-Disposition': `attachment; filename="casos-${new Date(now).toISOString().slice(0, 10)}.xlsx"`,
    'X-Export-Limit': String(DESK_CAP),
  });
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true, useSharedStrings: false });
  const sheet = book.addWorksheet('Casos', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = HEADERS.map((header, i) => ({ header, width: DATES.has(i) ? 18 : i === 3 ? 40 : 16, style: DATES.has(i) ? { numFmt: 'yyyy-mm-dd hh:mm' } : {} }));
  sheet.getRow(1).font = { bold: true };
  for (const r of rows) {
    const v = caseView(cases, timezone, r, now);
    const late = v.breached.firstResponse || v.breached.resolution;
    sheet.addRow([
      v.number, CASE_WORDS[v.category] ?? v.category, CASE_WORDS[v.status] ?? v.status, v.subject, v.project ?? v.projectText, v.unit,
      v.contact.name, v.contact.email, v.contact.phone, v.responsible?.name ?? null,
      local(v.createdAt), local(v.firstResponseAt), local(v.due.firstResponse), local(v.resolvedAt), local(v.due.resolution),
      late ? 'Sí' : 'No', local(v.escalatedAt), v.satisfaction?.score ?? null,
    ]).commit();
  }
  await sheet.commit();
  await book.commit();
}
