// The cases desk's API: the list with due times and breaches, one case with its thread and visits,
// a reply in the thread, status changes, visits, statistics and the Excel export. Every read is
// scoped in SQL by the caller's caseScope (a case outside it answers 404); every write is one unit
// of work with its audit entry naming the person.
import { z } from 'zod';
import { CASE_CATEGORIES, CASE_STATUSES, CASE_VISIT_KINDS } from '../case-vocabulary.ts';
import { DeskError, addCaseVisit, assignCase, changeCaseStatus, recategorizeCase, replyToCase, type DeskContext, type SurveySettings } from '../cases/desk.ts';
import { caseStats } from '../cases/stats.ts';
import { surveySecret } from '../cases/survey.ts';
import { calendarFor } from '../cases/targets.ts';
import { caseView } from '../cases/view.ts';
import type { Country } from '../countries/index.ts';
import type { DeskFilter } from '../db/case-desk-sql.ts';
import type { CaseListItem, CaseMessageRow, CaseVisitRow } from '../db/case-port.ts';
import type { StoreTx, Work } from '../db/port.ts';
import { langOf } from '../outbox/templates.ts';
import { text } from './actions.ts';
import { auditedWork } from './audit.ts';
import { HttpError } from './errors.ts';
import { iso } from './leads.ts';
import { leadIdParam, resolveDate } from './params.ts';
import { callerOf, type RequestContext, type Services } from './types.ts';
import { attachmentParam, attachmentReply, renderStored } from './mail.ts';

const list = <T extends string>(values: readonly T[], what: string) =>
  z
    .string()
    .max(500)
    .transform((s, ctx) => {
      const parts = [...new Set(s.split(',').map((p) => p.trim()).filter(Boolean))];
      for (const p of parts) if (!values.includes(p as T)) ctx.addIssue({ code: 'custom', message: `"${p.slice(0, 40)}" no es ${what} (${values.join(', ')})` });
      return parts as T[];
    });

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'debe ser una fecha AAAA-MM-DD');

export const filterShape = {
  status: list(CASE_STATUSES, 'un estado').optional(),
  category: list(CASE_CATEGORIES, 'una categoría').optional(),
  project: z.string().max(2000).optional(),
  /** A user id, or `ninguno` for cases nobody is responsible for. */
  responsible: z.string().regex(/^(\d{1,9}|ninguno)$/, 'debe ser el id de una persona o "ninguno"').optional(),
  from: DATE.optional(),
  to: DATE.optional(),
  breached: z.enum(['true', 'false']).optional(),
  q: z.string().max(100).optional(),
};
export const filterQuery = z.strictObject(filterShape);
export const listQuery = z.strictObject({
  ...filterShape,
  limit: z.string().regex(/^\d{1,3}$/).transform(Number).refine((n) => n >= 1 && n <= 200, 'debe ser de 1 a 200').optional(),
  offset: z.string().regex(/^\d{1,7}$/).transform(Number).optional(),
});

/** The query as the storage's filter: project names to ids (an unknown one is a 400), dates in the company's zone. */
async function deskFilter(ctx: RequestContext<z.output<typeof filterQuery>>): Promise<DeskFilter> {
  const q = ctx.query;
  const tz = ctx.services.app.config.timezone;
  const f: DeskFilter = { status: q.status, category: q.category, q: q.q };
  if (q.project) {
    const names = [...new Set(q.project.split(',').map((p) => p.trim()).filter(Boolean))].slice(0, 20);
    const ids = await ctx.services.queries.projectIds(names);
    const unknown = names.find((n) => !ids.has(n));
    if (unknown !== undefined) throw new HttpError(400, `project: proyecto desconocido "${unknown.slice(0, 60)}"`);
    f.projectId = [...ids.values()];
  }
  if (q.responsible === 'ninguno') f.unassigned = true;
  else if (q.responsible) f.responsibleUserId = Number(q.responsible);
  if (q.from) f.from = resolveDate(q.from, tz, false);
  if (q.to) f.to = resolveDate(q.to, tz, true);
  if (f.from !== undefined && f.to !== undefined && f.to <= f.from) throw new HttpError(400, 'to: debe ser posterior a from');
  if (q.breached) f.breached = q.breached === 'true';
  return f;
}

const scopeOf = (ctx: RequestContext) => callerOf(ctx).caseScope;
const calendarOf = (s: Services, country: string) => calendarFor(s.app.config.cases, country as Country, s.app.config.timezone);

/** A case as the API shows it (src/cases/view.ts). */
export const caseItem = (s: Services, c: CaseListItem, now: number) => caseView(s.app.config.cases, s.app.config.timezone, c, now);

