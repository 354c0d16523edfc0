// What people do on a case from the desk, each a unit of work over the storage port: reply in the
// thread (the email queued in the outbox with the thread's headers), change the status (the SLA
// clock pauses while waiting on the client; resolving queues the survey), record a visit, and the
// client's survey click. The caller audits the person in the same unit.
import crypto from 'node:crypto';
import type { CaseCategory, CaseStatus, CaseVisitKind } from '../case-vocabulary.ts';
import type { CaseRow } from '../db/case-port.ts';
import { io, type StoreTx, type Work } from '../db/port.ts';
import { langOf } from '../outbox/templates.ts';
import { targetOf, type CasesConfig } from './config.ts';
import { replyEmail, surveyEmail } from './emails.ts';
import { dueAt, pauseMinutes, type WorkCalendar } from './sla.ts';
import { surveyLinks } from './survey.ts';
import { caseSla } from './targets.ts';

/** A refusal the API answers with its status and Spanish message. */
export class DeskError extends Error {
  constructor(
    readonly status: 404 | 409 | 422,
    message: string,
  ) {
    super(message);
    this.name = 'DeskError';
  }
}

export interface DeskContext {
  cfg: CasesConfig;
  /** The case's working calendar (its country's holidays, the company's zone). */
  calendar: (c: CaseRow) => WorkCalendar;
  now: number;
  /** The person acting (null for the config's token). */
  userId: number | null;
}

function* caseOrFail(tx: StoreTx, id: number): Work<CaseRow> {
  const c = yield* io(tx.getCase(id));
  if (!c) throw new DeskError(404, `caso ${id} no encontrado`);
  return c;
}

/** `<caso17.3f9a…@empresa.cl>`: made before sending, so the thread holds it and the client's answer finds the case. */
export function newMessageId(caseNumber: number, fromAddress: string | null): string {
  const domain = /@([^>\s]+)>?$/.exec(fromAddress ?? '')?.[1] ?? 'centralizer.local';
  return `<caso${caseNumber}.${crypto.randomBytes(9).toString('hex')}@${domain}>`;
}

export interface ReplyInput {
  caseId: number;
  text: string;
  /** Wait on the client after this answer (en_espera: the SLA clock pauses). */
  waitForClient: boolean;
  /** Our address in the thread (the case's mailbox's), for Reply-To and the Message-ID's domain. */
  replyAddress: (mailbox: string | null) => string | null;
}

export interface ReplyResult {
  caseId: number;
  number: number;
  messageId: string;
  status: CaseStatus;
  firstResponse: boolean;
}

/**
 * A reply from the page: stored in the thread and queued to the client with In-Reply-To (the
 * thread's last message) and References (the thread), `[Caso N]` in the subject. The first one
 * stops the first-response clock.
 */
