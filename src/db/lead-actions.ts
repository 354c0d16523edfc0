/**
 * Compatibility for src/http until it calls the domain core (src/leads/actions.ts) through
 * `store.unitOfWork` and maps AppError (src/errors.ts): synchronous wrappers that keep the old
 * names and the old LeadActionError. No rule lives here.
 */
import { AppError } from '../errors.ts';
import * as core from '../leads/actions.ts';
import type { PersistRules } from '../leads/record.ts';
import type { ProjectIndex } from '../pipeline/project.ts';
import { CONTACT_CHANNELS, DISCARD_REASONS, EXPECTATIONS, type Country } from '../vocabulary.ts';
import type { Store } from './store.ts';

export { EDITABLE_FIELDS, type ActionResult, type ContactEdit, type FollowUpInput } from '../leads/actions.ts';
export { DISCARD_REASONS, EXPECTATIONS };
/** @deprecated the vocabulary's CONTACT_CHANNELS (how the contact was made). */
export const CONTACT_TYPES = CONTACT_CHANNELS;

/** @deprecated AppError with code `lead.not_found` / `lead.invalid_transition`. */
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
  /** Unused: activity is registered by the core. */
  ownership?: unknown;
}

function legacy<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof AppError && e.code.startsWith('lead.')) throw new LeadActionError(e.code === 'lead.not_found' ? 'not_found' : 'invalid_transition', e.message);
    throw e;
  }
}

export const editLead = (deps: ActionDeps, leadId: number, edit: core.ContactEdit, actor: string, now = Date.now()) =>
  legacy(() => deps.store.unitOfWorkSync((tx) => core.editLead(tx, deps, leadId, edit, actor, now)));

export const registerFollowUp = (deps: ActionDeps, leadId: number, input: core.FollowUpInput, actor: string, now = Date.now()) =>
  legacy(() => deps.store.unitOfWorkSync((tx) => core.registerFollowUp(tx, deps, leadId, input, actor, now)));

export const abortLead = (deps: ActionDeps, leadId: number, comment: string, actor: string, now = Date.now()) =>
  legacy(() => deps.store.unitOfWorkSync((tx) => core.abortLead(tx, leadId, comment, actor, now)));

export const discardLead = (deps: ActionDeps, leadId: number, reason: string, comment: string, actor: string, now = Date.now()) =>
  legacy(() => deps.store.unitOfWorkSync((tx) => core.discardLead(tx, leadId, reason, comment, actor, now)));