const messageItem = (m: CaseMessageRow) => ({
  id: m.id, direction: m.direction, from: m.fromAddr, to: m.toAddr, subject: m.subject, text: m.text, at: iso(m.at),
  messageId: m.messageId, attachments: JSON.parse(m.attachments || '[]') as unknown[], byStaff: m.authorUserId !== null,
});
const visitItem = (v: CaseVisitRow) => ({ id: v.id, kind: v.kind, scheduledAt: iso(v.scheduledAt), doneAt: iso(v.doneAt), who: v.who, outcome: v.outcome, recordedBy: v.recordedBy });

export async function listCases(ctx: RequestContext<z.output<typeof listQuery>>) {
  const f = await deskFilter(ctx);
  const limit = ctx.query.limit ?? 50;
  const offset = ctx.query.offset ?? 0;
  const page = await ctx.services.app.reads.caseDesk.list(f, scopeOf(ctx), ctx.now, limit, offset);
  return { json: { total: page.total, offset, limit, items: page.items.map((c) => caseItem(ctx.services, c, ctx.now)) } };
}

/** An attachment of one of the case's incoming emails, to download: the stored email parsed again in the worker pool. */
export async function messageAttachment(ctx: RequestContext) {
  const id = await visibleCase(ctx); // a case out of scope is 404 whatever else the path says
  const messageId = leadIdParam(ctx.params.messageId);
  const n = attachmentParam(ctx.params.n);
  const row = await ctx.services.app.reads.cases.messageRaw(id, messageId, scopeOf(ctx));
  if (!row) throw new HttpError(404, `mensaje ${messageId} del caso ${id} no encontrado`);
  return attachmentReply(await renderStored(ctx, row, n), n);
}

/** The case in the path if the caller may see it; another scope's case is as absent as a missing one. */
async function visibleCase(ctx: RequestContext): Promise<number> {
  const id = leadIdParam(ctx.params.id);
  if (!(await ctx.services.app.reads.cases.visible(id, scopeOf(ctx)))) throw new HttpError(404, `caso ${id} no encontrado`);
  return id;
}

export async function caseDetail(ctx: RequestContext) {
  const id = leadIdParam(ctx.params.id);
  const d = await ctx.services.app.reads.cases.detail(id, scopeOf(ctx));
  if (!d) throw new HttpError(404, `caso ${id} no encontrado`);
  return { json: { ...caseItem(ctx.services, d.case, ctx.now), messages: d.messages.map(messageItem), visits: d.visits.map(visitItem) } };
}

function deskContext(ctx: RequestContext): DeskContext {
  const s = ctx.services;
  return { cfg: s.app.config.cases, calendar: (c) => calendarOf(s, c.country), now: ctx.now, userId: callerOf(ctx).userId };
}

/** Runs a desk write with its audit entry; a refusal of the desk's rules answers its status. */
async function deskWork<T>(ctx: RequestContext, work: (tx: StoreTx) => Work<T>, entry: (r: T) => { action: string; objectId: number; data?: unknown }) {
  try {
    return await auditedWork(ctx, work, (r) => ({ objectType: 'case', ...entry(r) }));
  } catch (e) {
    if (e instanceof DeskError) throw new HttpError(e.status, e.message);
    throw e;
  }
}

/** The case's address in the thread: its mailbox's, when it arrived by one the config names. */
function replyAddress(s: Services, mailbox: string | null): string | null {
  const m = s.app.config.mailboxes.find((x) => x.name === mailbox);
  const address = m?.address ?? m?.user ?? null;
  return address && /^[^@\s]+@[^@\s]+$/.test(address) ? address : null;
}

export const replyBody = z.strictObject({
  text: text(20_000).refine((s) => s.length > 0, 'es obligatorio'),
  /** Wait on the client after this answer (the SLA clock pauses). */
  waitForClient: z.boolean().default(false),
});

export async function reply(ctx: RequestContext<unknown, z.output<typeof replyBody>>) {
  const id = await visibleCase(ctx);
  const r = await deskWork(ctx, (tx) => replyToCase(tx, deskContext(ctx), { caseId: id, text: ctx.body.text, waitForClient: ctx.body.waitForClient, replyAddress: (m) => replyAddress(ctx.services, m) }),
    (x) => ({ action: 'case.reply', objectId: x.caseId, data: { status: x.status, firstResponse: x.firstResponse } }));
  // Ids and states only: the text is the client's business.
  ctx.services.deps.log.info({ caseId: r.caseId, status: r.status, firstResponse: r.firstResponse }, 'case reply queued');
  return { json: { ok: true, ...r } };
}

export const statusBody = z.strictObject({ status: z.enum(CASE_STATUSES) });

/** The survey's settings: its secret and the public address the client's browser reaches. */
export function surveySettings(s: Services): SurveySettings {
  const { admin, cases } = s.app.config;
  return { secret: surveySecret(cases.survey.secret, admin.token), baseUrl: admin.publicUrl ?? `http://${admin.host}:${admin.port}` };
}