export function* replyToCase(tx: StoreTx, d: DeskContext, r: ReplyInput): Work<ReplyResult> {
  const c = yield* caseOrFail(tx, r.caseId);
  if (!c.contactEmail) throw new DeskError(409, 'el caso no tiene email del cliente: no se puede responder por correo');
  if (c.status === 'cerrado') throw new DeskError(409, 'el caso está cerrado: reábrelo para responder');
  const thread = (yield* io(tx.caseMessages(c.id))).map((m) => m.messageId).filter((m): m is string => Boolean(m));
  const last = thread.at(-1) ?? null;
  const replyTo = r.replyAddress(c.mailbox);
  const messageId = newMessageId(c.number, replyTo);
  const mail = replyEmail(c.number, c.subject, r.text);
  const headers: Record<string, string> = { 'Message-ID': messageId };
  if (last) {
    headers['In-Reply-To'] = last;
    // RFC 5322 §3.6.4: the parent's references and the parent; the first and the last 9 when long.
    const refs = thread.length > 10 ? [thread[0], ...thread.slice(-9)] : thread;
    headers.References = refs.join(' ');
  }
  if (replyTo) headers['Reply-To'] = replyTo;
  const messageRowId = yield* io(
    tx.insertCaseMessage({
      caseId: c.id, direction: 'out', messageId, inReplyTo: last, fromAddr: replyTo, toAddr: c.contactEmail,
      subject: mail.subject, text: r.text, at: d.now, authorUserId: d.userId, attachments: '[]',
    }),
  );
  yield* io(
    tx.enqueueNotification(
      { key: `case_reply:${c.id}:${messageRowId}`, kind: 'case_reply', caseId: c.id, leadId: null, clientId: c.clientId, projectId: c.projectId, vendorId: null,
        recipient: c.contactEmail, sender: null, subject: mail.subject, text: mail.text, html: mail.html, headers: JSON.stringify(headers), createdAt: d.now },
      d.now,
    ),
  );
  const firstResponse = c.firstResponseAt === null;
  const patch: Partial<CaseRow> = { updatedAt: d.now, ...(firstResponse ? { firstResponseAt: d.now } : {}) };
  // Whoever answers a case nobody holds takes it.
  if (c.responsibleUserId === null && d.userId !== null) patch.responsibleUserId = d.userId;
  let status = c.status;
  if (r.waitForClient && c.status !== 'en_espera') {
    Object.assign(patch, statusPatch(c, 'en_espera', d));
    status = 'en_espera';
  } else if (c.status === 'resuelto') {
    // Writing again about a resolved case reopens it: the conversation is not over.
    Object.assign(patch, statusPatch(c, 'abierto', d));
    status = 'abierto';
  }
  yield* io(tx.updateCase(c.id, patch));
  return { caseId: c.id, number: c.number, messageId, status, firstResponse };
}

/** The columns a status change writes: the pause closed (and the resolution due time moved by it) or opened; resolution and closing stamped. */
function statusPatch(c: CaseRow, to: CaseStatus, d: DeskContext): Partial<CaseRow> {
  const patch: Partial<CaseRow> = { status: to, updatedAt: d.now };
  if (c.status === 'en_espera' && to !== 'en_espera' && c.waitingSince !== null) {
    const cal = d.calendar(c);
    const paused = c.pausedMinutes + Math.round(pauseMinutes(cal, new Date(c.waitingSince), new Date(d.now)));
    const target = targetOf(d.cfg, c.category).resolutionHours * 60;
    patch.pausedMinutes = paused;
    patch.waitingSince = null;
    patch.resolutionDueAt = dueAt(cal, { createdAt: new Date(c.createdAt), pausedMinutes: paused, waitingSince: null }, target)?.getTime() ?? c.resolutionDueAt;
  }
  if (to === 'en_espera') patch.waitingSince = c.waitingSince ?? d.now;
  if (to === 'resuelto') patch.resolvedAt = d.now;
  if (to === 'cerrado') {
    patch.closedAt = d.now;
    patch.resolvedAt = c.resolvedAt ?? d.now;
  }
  if (to === 'abierto') {
    patch.resolvedAt = null;
    patch.closedAt = null;
  }
  return patch;
}

export interface StatusResult {
  caseId: number;
  number: number;
  from: CaseStatus;
  status: CaseStatus;
  changed: boolean;
  surveyQueued: boolean;
}

export interface SurveySettings {
  secret: string;
  /** The address the client's browser reaches (admin.publicUrl). */
  baseUrl: string;
}

/**
 * A status change. Resolving queues the satisfaction survey to the client once per case (five
 * signed one-click links); the same status again changes nothing.
 */
