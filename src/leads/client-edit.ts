import { io, type ClientPatch, type ClientRow, type LeadRow, type StoreTx, type Work } from '../db/port.ts';
import { AppError } from '../errors.ts';
import { normalizeFields } from '../pipeline/normalize.ts';
import { fold } from '../pipeline/text.ts';
import { applyLeadEdit, type ActionContext, type ContactEdit } from './actions.ts';
import { assertEditable } from './edit-checks.ts';
import { registerActivity } from './ownership.ts';

/**
 * The ficha del cliente's editor: the client's name, national ID, email and phone, checked by the
 * country's rules like a lead's edit (same checks, same Spanish reasons), then passed on to the
 * client's open leads, which are re-classified by the lead edit's rules: a con_problemas lead whose
 * problem was the corrected field becomes bueno and gets its follow-up. A national ID or email that
 * is another client's stops the edit (ClientConflict) unless the merge was confirmed: then this
 * record merges into that one through a "posible duplicado" mark, so the merge can be undone.
 */

export const CLIENT_FIELDS = ['name', 'nationalId', 'email', 'phone'] as const;
export type ClientField = (typeof CLIENT_FIELDS)[number];
export type ClientEdit = Partial<Record<ClientField, string>>;

/** The new national ID or email belongs to another client: `otherClientId`, matched by `key`. */
export class ClientConflict extends AppError {
  constructor(
    readonly otherClientId: number,
    readonly key: 'nationalId' | 'email',
  ) {
    super('client.conflict', key === 'nationalId' ? 'el documento pertenece a otro cliente' : 'el email pertenece a otro cliente');
  }
}

type Values = Record<ClientField, string | null>;

export interface ClientEditResult {
  clientId: number;
  changed: ClientField[];
  before: Values;
  after: Values;
  /** Leads the edit passed its values to, with their quality before and after. */
  leads: { leadId: number; qualityBefore: string; qualityAfter: string; followUpAt: number | null }[];
  /** Set when the client was merged into another record (undo: POST /api/duplicates/:id/unmerge). */
  merged: { duplicateId: number; intoClientId: number; movedLeads: number[] } | null;
}

const valuesOf = (c: Pick<ClientRow, ClientField>): Values => ({ name: c.name, nationalId: c.nationalId, email: c.email, phone: c.phone });

/** A problem code of the lead edit's classification for each field (`nationalId.invalid`, `email.missing`, ...). */
const hasProblem = (lead: LeadRow, field: ClientField) => (JSON.parse(lead.problems) as string[]).some((p) => p.startsWith(`${field}.`));

