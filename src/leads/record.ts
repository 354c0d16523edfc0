import { io, type ClientRow, type RawOutcome, type StoreTx, type Work } from '../db/port.ts';
import type { LeadOutcome, PipelineOutcome } from '../pipeline/index.ts';
import type { NationalId } from '../countries/types.ts';
import { fold } from '../pipeline/text.ts';
import { SYSTEM_ACTOR, type ContactType } from '../vocabulary.ts';
import { openFollowUp, followUpDue } from './follow-ups.ts';
import { fillGaps, matchClient, otherPersonsId } from './matching.ts';

export interface Assignment {
  ownerVendorId: string | null;
  contactType: ContactType;
}

export interface AssignContext {
  /** The client's row as the caller holds it (created or matched in this unit of work). */
  client: ClientRow;
  leadId: number;
  created: boolean;
  projectId: number | null;
  /** The lead's arrival: ownership decides on the lead's own clock, so a replay decides as live mail did. */
  now: number;
}

export interface PersistRules {
  followUpDays: number;
  /** Chooses the owner of a new or returning client, inside the lead's unit of work. */
  assignOwner?: (tx: StoreTx, ctx: AssignContext) => Work<Assignment | null>;
  /** Queues the lead's notification emails (the outbox) in its unit of work; unset for replays without --notify. */
  onLead?: (tx: StoreTx, ev: { leadId: number; rawEmailId: number }) => Work<void>;
  /**
   * Post-sale mail (src/cases/route.ts): the case the email opened or joined, or null to go on as a
   * lead. Runs before any lead row is written: one email is never both.
   */
  routeCase?: (tx: StoreTx, ev: { rawEmailId: number; outcome: LeadOutcome; receivedAt: number; now: number }) => Work<{ caseId: number; clientId: number | null } | null>;
  /** The same person's other national IDs (the company's country module): they link to one client. */
  samePerson?: (id: NationalId) => string[];
  /** The person recording these outcomes (a walk-in registered by hand): its follow-up names them. */
  actor?: string;
}

export interface LeadRecordResult {
  leadId: number | null;
  clientId: number | null;
  followUpAt: number | null;
  contactType: string | null;
  /** The case the email opened or joined instead of a lead. */
  caseId?: number | null;
}

const NO_LEAD: LeadRecordResult = { leadId: null, clientId: null, followUpAt: null, contactType: null };

export interface OutcomeToRecord {
  rawEmailId: number;
  outcome: PipelineOutcome;
  receivedAt: number;
}

/**
 * `recordOutcome` for a batch in one unit of work: the emails' current states are read in one
 * query (on PostgreSQL a round trip saved per email). An email twice in the batch is recorded once.
 */
export function* recordOutcomes(tx: StoreTx, items: readonly OutcomeToRecord[], rules: PersistRules, clock: () => number): Work<LeadRecordResult[]> {
  const states = yield* io(tx.rawOutcomes(items.map((i) => i.rawEmailId)));
  const recorded = new Map<number, LeadRecordResult>();
  const out: LeadRecordResult[] = [];
  for (const i of items) {
    const r = recorded.get(i.rawEmailId) ?? (yield* recordOutcome(tx, i.rawEmailId, i.outcome, i.receivedAt, rules, clock(), states.get(i.rawEmailId) ?? null));
    recorded.set(i.rawEmailId, r);
    out.push(r);
  }
  return out;
}

/**
 * Persists a pipeline outcome for a stored raw email: the lead, its client (created or reused),
 * the follow-up, and the raw email's status. An email already processed (the worker and the
 * pending retry may meet) keeps what it has. `known`: its state, when the caller read it in this
 * unit of work (recordOutcomes).
 */