export async function setStatus(ctx: RequestContext<unknown, z.output<typeof statusBody>>) {
  const id = await visibleCase(ctx);
  const r = await deskWork(ctx, (tx) => changeCaseStatus(tx, deskContext(ctx), id, ctx.body.status, surveySettings(ctx.services)),
    (x) => ({ action: 'case.status', objectId: x.caseId, data: { from: x.from, to: x.status, surveyQueued: x.surveyQueued } }));
  ctx.services.deps.log.info({ caseId: r.caseId, from: r.from, to: r.status, surveyQueued: r.surveyQueued }, 'case status');
  return { json: { ok: true, ...r } };
}

const DATETIME = z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), 'debe ser una fecha y hora (2025-03-10T15:00)');
export const visitBody = z.strictObject({
  kind: z.enum(CASE_VISIT_KINDS),
  scheduledAt: DATETIME,
  doneAt: DATETIME.optional(),
  who: text(200).refine((s) => s.length > 0, 'es obligatorio'),
  outcome: text(2000).optional(),
});

/** A date-time typed without a zone (a datetime-local field) is the company's local time. */
function instant(s: Services, value: string): number {
  if (/[zZ]|[+-]\d{2}:\d{2}$/.test(value)) return Date.parse(value);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(value);
  if (!m) return Date.parse(value);
  const day = resolveDate(`${m[1]}-${m[2]}-${m[3]}`, s.app.config.timezone, false);
  return day + (Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0)) * 60_000;
}

export async function addVisit(ctx: RequestContext<unknown, z.output<typeof visitBody>>) {
  const id = await visibleCase(ctx);
  const b = ctx.body;
  const r = await deskWork(ctx, (tx) => addCaseVisit(tx, deskContext(ctx), {
    caseId: id, kind: b.kind, scheduledAt: instant(ctx.services, b.scheduledAt), doneAt: b.doneAt ? instant(ctx.services, b.doneAt) : null,
    who: b.who, outcome: b.outcome || null, recordedBy: callerOf(ctx).actor,
  }), (x) => ({ action: 'case.visit', objectId: x.caseId, data: { visitId: x.visitId, kind: b.kind } }));
  return { json: { ok: true, ...r } };
}

export const categoryBody = z.strictObject({ category: z.enum(CASE_CATEGORIES) });

/** Corrects a misfiled category; the due times follow the new category's targets. */
export async function recategorize(ctx: RequestContext<unknown, z.output<typeof categoryBody>>) {
  const id = await visibleCase(ctx);
  const r = await deskWork(ctx, (tx) => recategorizeCase(tx, deskContext(ctx), id, ctx.body.category), (x) => ({ action: 'case.category', objectId: x.caseId, data: { from: x.from, to: x.to } }));
  return { json: { ok: true, ...r } };
}

export const assignBody = z.strictObject({ userId: z.number().int().positive().nullable() });

/** Gives the case to a person of customer service (or an admin), or to nobody; anyone else is a 400. */
export async function assign(ctx: RequestContext<unknown, z.output<typeof assignBody>>) {
  const id = await visibleCase(ctx);
  const to = ctx.body.userId;
  if (to !== null && !(await ctx.services.app.reads.caseDesk.deskPeople()).some((p) => p.id === to)) {
    throw new HttpError(400, 'userId: no es una persona de atención al cliente activa');
  }
  const r = await deskWork(ctx, (tx) => assignCase(tx, deskContext(ctx), id, to), (x) => ({ action: 'case.assign', objectId: x.caseId, data: { from: x.from, to: x.to } }));
  return { json: { ok: true, ...r } };
}

export async function stats(ctx: RequestContext<z.output<typeof filterQuery>>) {
  const f = await deskFilter(ctx);
  const rows = await ctx.services.app.reads.caseDesk.all(f, scopeOf(ctx), ctx.now);
  return { json: caseStats(ctx.services.app.config.cases, ctx.services.app.config.timezone, rows, ctx.now) };
}

/** The filters' options: the projects with cases in scope, and the people cases can be given to. */
export async function options(ctx: RequestContext) {
  const desk = ctx.services.app.reads.caseDesk;
  const people = await desk.deskPeople();
  const { country } = ctx.services.app.config;
  return {
    json: {
      country, lang: langOf(country), timeZone: ctx.services.app.config.timezone,
      statuses: CASE_STATUSES, categories: CASE_CATEGORIES, visitKinds: CASE_VISIT_KINDS,
      projects: (await desk.projects(scopeOf(ctx))).map((p) => p.name),
      people: people.map((p) => ({ id: p.id, name: p.name })),
    },
  };
}

export { deskFilter };
