// An admin moves a misfiled email: a lead that is really a post-sale matter becomes a case (the
// lead leaves the sales lists as descartado, its follow-up closed), and a case that is really a
// sales enquiry becomes a lead (the case closes, pointing at it). Each is one unit of work; the
// caller audits the person in the same unit.
import type { CaseCategory } from '../case-vocabulary.ts';
import type { Config } from '../config.ts';
import { io, type StoreTx, type Work } from '../db/port.ts';
import { followUpDue, openFollowUp } from '../leads/follow-ups.ts';
import { recordOutcome, type PersistRules } from '../leads/record.ts';
import type { PipelineOutcome } from '../pipeline/index.ts';
import { langOf } from '../outbox/templates.ts';
import { caseDueTimes } from './due.ts';
import { acknowledgeCase } from './route.ts';
import { unitIn } from '../pipeline/recognize-case.ts';

/** A refusal the API answers with its status and Spanish message. */
export class MoveError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'MoveError';
  }
}

export interface MovedToCase {
  leadId: number;
  caseId: number;
  number: number;
  category: CaseCategory;
}

export interface LeadToCaseInput {
  leadId: number;
  /** As the admin chose, else what the email's text says. */
  category: CaseCategory | undefined;
  comment: string;
  /** The lead's email read again in a worker (its subject, unit and language), when its bytes are kept. */
  outcome: PipelineOutcome | null;
  /** Queue the client's acknowledgement (the app sends notifications). */
  acknowledge: boolean;
}

/** A lead to a new case: its client, project, contact and email go with it; the client is told the case number. */
export function* leadToCase(tx: StoreTx, cfg: Config, m: LeadToCaseInput, actor: string, now: number): Work<MovedToCase> {
  const { leadId, comment } = m;
  const read = m.outcome?.kind === 'lead' ? m.outcome : null;
  const category = m.category ?? read?.service.category ?? 'consulta';
  const lead = yield* io(tx.getLead(leadId));
  if (!lead) throw new MoveError(404, `lead ${leadId} no encontrado`);
  const existing = yield* io(tx.caseOfRaw(lead.rawEmailId));
  if (existing) throw new MoveError(409, `el correo de este lead ya es el caso ${existing.number}`);
  if (lead.contactState === 'descartado') throw new MoveError(409, 'el lead está descartado: no se puede mover');
  const record = yield* io(tx.emailRecord(lead.rawEmailId));
  const mailbox = yield* io(tx.rawMailbox(lead.rawEmailId));
  const country = (mailbox ? cfg.mailboxes.find((m) => m.name === mailbox)?.country : undefined) ?? cfg.country;
  const number = yield* io(tx.nextCounter('case_number'));
  const subject = (read?.subject || lead.message?.split('\n')[0] || `Lead ${leadId}`).slice(0, 500);
  const evidence = [`movido desde el lead ${leadId} por ${actor}${comment ? `: ${comment}` : ''}`];
  const due = caseDueTimes(category, now, country, cfg.cases, cfg.timezone);
  const caseId = yield* io(
    tx.insertCase({
      number, category, status: 'abierto', clientId: lead.clientId, projectId: lead.projectId, projectText: lead.projectId === null ? lead.projectText : null, unit: read?.service.unit ?? unitIn(lead.message ?? ''),
      subject, contactName: lead.name, contactEmail: lead.email, contactPhone: lead.phone, country, mailbox, rawEmailId: lead.rawEmailId,
      evidence: JSON.stringify(evidence), fromLeadId: leadId, createdAt: now, updatedAt: now, ...due,
    }),
  );
  yield* io(tx.insertCaseMessage({ caseId, direction: 'in', rawEmailId: lead.rawEmailId, messageId: record?.raw.messageId ?? null, subject, text: read?.bodyText ?? lead.message ?? '', at: lead.receivedAt, attachments: JSON.stringify(read?.attachments ?? []) }));
  if (m.acknowledge) {
    yield* acknowledgeCase(tx, cfg, {
      caseId, number, category, clientId: lead.clientId, projectId: lead.projectId, contactEmail: lead.email, name: lead.name, mailbox, due, evidence,
      rawEmailId: lead.rawEmailId, inReplyTo: record?.raw.messageId ?? null, subject, lang: read?.service.lang ?? langOf(country), now,
    });
  }
  yield* io(tx.closeFollowUps({ leadId }, 'aborted'));
  yield* io(tx.updateLead(leadId, { contactState: 'descartado', followUpAt: null, updatedAt: now }));
  yield* io(tx.recordAction({ leadId, clientId: lead.clientId, actor, action: 'to_case', data: { caseId, number, comment }, at: now }));
  yield* io(tx.setRawStatus(lead.rawEmailId, 'case', now));
  return { leadId, caseId, number, category };
}

export interface MovedToLead {
  caseId: number;
  number: number;
  leadId: number;
}

/**
 * A case to a lead. A case that came from a lead gives it back (por_contactar again, its
 * follow-up reopened when it is bueno); otherwise its email's outcome (`outcome`, read again in a
 * worker by the caller) is recorded as a lead under the sales rules, with its notifications.
 */
export function* caseToLead(tx: StoreTx, caseId: number, outcome: PipelineOutcome | null, rules: PersistRules, actor: string, now: number): Work<MovedToLead> {
  const c = yield* io(tx.getCase(caseId));
  if (!c) throw new MoveError(404, `caso ${caseId} no encontrado`);
  if (c.toLeadId !== null) throw new MoveError(409, `el caso ${c.number} ya se movió al lead ${c.toLeadId}`);
  let leadId: number;
  if (c.fromLeadId !== null) {
    leadId = c.fromLeadId;
    const lead = yield* io(tx.getLead(leadId));
    if (!lead) throw new MoveError(404, `lead ${leadId} no encontrado`);
    let followUpAt: number | null = null;
    if (lead.quality === 'bueno' && lead.clientId !== null) {
      followUpAt = followUpDue(now, rules.followUpDays);
      yield* openFollowUp(tx, { clientId: lead.clientId, leadId, projectId: lead.projectId, dueAt: followUpAt, actor, now });
    }
    yield* io(tx.updateLead(leadId, { contactState: 'por_contactar', followUpAt, deadlineAt: followUpDue(now, rules.followUpDays), updatedAt: now }));
    yield* io(tx.setRawStatus(lead.rawEmailId, 'lead', now));
  } else {
    if (c.rawEmailId === null) throw new MoveError(409, `el caso ${c.number} no vino de un correo: no hay lead que crear`);
    if (!outcome || outcome.kind !== 'lead') throw new MoveError(409, `el correo del caso ${c.number} no se lee como un lead`);
    // Read again as a lead: the case path is off for this one email.
    yield* io(tx.setRawStatus(c.rawEmailId, 'pending', now));
    const r = yield* recordOutcome(tx, c.rawEmailId, outcome, c.createdAt, { ...rules, routeCase: undefined }, now);
    if (r.leadId === null) throw new MoveError(409, `el correo del caso ${c.number} no se lee como un lead`);
    leadId = r.leadId;
  }
  yield* io(tx.updateCase(caseId, { status: 'cerrado', closedAt: now, resolvedAt: c.resolvedAt ?? now, waitingSince: null, toLeadId: leadId, updatedAt: now }));
  yield* io(tx.recordAction({ leadId, clientId: c.clientId, actor, action: 'from_case', data: { caseId, number: c.number }, at: now }));
  return { caseId, number: c.number, leadId };
}
