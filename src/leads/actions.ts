import { io, type LeadRow, type StoreTx, type Work } from '../db/port.ts';
import { AppError } from '../errors.ts';
import type { Country } from '../vocabulary.ts';
import { classify } from '../pipeline/classify.ts';
import type { ExtractedFields } from '../pipeline/extract.ts';
import { normalizeFields } from '../pipeline/normalize.ts';
import type { ProjectIndex } from '../pipeline/project.ts';
import { followUpDue } from './follow-ups.ts';
import { registerActivity } from './ownership.ts';
import { updateLeadOutcome, type PersistRules } from './record.ts';
import type { ContactChannel, Expectation } from '../vocabulary.ts';
import { assertEditable } from './edit-checks.ts';
import { linkClient } from './record.ts';

/**
 * The lead state machine: every lead arrives por_contactar; a follow-up that reached the person
 * makes it contactado; abort closes a contacted lead's follow-up (abortado); discard drops a malo
 * or con_problemas lead nobody will work (descartado). abortado and descartado are final.
 */

export interface ActionContext {
  country: Country;
  projects: ProjectIndex;
  rules: PersistRules;
}

export const EDITABLE_FIELDS = ['name', 'nationalId', 'email', 'phone', 'project'] as const;
export type ContactEdit = Partial<Record<(typeof EDITABLE_FIELDS)[number], string>>;

/** Per corrected field of an `edit` action: what the pipeline extracted from the email, what the person wrote. */
export type Corrections = Partial<Record<(typeof EDITABLE_FIELDS)[number], { from: string | null; to: string | null }>>;

export interface FollowUpInput {
  expectation: Expectation;
  contactType: ContactChannel;
  /** Defaults to now + followUpDays. */
  recontactAt?: number;
  comment?: string;
}

export interface ActionResult {
  leadId: number;
  quality: string;
  contactState: string;
  clientId: number | null;
  followUpAt: number | null;
}

const invalid = (message: string) => new AppError('lead.invalid_transition', message);
const isClosed = (lead: LeadRow) => lead.contactState === 'descartado' || lead.contactState === 'abortado';

function* loadLead(tx: StoreTx, leadId: number): Work<LeadRow> {
  const lead = yield* io(tx.getLead(leadId));
  if (!lead) throw new AppError('lead.not_found', `Lead no encontrado o fuera de su alcance (lead ${leadId})`);
  return lead;
}

function* result(tx: StoreTx, leadId: number): Work<ActionResult> {
  const l = yield* loadLead(tx, leadId);
  return { leadId, quality: l.quality, contactState: l.contactState, clientId: l.clientId, followUpAt: l.followUpAt };
}

/**
 * Corrects the contact data of a lead and re-runs the classification: a lead that becomes bueno
 * gets its client record and follow-up then. A bueno lead's name can be corrected (nombre y
 * apellidos). An invalid value is refused with its reason and nothing is saved.
 */
export function* editLead(tx: StoreTx, ctx: ActionContext, leadId: number, edit: ContactEdit, actor: string, now: number): Work<ActionResult> {
  const lead = yield* loadLead(tx, leadId);
  if (lead.quality === 'bueno' && Object.entries(edit).some(([k, v]) => k !== 'name' && v !== undefined)) {
    throw invalid('de un lead bueno solo se corrige el nombre; los demás datos se corrigen en la ficha del cliente');
  }
  if (isClosed(lead)) throw invalid(`a ${lead.contactState} lead cannot be edited`);
  yield* applyLeadEdit(tx, ctx, lead, edit, actor, now);
  return yield* result(tx, leadId);
}

/**
 * An edit's values on a lead, re-validated and re-classified (the rules of `editLead`, shared with
 * the ficha's edit, which passes its corrected values to the client's leads): a lead that becomes
 * bueno gets its client record and follow-up. `via` is recorded with the action ('ficha').
 */
