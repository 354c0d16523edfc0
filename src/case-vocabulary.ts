/**
 * Post-sale cases' words (customer-service-dept-es.txt): what a case is about, where it stands,
 * which way a message went, and the visits. Declared once: schema, pipeline, API and page read them.
 */

/** What the owner writes about. */
export const CASE_CATEGORIES = ['consulta', 'reclamo', 'sugerencia', 'postventa'] as const;
export type CaseCategory = (typeof CASE_CATEGORIES)[number];

/** abierto: ours to answer; en_espera: waiting on the client (the SLA clock pauses); resuelto; cerrado. */
export const CASE_STATUSES = ['abierto', 'en_espera', 'resuelto', 'cerrado'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** in: the client's email; out: ours (the acknowledgement, a reply from the page). */
export const CASE_DIRECTIONS = ['in', 'out'] as const;
export type CaseDirection = (typeof CASE_DIRECTIONS)[number];

/** tecnica: a technician's visit; regreso: the return visit after the repair the seed asks for. */
export const CASE_VISIT_KINDS = ['tecnica', 'regreso'] as const;
export type CaseVisitKind = (typeof CASE_VISIT_KINDS)[number];

/** What a mailbox receives: sales mail (leads, and cases when the text says so) or only service mail. */
export const MAILBOX_PURPOSES = ['ventas', 'servicio'] as const;
export type MailboxPurpose = (typeof MAILBOX_PURPOSES)[number];

/** A case's tag in email subjects: "[Caso 17]". */
export const caseTag = (n: number) => `[Caso ${n}]`;
/** The case number a subject's tag names ("[Caso 17]", "[Caso #17]", Portuguese "[Chamado 17]"), or null. */
export function caseNumberIn(subject: string): number | null {
  const m = /\[\s*(?:caso|chamado)\s*#?\s*(\d{1,9})\s*\]/i.exec(subject);
  return m ? Number(m[1]) : null;
}