export function* recordOutcome(tx: StoreTx, rawEmailId: number, outcome: PipelineOutcome, receivedAt: number, rules: PersistRules, now: number, known?: RawOutcome | null): Work<LeadRecordResult> {
  const current = known !== undefined ? known : yield* io(tx.rawOutcome(rawEmailId));
  if (current && (current.status === 'lead' || current.status === 'ignored' || current.status === 'case')) {
    const { leadId, clientId, followUpAt, contactType } = current;
    return { leadId, clientId, followUpAt, contactType };
  }
  if (outcome.kind === 'ignored') {
    yield* io(tx.setRawOutcome(rawEmailId, 'ignored', outcome.reason, outcome.parser, now));
    return NO_LEAD;
  }
  const o = outcome;
  // Post-sale first, for one person or several: a service mailbox's mail is a case, whoever it names.
  if (rules.routeCase) {
    const c = yield* rules.routeCase(tx, { rawEmailId, outcome: o, receivedAt, now });
    if (c) return { ...NO_LEAD, clientId: c.clientId, caseId: c.caseId };
  }
  // A message with several people (a digest): each is a lead of its own, at its position, as if
  // each had come in its own email; (raw email, position) is unique, so a re-delivery adds none.
  if (o.others?.length) {
    const saved = [yield* recordPerson(tx, rawEmailId, o, 0, receivedAt, rules, now)];
    for (const [k, other] of o.others.entries()) saved.push(yield* recordPerson(tx, rawEmailId, other, k + 1, receivedAt, rules, now));
    yield* io(tx.setRawOutcome(rawEmailId, 'lead', null, o.parser, now));
    if (rules.onLead) for (const r of saved) yield* rules.onLead(tx, { leadId: r.leadId, rawEmailId });
    return saved[0];
  }
  const result = yield* recordPerson(tx, rawEmailId, o, 0, receivedAt, rules, now);
  yield* io(tx.setRawOutcome(rawEmailId, 'lead', null, o.parser, now));
  if (rules.onLead) yield* rules.onLead(tx, { leadId: result.leadId, rawEmailId });
  return result;
}

/** One person's lead: the row, its client, owner and follow-up (the caller queues its notification). */
export function* recordPerson(tx: StoreTx, rawEmailId: number, o: LeadOutcome, partIndex: number, receivedAt: number, rules: PersistRules, now: number): Work<LeadRecordResult & { leadId: number }> {
  const f = o.fields;
  const projectId = tx.projectId(f.project);
  const leadId = yield* io(
    tx.insertLead({
      rawEmailId, partIndex, parser: o.parser, medium: o.medium, quality: o.quality, problems: JSON.stringify(o.problems), problemDetails: JSON.stringify(o.problemDetails),
      fromFallback: JSON.stringify(o.fromFallback), name: f.name, firstName: f.firstName, lastName: f.lastName, nationalId: f.nationalId, nationalIdType: f.nationalIdType,
      email: f.email, phone: f.phone, projectId, projectText: f.projectText, message: f.message, rawFields: JSON.stringify(o.rawFields), searchName: f.name ? fold(f.name) : null,
      contactState: 'por_contactar', receivedAt, deadlineAt: followUpDue(receivedAt, rules.followUpDays), createdAt: now, updatedAt: now,
    }),
  );
  // A reply in a thread belongs to the client of the lead it answers (found by the thread's
  // Message-IDs, else by the emails the quoted text names) when nothing else matches.
  const t = o.thread;
  const earlier = t?.isReply ? yield* io(tx.threadLead(t.messageIds, t.quotedEmails.filter((e) => e !== f.email))) : null;
  const linked = yield* linkClient(tx, { leadId, outcome: o, receivedAt, projectId, rules, now, actor: rules.actor, threadClientId: earlier?.clientId ?? null });
  return { leadId, ...linked };
}

export interface LinkInput {
  leadId: number;
  outcome: Pick<LeadOutcome, 'fields' | 'createsClient' | 'createsFollowUp'>;
  receivedAt: number;
  projectId: number | null;
  rules: PersistRules;
  now: number;
  actor?: string;
  /** When the follow-up's days count from: the arrival at ingest, the moment of an upgrade later. */
  followUpFrom?: number;
  /** The client of the earlier lead a reply answers: taken when the lead's own data matches none. */
  threadClientId?: number | null;
}

/**
 * Links a lead to its client (creating one when the classification says so; a returning client's
 * data fills gaps), chooses the owner and opens the follow-up of a bueno lead. Shared by ingest
 * and by the edits and reprocessing that upgrade a lead.
 */