export function* applyLeadEdit(tx: StoreTx, ctx: ActionContext, lead: LeadRow, edit: ContactEdit, actor: string, now: number, via?: string): Work<void> {
  const leadId = lead.id;
  const raw = JSON.parse(lead.rawFields) as Partial<ExtractedFields>;
  const projectName = lead.projectId === null ? null : yield* io(tx.projectName(lead.projectId));
  // Start from the normalised values, or the raw text when a value was invalid, so untouched fields keep their verdict.
  const current: ExtractedFields = {
    name: lead.name ?? raw.name ?? null,
    firstName: null,
    lastName: null,
    nationalId: lead.nationalId ?? raw.nationalId ?? null,
    email: lead.email ?? raw.email ?? null,
    phone: lead.phone ?? raw.phone ?? null,
    project: projectName ?? lead.projectText ?? raw.project ?? null,
    message: lead.message ?? raw.message ?? null,
  };
  const changed: string[] = [];
  const corrections: Corrections = {};
  for (const field of EDITABLE_FIELDS) {
    const value = edit[field];
    if (value === undefined) continue;
    const before = current[field];
    current[field] = value.trim() === '' ? null : value.trim();
    changed.push(field);
    // What the pipeline read in the email and what the person wrote: `parsers learn --from-corrections` learns from it.
    if (current[field] !== before) corrections[field] = { from: raw[field] ?? null, to: current[field] };
  }
  const normalized = normalizeFields(current, ctx.country, ctx.projects, () => null);
  const verdict = classify(normalized);
  assertEditable(edit, verdict.problems, { name: lead.name, nationalId: lead.nationalId, email: lead.email, phone: lead.phone, project: projectName }, ctx.country);
  const outcome = { fields: normalized.fields, quality: verdict.quality, problems: verdict.problems, problemDetails: normalized.details, createsClient: verdict.createsClient, createsFollowUp: verdict.createsFollowUp };
  yield* updateLeadOutcome(tx, leadId, outcome, ctx.rules, actor, now);
  // A new national ID may be another person's: the lead follows the ID to its client.
  if (lead.clientId !== null && normalized.fields.nationalId && normalized.fields.nationalId !== lead.nationalId) {
    const client = yield* io(tx.getClient(lead.clientId));
    if (client?.nationalId && client.nationalId !== normalized.fields.nationalId) {
      yield* io(tx.updateLead(leadId, { clientId: null, updatedAt: now }));
      const linked = yield* linkClient(tx, { leadId, outcome, receivedAt: lead.receivedAt, projectId: tx.projectId(normalized.fields.project), rules: ctx.rules, now, actor, followUpFrom: now });
      yield* io(tx.recordAction({ leadId, clientId: linked.clientId, actor, action: 'relink', data: { fromClientId: lead.clientId, toClientId: linked.clientId }, at: now }));
    }
  }
  const after = yield* loadLead(tx, leadId);
  if (after.clientId !== null) yield* registerActivity(tx, after.clientId, now);
  yield* io(tx.recordAction({ leadId, clientId: after.clientId, actor, action: 'edit', data: { changed, ...(Object.keys(corrections).length ? { corrections } : {}), qualityBefore: lead.quality, qualityAfter: after.quality, problems: verdict.problems, ...(via ? { via } : {}) }, at: now }));
}

/**
 * Registers a follow-up (action `continuar`): the client's open follow-up for this project is
 * closed and a new one opens at the recontact date. A contact that reached the person makes the
 * lead contactado.
 */
