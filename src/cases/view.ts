// A case as people read it (the API, the CLI, the export): its words and dates, and its due times
// and breaches from the business clock. No client id nor raw email id: answers carry only what
// the caller's scope holds.
import type { Country } from '../countries/index.ts';
import type { CaseListItem } from '../db/case-port.ts';
import type { CasesConfig } from './config.ts';
import { calendarFor, caseSla } from './targets.ts';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export function caseView(cfg: CasesConfig, timeZone: string, c: CaseListItem, now: number) {
  const sla = caseSla(cfg, calendarFor(cfg, c.country as Country, timeZone), c, now);
  return {
    id: c.id,
    number: c.number,
    category: c.category,
    status: c.status,
    subject: c.subject,
    project: c.project,
    projectText: c.projectText,
    unit: c.unit,
    contact: { name: c.contactName ?? c.clientName, email: c.contactEmail, phone: c.contactPhone },
    responsible: c.responsibleUserId === null ? null : { id: c.responsibleUserId, name: c.responsibleName },
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
    firstResponseAt: iso(c.firstResponseAt),
    resolvedAt: iso(c.resolvedAt),
    closedAt: iso(c.closedAt),
    waitingSince: iso(c.waitingSince),
    due: { firstResponse: iso(sla.firstResponseDueAt), resolution: iso(sla.resolutionDueAt) },
    breached: { firstResponse: sla.firstResponseBreached, resolution: sla.resolutionBreached },
    paused: sla.paused,
    businessMinutes: { firstResponse: sla.firstResponseMinutes, resolution: sla.resolutionMinutes, targets: sla.targets },
    escalatedAt: iso(c.escalatedAt),
    satisfaction: c.satisfactionScore === null ? null : { score: c.satisfactionScore, at: iso(c.satisfactionAt) },
  };
}

export type CaseView = ReturnType<typeof caseView>;

/** The words of the desk (the CLI's table and the export's cells), in Spanish. */
export const CASE_WORDS: Record<string, string> = {
  consulta: 'Consulta', reclamo: 'Reclamo', sugerencia: 'Sugerencia', postventa: 'Postventa',
  abierto: 'Abierto', en_espera: 'En espera del cliente', resuelto: 'Resuelto', cerrado: 'Cerrado',
  tecnica: 'Visita técnica', regreso: 'Visita de regreso',
};
