import { and, eq, isNull } from 'drizzle-orm';
import type { Country } from '../normalize/national-id.ts';
import type { Ownership } from '../ownership/ownership.ts';
import { classify } from '../pipeline/classify.ts';
import type { ExtractedFields } from '../pipeline/extract.ts';
import { normalizeFields } from '../pipeline/normalize.ts';
import type { ProjectIndex } from '../pipeline/project.ts';
import { followUps, leads, projects } from './schema.ts';
import { DAY_MS, type PersistRules, type Store } from './store.ts';

/** Why an action cannot happen; the HTTP layer answers 404 or 409 with the message. */
export class LeadActionError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid_transition',
    message: string,
  ) {
    super(message);
    this.name = 'LeadActionError';
  }
}

export interface ActionDeps {
  store: Store;
  country: Country;
  projects: ProjectIndex;
  rules: PersistRules;
  /** Follow-ups, edits and aborts are the owner's activity: they restart the reassignment clock. */
  ownership: Pick<Ownership, 'registerActivity'>;
}

export const EDITABLE_FIELDS = ['name', 'nationalId', 'email', 'phone', 'project'] as const;
export type ContactEdit = Partial<Record<(typeof EDITABLE_FIELDS)[number], string>>;

export const EXPECTATIONS = ['alta', 'media', 'baja'] as const;
/** How the contact was made; `sin_respuesta` records an attempt that reached nobody. */
export const CONTACT_TYPES = ['llamada', 'whatsapp', 'email', 'visita', 'videollamada', 'sin_respuesta'] as const;
export const DISCARD_REASONS = ['sin_datos_de_contacto', 'datos_falsos', 'duplicado', 'spam', 'prueba', 'otro'] as const;

export interface FollowUpInput {
  expectation: (typeof EXPECTATIONS)[number];
  contactType: (typeof CONTACT_TYPES)[number];
  /** Defaults to now + followUpDays. */
  recontactAt?: number;
  comment: string;
}

export interface ActionResult {
  leadId: number;
  quality: string;
  contactState: string;
  clientId: number | null;
  followUpAt: number | null;
}

const invalid = (message: string) => new LeadActionError('invalid_transition', message);

function loadLead(store: Store, leadId: number) {
  const lead = store.getLead(leadId);
  if (!lead) throw new LeadActionError('not_found', `lead ${leadId} not found`);
  return lead;
}

function result(store: Store, leadId: number): ActionResult {
  const l = loadLead(store, leadId);
  return { leadId, quality: l.quality, contactState: l.contactState, clientId: l.clientId, followUpAt: l.followUpAt };
}

/** The open follow-ups this lead stands for: its client's, for its project. */
function openFollowUpsWhere(clientId: number, projectId: number | null) {
  return and(eq(followUps.clientId, clientId), projectId === null ? isNull(followUps.projectId) : eq(followUps.projectId, projectId), eq(followUps.status, 'open'));
}

/**
 * Corrects the contact data of a con_problemas or malo lead and re-runs the classification. A lead
 * that becomes bueno gets its client record and follow-up (store.updateLeadOutcome does both).
 */
export function editLead(deps: ActionDeps, leadId: number, edit: ContactEdit, actor: string, now = Date.now()): ActionResult {
  const { store } = deps;
  return store.db.transaction(() => {
    const lead = loadLead(store, leadId);
    if (lead.quality === 'bueno') throw invalid('a bueno lead is edited in its client record, not here');
    if (lead.contactState === 'descartado' || lead.contactState === 'abortado') throw invalid(`a ${lead.contactState} lead cannot be edited`);
    const raw = JSON.parse(lead.rawFields) as Partial<ExtractedFields>;
    const projectName = lead.projectId === null ? null : (store.db.select({ name: projects.name }).from(projects).where(eq(projects.id, lead.projectId)).get()?.name ?? null);
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
    for (const field of EDITABLE_FIELDS) {
      const value = edit[field];
      if (value === undefined) continue;
      current[field] = value.trim() === '' ? null : value.trim();
      changed.push(field);
    }
    const normalized = normalizeFields(current, deps.country, deps.projects, () => null);
    const verdict = classify(normalized);
    const outcome = { fields: normalized.fields, quality: verdict.quality, problems: verdict.problems, problemDetails: normalized.details, createsClient: verdict.createsClient, createsFollowUp: verdict.createsFollowUp };
    store.updateLeadOutcome(leadId, outcome, deps.rules, actor, now);
    const after = loadLead(store, leadId);
    if (after.clientId !== null) deps.ownership.registerActivity(after.clientId, now);
    store.recordAction({ leadId, clientId: after.clientId, actor, action: 'edit', data: { changed, qualityBefore: lead.quality, qualityAfter: after.quality, problems: verdict.problems }, at: now });
    return result(store, leadId);
  });
}