export function* changeCaseStatus(tx: StoreTx, d: DeskContext, caseId: number, to: CaseStatus, survey: SurveySettings | null): Work<StatusResult> {
  const c = yield* caseOrFail(tx, caseId);
  const result = { caseId: c.id, number: c.number, from: c.status, status: to, changed: c.status !== to, surveyQueued: false };
  if (!result.changed) return result;
  yield* io(tx.updateCase(c.id, statusPatch(c, to, d)));
  if (to === 'resuelto' && survey && c.contactEmail && c.satisfactionScore === null) {
    const expires = new Date(d.now + d.cfg.survey.validDays * 86_400_000);
    const mail = surveyEmail(c.number, c.contactName, surveyLinks(survey.secret, survey.baseUrl, c.id, expires), langOf(c.country));
    result.surveyQueued = yield* io(
      tx.enqueueNotification(
        { key: `case_survey:${c.id}`, kind: 'case_survey', caseId: c.id, leadId: null, clientId: c.clientId, projectId: c.projectId, vendorId: null,
          recipient: c.contactEmail, sender: null, subject: mail.subject, text: mail.text, html: mail.html,
          headers: JSON.stringify({ 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' }), createdAt: d.now },
        d.now,
      ),
    );
  }
  return result;
}

export interface VisitInput {
  caseId: number;
  kind: CaseVisitKind;
  scheduledAt: number;
  doneAt: number | null;
  who: string;
  outcome: string | null;
  recordedBy: string;
}

/** A technical visit, or the return visit, which the seed records after the repair: only on a resolved case. */
export function* addCaseVisit(tx: StoreTx, d: DeskContext, v: VisitInput): Work<{ visitId: number; caseId: number; number: number }> {
  const c = yield* caseOrFail(tx, v.caseId);
  if (v.kind === 'regreso' && c.resolvedAt === null) throw new DeskError(409, 'la visita de regreso se registra después de resolver el caso');
  const visitId = yield* io(
    tx.insertCaseVisit({ caseId: c.id, kind: v.kind, scheduledAt: v.scheduledAt, doneAt: v.doneAt, who: v.who, outcome: v.outcome, recordedBy: v.recordedBy, recordedByUserId: d.userId, createdAt: d.now }),
  );
  yield* io(tx.updateCase(c.id, { updatedAt: d.now }));
  return { visitId, caseId: c.id, number: c.number };
}

/** The client's click: the score recorded (a replay of the same click changes nothing; another score replaces it). */
export function* recordSatisfaction(tx: StoreTx, caseId: number, score: number, now: number): Work<{ number: number; country: string; changed: boolean; previous: number | null } | null> {
  const c = yield* io(tx.getCase(caseId));
  if (!c) return null;
  if (c.satisfactionScore === score) return { number: c.number, country: c.country, changed: false, previous: score };
  yield* io(tx.updateCase(c.id, { satisfactionScore: score, satisfactionAt: now, updatedAt: now }));
  return { number: c.number, country: c.country, changed: true, previous: c.satisfactionScore };
}

/**
 * A misfiled category corrected: the case's targets become the new category's, counted from its
 * start with its pauses (a waiting case's resolution is set again when it resumes, as always).
 */
export function* recategorizeCase(tx: StoreTx, d: DeskContext, caseId: number, category: CaseCategory): Work<{ caseId: number; number: number; from: string; to: CaseCategory; changed: boolean }> {
  const c = yield* caseOrFail(tx, caseId);
  const changed = c.category !== category;
  if (changed) {
    // The due times the SLA gives under the new category, its clock read as running.
    const sla = caseSla(d.cfg, d.calendar(c), { ...c, category, waitingSince: null }, d.now);
    yield* io(tx.updateCase(c.id, { category, updatedAt: d.now, firstResponseDueAt: sla.firstResponseDueAt, resolutionDueAt: sla.resolutionDueAt ?? c.resolutionDueAt }));
  }
  return { caseId: c.id, number: c.number, from: c.category, to: category, changed };
}

/** Gives the case to a person (one who may hold cases: the caller checked), or to nobody. */
export function* assignCase(tx: StoreTx, d: DeskContext, caseId: number, userId: number | null): Work<{ caseId: number; number: number; from: number | null; to: number | null; changed: boolean }> {
  const c = yield* caseOrFail(tx, caseId);
  const changed = c.responsibleUserId !== userId;
  if (changed) yield* io(tx.updateCase(c.id, { responsibleUserId: userId, updatedAt: d.now }));
  return { caseId: c.id, number: c.number, from: c.responsibleUserId, to: userId, changed };
}