export function* linkClient(tx: StoreTx, l: LinkInput): Work<Omit<LeadRecordResult, 'leadId'>> {
  const fields = l.outcome.fields;
  const samePerson = fields.nationalId && fields.nationalIdType ? (l.rules.samePerson?.({ type: fields.nationalIdType, value: fields.nationalId }) ?? []) : [];
  const f = { ...fields, samePerson };
  const match = yield* matchClient(tx, f);
  let client = match.client;
  let created = false;
  if (!client && l.threadClientId) {
    const earlier = yield* io(tx.getClient(l.threadClientId));
    // Never a record that carries another person's national ID.
    if (earlier && !otherPersonsId(earlier.nationalId, f)) client = earlier;
  }
  // A lead that would have joined someone else's record by phone alone gets its own record instead.
  if (!client && (l.outcome.createsClient || match.conflict)) {
    const row = { nationalId: f.nationalId, nationalIdType: f.nationalIdType, email: f.email, phone: f.phone, name: f.name, firstName: f.firstName, lastName: f.lastName, createdAt: l.now };
    const id = yield* io(tx.insertClient(row));
    client = { id, ...row, ownerVendorId: null, ownerSince: null, lastActivityAt: null };
    created = true;
    // Same phone, different person: its own record, and a mark for a manager to merge or dismiss.
    if (match.conflict) yield* io(tx.markPossibleDuplicate({ clientId: id, otherClientId: match.conflict.id, leadId: l.leadId, reason: 'phone', at: l.now }));
  } else if (client) {
    const fill = fillGaps(client, f);
    if (Object.keys(fill).length) yield* io(tx.updateClient(client.id, fill));
  }
  if (!client) return { clientId: null, followUpAt: null, contactType: null };
  const owner = l.rules.assignOwner ? yield* l.rules.assignOwner(tx, { client, leadId: l.leadId, created, projectId: l.projectId, now: l.receivedAt }) : null;
  const contactType = owner?.contactType ?? (created ? 'nuevo' : 'retorno');
  let followUpAt: number | null = null;
  if (l.outcome.createsFollowUp) {
    followUpAt = followUpDue(l.followUpFrom ?? l.receivedAt, l.rules.followUpDays);
    yield* openFollowUp(tx, { clientId: client.id, leadId: l.leadId, projectId: l.projectId, dueAt: followUpAt, actor: l.actor ?? SYSTEM_ACTOR, now: l.now, newClient: created });
  }
  yield* io(tx.updateLead(l.leadId, { clientId: client.id, followUpAt, contactType, ownerVendorId: owner?.ownerVendorId ?? client.ownerVendorId, updatedAt: l.now }));
  return { clientId: client.id, followUpAt, contactType };
}

export type Reclassified = Pick<LeadOutcome, 'fields' | 'quality' | 'problems' | 'problemDetails' | 'createsClient' | 'createsFollowUp'> & { parser?: string | null; rawFields?: unknown };

/**
 * Re-classified data for an existing lead (reprocess, or an admin's edit): the lead row is
 * updated and, when the new verdict asks for them, the client and follow-up are created.
 */
export function* updateLeadOutcome(tx: StoreTx, leadId: number, o: Reclassified, rules: PersistRules, actor: string, now: number): Work<LeadRecordResult> {
  const lead = yield* io(tx.getLead(leadId));
  if (!lead) throw new Error(`lead ${leadId} not found`);
  const f = o.fields;
  const projectId = tx.projectId(f.project);
  yield* io(
    tx.updateLead(leadId, {
      quality: o.quality, problems: JSON.stringify(o.problems), problemDetails: JSON.stringify(o.problemDetails),
      name: f.name, firstName: f.firstName, lastName: f.lastName, nationalId: f.nationalId, nationalIdType: f.nationalIdType, email: f.email, phone: f.phone,
      projectId, projectText: f.projectText, message: f.message, searchName: f.name ? fold(f.name) : null,
      ...(o.parser !== undefined ? { parser: o.parser } : {}),
      ...(o.rawFields !== undefined ? { rawFields: JSON.stringify(o.rawFields) } : {}),
      updatedAt: now,
    }),
  );
  if (!lead.clientId) {
    const linked = yield* linkClient(tx, { leadId, outcome: o, receivedAt: lead.receivedAt, projectId, rules, now, actor, followUpFrom: now });
    // Linked only now: its owner learns of it now.
    if (linked.clientId !== null && rules.onLead) yield* rules.onLead(tx, { leadId, rawEmailId: lead.rawEmailId });
    return { leadId, ...linked };
  }
  // Already linked (complete data, only the project failed): keep its client, owner and contact
  // type; an upgrade to bueno opens the follow-up from now.
  let followUpAt = lead.followUpAt;
  if (o.createsFollowUp && !followUpAt) {
    followUpAt = followUpDue(now, rules.followUpDays);
    yield* openFollowUp(tx, { clientId: lead.clientId, leadId, projectId, dueAt: followUpAt, actor, now });
    yield* io(tx.updateLead(leadId, { followUpAt, updatedAt: now }));
  }
  return { leadId, clientId: lead.clientId, followUpAt, contactType: lead.contactType };
}