/**
 * Registers a follow-up (action `continuar`): the client's open follow-up for this project is
 * closed and a new one opens at the recontact date. A contact that reached the person makes the
 * lead contactado.
 */
export function registerFollowUp(deps: ActionDeps, leadId: number, input: FollowUpInput, actor: string, now = Date.now()): ActionResult {
  const { store } = deps;
  return store.db.transaction(() => {
    const lead = loadLead(store, leadId);
    if (lead.contactState === 'descartado' || lead.contactState === 'abortado') throw invalid(`a ${lead.contactState} lead takes no more follow-ups`);
    if (lead.clientId === null) throw invalid('the lead has no client record yet: complete its contact data first');
    const dueAt = input.recontactAt ?? now + deps.rules.followUpDays * DAY_MS;
    const reached = input.contactType !== 'sin_respuesta';
    store.db.update(followUps).set({ status: 'done' }).where(openFollowUpsWhere(lead.clientId, lead.projectId)).run();
    store.db
      .insert(followUps)
      .values({ clientId: lead.clientId, leadId, projectId: lead.projectId, action: 'continuar', status: 'open', expectation: input.expectation, contactType: input.contactType, dueAt, comment: input.comment, createdBy: actor, createdAt: now })
      .run();
    store.db
      .update(leads)
      .set({ followUpAt: dueAt, updatedAt: now, ...(reached ? { contactState: 'contactado' as const, lastContactAt: now } : {}) })
      .where(eq(leads.id, leadId))
      .run();
    deps.ownership.registerActivity(lead.clientId, now); // an attempt that reached nobody is activity too
    store.recordAction({ leadId, clientId: lead.clientId, actor, action: 'follow_up', data: { ...input, recontactAt: dueAt }, at: now });
    return result(store, leadId);
  });
}

/** Abort (declinar): the person was contacted and the follow-up stops. A comment is required. */
export function abortLead(deps: ActionDeps, leadId: number, comment: string, actor: string, now = Date.now()): ActionResult {
  const { store } = deps;
  return store.db.transaction(() => {
    const lead = loadLead(store, leadId);
    if (lead.contactState === 'descartado' || lead.contactState === 'abortado') throw invalid(`the lead is already ${lead.contactState}`);
    if (lead.clientId !== null) {
      store.db.update(followUps).set({ status: 'aborted' }).where(openFollowUpsWhere(lead.clientId, lead.projectId)).run();
      store.db
        .insert(followUps)
        .values({ clientId: lead.clientId, leadId, projectId: lead.projectId, action: 'abortar', status: 'aborted', dueAt: now, comment, createdBy: actor, createdAt: now })
        .run();
      deps.ownership.registerActivity(lead.clientId, now);
    }
    store.db.update(leads).set({ contactState: 'abortado', followUpAt: null, updatedAt: now }).where(eq(leads.id, leadId)).run();
    store.recordAction({ leadId, clientId: lead.clientId, actor, action: 'abort', data: { comment }, at: now });
    return result(store, leadId);
  });
}

/** Discard: a malo or con_problemas lead nobody will work; it leaves the reports. */
export function discardLead(deps: ActionDeps, leadId: number, reason: string, comment: string, actor: string, now = Date.now()): ActionResult {
  const { store } = deps;
  return store.db.transaction(() => {
    const lead = loadLead(store, leadId);
    if (lead.quality === 'bueno') throw invalid('only malo or con_problemas leads can be discarded');
    if (lead.contactState !== 'por_contactar') throw invalid(`a ${lead.contactState} lead cannot be discarded`);
    store.db.update(followUps).set({ status: 'aborted' }).where(and(eq(followUps.leadId, leadId), eq(followUps.status, 'open'))).run();
    store.db.update(leads).set({ contactState: 'descartado', followUpAt: null, updatedAt: now }).where(eq(leads.id, leadId)).run();
    store.recordAction({ leadId, clientId: lead.clientId, actor, action: 'discard', data: { reason, comment }, at: now });
    return result(store, leadId);
  });
}