export function* editClient(
  tx: StoreTx,
  ctx: ActionContext,
  clientId: number,
  edit: ClientEdit,
  /** `leadIds`: the leads the editor may change (their scope); all of the client's when absent. */
  opts: { confirmMerge: boolean; actor: string; now: number; leadIds?: ReadonlySet<number> },
): Work<ClientEditResult> {
  const client = yield* io(tx.getClient(clientId));
  if (!client) throw new AppError('client.not_found', `no existe el cliente ${clientId}`);
  const before = valuesOf(client);
  const given = CLIENT_FIELDS.filter((f) => edit[f] !== undefined);
  // The record's values with the edit's in place, normalised by the country's rules; the lead
  // edit's checks refuse the first bad one with its reason, and a valid stored value is never erased.
  const current = { ...before, firstName: null, lastName: null, project: null, message: null };
  for (const f of given) current[f] = edit[f]!.trim() === '' ? null : edit[f]!.trim();
  const n = normalizeFields(current, ctx.country, ctx.projects, () => null);
  assertEditable(edit, n.problems, before, ctx.country);
  if (n.problems.includes('nationalId.notPersonal')) throw new AppError('lead.invalid_value', 'el documento no es de una persona (es de una empresa)');
  const after: Values = { name: n.fields.name, nationalId: n.fields.nationalId, email: n.fields.email, phone: n.fields.phone };
  const changed = given.filter((f) => after[f] !== before[f]);
  const patch: ClientPatch = {};
  if (changed.includes('name')) Object.assign(patch, { name: after.name, firstName: n.fields.firstName, lastName: n.fields.lastName });
  if (changed.includes('nationalId')) Object.assign(patch, { nationalId: after.nationalId, nationalIdType: n.fields.nationalIdType });
  if (changed.includes('email')) patch.email = after.email;
  if (changed.includes('phone')) patch.phone = after.phone;

  // Another client's national ID (unique) or email (the matching rules' second key) means one person, two records.
  let other: ClientRow | null = null;
  let key: 'nationalId' | 'email' = 'nationalId';
  if (changed.includes('nationalId') && after.nationalId) other = yield* io(tx.clientBy('nationalId', after.nationalId, after.nationalId));
  if ((!other || other.id === clientId) && changed.includes('email') && after.email) {
    other = yield* io(tx.clientBy('email', after.email, after.nationalId));
    key = 'email';
  }
  if (other && other.id === clientId) other = null;
  const result: ClientEditResult = { clientId, changed, before, after, leads: [], merged: null };
  if (other) {
    if (!opts.confirmMerge) throw new ClientConflict(other.id, key);
    // What does not collide stays on this record (the merge fills the other's gaps from it); the
    // national ID is the other's already.
    const { nationalId: _id, nationalIdType: _type, ...rest } = patch;
    if (Object.keys(rest).length) yield* io(tx.updateClient(clientId, rest));
    yield* io(tx.recordAction({ clientId, actor: opts.actor, action: 'client_edit', data: { changed, before, after, mergeInto: other.id }, at: opts.now }));
    const duplicateId = yield* io(tx.markPossibleDuplicate({ clientId, otherClientId: other.id, leadId: null, reason: key, at: opts.now }));
    const moved = yield* io(tx.mergeDuplicate(duplicateId, opts.actor, opts.now));
    yield* registerActivity(tx, other.id, opts.now);
    result.merged = { duplicateId, intoClientId: other.id, movedLeads: moved.leadIds };
    return result;
  }
  if (changed.length) yield* io(tx.updateClient(clientId, patch));
  // The ficha's values go to the client's open leads where a lead still carries the old value or
  // had a problem with that field; each lead is re-classified by the lead edit's rules.
  for (const leadId of yield* io(tx.clientLeadIds(clientId))) {
    if (opts.leadIds && !opts.leadIds.has(leadId)) continue;
    const lead = yield* io(tx.getLead(leadId));
    if (!lead || lead.contactState === 'descartado' || lead.contactState === 'abortado') continue;
    const leadEdit: ContactEdit = {};
    for (const f of given) {
      const value = after[f];
      if (value === null) continue;
      const leadValue = f === 'name' ? lead.name : lead[f];
      const stale = changed.includes(f) && leadValue === before[f] && leadValue !== value;
      const sameName = f === 'name' && leadValue !== null && fold(leadValue) === fold(value);
      if (stale || (hasProblem(lead, f) && !sameName)) leadEdit[f] = value;
    }
    if (!Object.keys(leadEdit).length) continue;
    yield* applyLeadEdit(tx, ctx, lead, leadEdit, opts.actor, opts.now, 'ficha');
    const now = yield* io(tx.getLead(leadId));
    result.leads.push({ leadId, qualityBefore: lead.quality, qualityAfter: now?.quality ?? lead.quality, followUpAt: now?.followUpAt ?? null });
  }
  if (changed.length || result.leads.length) {
    yield* registerActivity(tx, clientId, opts.now);
    yield* io(tx.recordAction({ clientId, actor: opts.actor, action: 'client_edit', data: { changed, before, after, leads: result.leads.map((l) => l.leadId) }, at: opts.now }));
  }
  return result;
}