export function* registerFollowUp(tx: StoreTx, ctx: Pick<ActionContext, 'rules'>, leadId: number, input: FollowUpInput, actor: string, now: number): Work<ActionResult> {
  const lead = yield* loadLead(tx, leadId);
  if (isClosed(lead)) throw invalid(`a ${lead.contactState} lead takes no more follow-ups`);
  if (lead.clientId === null) throw invalid('the lead has no client record yet: complete its contact data first');
  const dueAt = input.recontactAt ?? followUpDue(now, ctx.rules.followUpDays);
  const reached = input.contactType !== 'sin_respuesta';
  yield* io(tx.closeFollowUps({ clientId: lead.clientId, projectId: lead.projectId, ownerVendorId: lead.ownerVendorId }, 'done'));
  yield* io(
    tx.insertFollowUp({ clientId: lead.clientId, leadId, projectId: lead.projectId, action: 'continuar', status: 'open', expectation: input.expectation, contactType: input.contactType, dueAt, comment: input.comment, createdBy: actor, createdAt: now }),
  );
  yield* io(tx.updateLead(leadId, { followUpAt: dueAt, updatedAt: now, ...(reached ? { contactState: 'contactado' as const, lastContactAt: now } : {}) }));
  // A client who wrote twice about a project is one person to call: their other waiting leads of
  // the same vendor are contacted too (another vendor's lead is that vendor's call).
  const siblings = reached ? (yield* io(tx.waitingLeadIds(lead.clientId, lead.projectId, lead.ownerVendorId))).filter((id) => id !== leadId) : [];
  for (const id of siblings) yield* io(tx.updateLead(id, { contactState: 'contactado', lastContactAt: now, followUpAt: dueAt, updatedAt: now }));
  yield* registerActivity(tx, lead.clientId, now); // an attempt that reached nobody is activity too
  yield* io(tx.recordAction({ leadId, clientId: lead.clientId, actor, action: 'follow_up', data: { ...input, recontactAt: dueAt, ...(siblings.length ? { alsoContacted: siblings } : {}) }, at: now }));
  for (const id of siblings) yield* io(tx.recordAction({ leadId: id, clientId: lead.clientId, actor, action: 'follow_up', data: { ...input, recontactAt: dueAt, viaLead: leadId }, at: now }));
  return yield* result(tx, leadId);
}

/** Abort (declinar): the person was contacted and the follow-up stops. A comment is required. */
export function* abortLead(tx: StoreTx, leadId: number, comment: string, actor: string, now: number): Work<ActionResult> {
  const lead = yield* loadLead(tx, leadId);
  if (isClosed(lead)) throw invalid(`the lead is already ${lead.contactState}`);
  if (lead.clientId !== null) {
    yield* io(tx.closeFollowUps({ clientId: lead.clientId, projectId: lead.projectId, ownerVendorId: lead.ownerVendorId }, 'aborted'));
    yield* io(tx.insertFollowUp({ clientId: lead.clientId, leadId, projectId: lead.projectId, action: 'abortar', status: 'aborted', dueAt: now, comment, createdBy: actor, createdAt: now }));
    yield* registerActivity(tx, lead.clientId, now);
  }
  yield* io(tx.updateLead(leadId, { contactState: 'abortado', followUpAt: null, updatedAt: now }));
  yield* io(tx.recordAction({ leadId, clientId: lead.clientId, actor, action: 'abort', data: { comment }, at: now }));
  return yield* result(tx, leadId);
}

/** Discard: a malo or con_problemas lead nobody will work; it leaves the reports. */
export function* discardLead(tx: StoreTx, leadId: number, reason: string, comment: string, actor: string, now: number): Work<ActionResult> {
  const lead = yield* loadLead(tx, leadId);
  if (lead.quality === 'bueno') throw invalid('only malo or con_problemas leads can be discarded');
  if (lead.contactState !== 'por_contactar') throw invalid(`a ${lead.contactState} lead cannot be discarded`);
  yield* io(tx.closeFollowUps({ leadId }, 'aborted'));
  yield* io(tx.updateLead(leadId, { contactState: 'descartado', followUpAt: null, updatedAt: now }));
  yield* io(tx.recordAction({ leadId, clientId: lead.clientId, actor, action: 'discard', data: { reason, comment }, at: now }));
  return yield* result(tx, leadId);
}
