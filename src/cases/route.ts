// The commit side of post-sale mail, in the email's unit of work: a reply in a case's thread joins
// that case; otherwise the email becomes a case when its mailbox is a service one, when its text
// says so (recognize.ts, in the worker), or when it comes from an existing client past promesa or
// escritura (a minuta or desembolso on record). A case is never also a lead: the lead path is
// skipped (no follow-up, no vendor notification). The client gets one acknowledgement with the
// case number and the promised response time, queued in the outbox under RFC 3834's rules.
import crypto from 'node:crypto';
import type { CaseRow } from '../db/case-port.ts';
import { io, type ClientRow, type StoreTx, type Work } from '../db/port.ts';
import type { Config } from '../config.ts';
import type { Country } from '../countries/index.ts';
import { matchClient } from '../leads/matching.ts';
import { caseAckRefusal } from '../outbox/ack-rules.ts';
import { langOf, type Lang } from '../outbox/templates.ts';
import type { LeadOutcome } from '../pipeline/index.ts';
import { caseAckEmail } from './ack.ts';
import { targetOf } from './config.ts';
import { caseDueTimes } from './due.ts';
import { dueAt, pauseMinutes } from './sla.ts';
import { calendarFor } from './targets.ts';

/** Funnel stages that mean the sale is done (promesa signed: minuta; escritura/entrega: desembolso). */
export const POST_SALE_STAGES = ['minuta', 'desembolso'] as const;

export interface CaseEvent {
  rawEmailId: number;
  outcome: LeadOutcome;
  receivedAt: number;
  now: number;
}

export interface CaseRecordResult {
  caseId: number;
  number: number;
  clientId: number | null;
  /** A reply that joined an existing case (false: a new case). */
  joined: boolean;
}

export interface CaseRouterDeps {
  config: () => Config;
  /** Queue the client's acknowledgement (off for replays without --notify, as lead notifications are). */
  notify: boolean;
}

/** `<caso17.ack.3f9a…@empresa.cl>`: fixed before sending, so the client's answer to it finds the case. */
export function caseMessageId(caseNumber: number, kind: string, fromAddress: string | null): string {
  const domain = /@([^>\s]+)>?$/.exec(fromAddress ?? '')?.[1] ?? 'centralizer.local';
  return `<caso${caseNumber}.${kind}.${crypto.randomBytes(9).toString('hex')}@${domain}>`;
}

/** Our address in a case's thread: the mailbox's own address, else the SMTP sender. */
export function caseReplyAddress(cfg: Config, mailbox: string | null): string | null {
  const m = mailbox ? cfg.mailboxes.find((x) => x.name === mailbox) : undefined;
  const own = m?.address ?? (m?.user.includes('@') ? m.user : undefined);
  return own ?? cfg.smtp?.from ?? null;
}

/** A colleague forwarding without the client's address: the company never acknowledges itself. */
function ownAddress(cfg: Config, email: string | null): string | null {
  const domain = (a: string | null | undefined) => (a ? (/@([^>\s]+)>?$/.exec(a)?.[1] ?? '').toLowerCase() : '');
  const own = new Set([...cfg.company.domains.map((d) => d.toLowerCase().replace(/^@/, '')), ...cfg.mailboxes.flatMap((m) => [domain(m.address), domain(m.user)]), domain(cfg.smtp?.from)].filter(Boolean));
  return own.has(domain(email)) ? "client address is the company's own" : null;
}

/** The persist hook (PersistRules.routeCase): the case this email opened or joined, or null for the lead path. */
export function caseRouter(d: CaseRouterDeps) {
  return function* routeCase(tx: StoreTx, ev: CaseEvent): Work<CaseRecordResult | null> {
    const cfg = d.config();
    const o = ev.outcome;
    const from = o.from?.address?.toLowerCase() ?? null;
    const thread = yield* replyTarget(tx, o, from);
    if (thread) return yield* joinCase(tx, cfg, thread, ev);

    // Read only when they can change the answer: most emails are a portal's leads in a sales mailbox.
    const mailboxOf = () => io(tx.rawMailbox(ev.rawEmailId));
    let mailbox = cfg.mailboxes.some((m) => m.purpose === 'servicio') ? yield* mailboxOf() : undefined;
    const purpose = (mailbox ? cfg.mailboxes.find((m) => m.name === mailbox)?.purpose : undefined) ?? 'ventas';
    const evidence = [...o.service.evidence];
    let isCase = o.service.verdict === 'case';
    if (purpose === 'servicio') {
      isCase = true;
      evidence.push(`buzón de servicio "${mailbox}": todo su correo es un caso`);
    }
    const f = o.fields;
    // An owner writing on their own (not through a portal's form) whose sale is done: a case,
    // unless what they write is a new purchase. A list of several people is nobody's own matter.
    const owner = !isCase && !o.parser && !o.others?.length && o.service.score >= -1 ? yield* matchClient(tx, f) : null;
    if (owner?.client) {
      const stages = (yield* io(tx.clientInteractionKinds(owner.client.id))).filter((k) => (POST_SALE_STAGES as readonly string[]).includes(k));
      if (stages.length) {
        isCase = true;
        evidence.push(`cliente existente con ${stages.join(' y ')} registrada (promesa/escritura hecha): es un caso`);
      }
    }
    if (!isCase) return null; // the lead path matches the client itself (linkClient)
    const match = owner ?? (yield* matchClient(tx, f));
    if (mailbox === undefined) mailbox = yield* mailboxOf();
    return yield* openCase(tx, cfg, d.notify, ev, match.client ?? (o.createsClient && !match.conflict ? yield* newClient(tx, o, ev.now) : null), mailbox, evidence);
  };
}

/** The case a reply answers: by our Message-IDs in In-Reply-To/References, or by "[Caso N]" from that case's client. */
function* replyTarget(tx: StoreTx, o: LeadOutcome, from: string | null): Work<CaseRow | null> {
  if (o.inReplyTo.length) {
    const c = yield* io(tx.caseByMessageIds(o.inReplyTo));
    if (c) return c;
  }
  if (o.service.caseNumber === null || !from) return null;
  const c = yield* io(tx.caseByNumber(o.service.caseNumber));
  if (!c) return null;
  if (c.contactEmail?.toLowerCase() === from) return c;
  const client = c.clientId !== null ? yield* io(tx.getClient(c.clientId)) : null;
  return client?.email?.toLowerCase() === from ? c : null;
}

function* newClient(tx: StoreTx, o: LeadOutcome, now: number): Work<ClientRow> {
  const f = o.fields;
  const row = { nationalId: f.nationalId, nationalIdType: f.nationalIdType, email: f.email, phone: f.phone, name: f.name, firstName: f.firstName, lastName: f.lastName, createdAt: now };
  const id = yield* io(tx.insertClient(row));
  return { id, ...row, ownerVendorId: null, ownerSince: null, lastActivityAt: null };
}

const messageRow = (caseId: number, ev: CaseEvent) => ({
  caseId, direction: 'in' as const, rawEmailId: ev.rawEmailId, messageId: ev.outcome.messageId, inReplyTo: ev.outcome.inReplyTo[0] ?? null,
  fromAddr: ev.outcome.from?.address ?? null, toAddr: null, subject: ev.outcome.subject.slice(0, 1000) || '-', text: ev.outcome.bodyText, at: ev.receivedAt, attachments: JSON.stringify(ev.outcome.attachments),
});

/**
 * The client's answer joins the thread and reopens a case waiting on them, resolved or closed (the
 * SLA pause closes): the client wrote again, someone must read it. A case moved to a lead stays closed.
 */
function* joinCase(tx: StoreTx, cfg: Config, c: CaseRow, ev: CaseEvent): Work<CaseRecordResult> {
  yield* io(tx.insertCaseMessage(messageRow(c.id, ev)));
  const patch: Partial<CaseRow> = { updatedAt: ev.now };
  if (c.status === 'en_espera' || c.status === 'resuelto' || (c.status === 'cerrado' && c.toLeadId === null)) {
    Object.assign(patch, { status: 'abierto', resolvedAt: null, closedAt: null });
    if (c.waitingSince !== null) {
      const cal = calendarFor(cfg.cases, c.country as Country, cfg.timezone);
      const paused = c.pausedMinutes + Math.round(pauseMinutes(cal, new Date(c.waitingSince), new Date(ev.now)));
      const target = targetOf(cfg.cases, c.category).resolutionHours * 60;
      Object.assign(patch, { waitingSince: null, pausedMinutes: paused, resolutionDueAt: dueAt(cal, { createdAt: new Date(c.createdAt), pausedMinutes: paused, waitingSince: null }, target)?.getTime() ?? c.resolutionDueAt });
    }
  }
  yield* io(tx.updateCase(c.id, patch));
  yield* io(tx.markRawCase(ev.rawEmailId, ev.outcome.parser, ev.now));
  return { caseId: c.id, number: c.number, clientId: c.clientId, joined: true };
}

function* openCase(tx: StoreTx, cfg: Config, notify: boolean, ev: CaseEvent, client: ClientRow | null, mailbox: string | null, evidence: string[]): Work<CaseRecordResult> {
  const o = ev.outcome;
  const f = o.fields;
  const category = o.service.category;
  const number = yield* io(tx.nextCounter('case_number'));
  const due = caseDueTimes(category, ev.receivedAt, o.country, cfg.cases, cfg.timezone);
  const contactEmail = f.email ?? client?.email ?? o.from?.address?.toLowerCase() ?? null;
  const projectId = tx.projectId(f.project);
  const caseId = yield* io(
    tx.insertCase({
      number, category, status: 'abierto', clientId: client?.id ?? null, projectId, projectText: projectId === null ? f.projectText : null, unit: o.service.unit,
      subject: o.subject.slice(0, 500) || '-', contactName: f.name ?? client?.name ?? null, contactEmail, contactPhone: f.phone ?? client?.phone ?? null,
      country: o.country, mailbox, rawEmailId: ev.rawEmailId, evidence: JSON.stringify(evidence), createdAt: ev.receivedAt, updatedAt: ev.now, ...due,
    }),
  );
  yield* io(tx.insertCaseMessage(messageRow(caseId, ev)));
  yield* io(tx.markRawCase(ev.rawEmailId, o.parser, ev.now));
  if (notify) {
    yield* acknowledgeCase(tx, cfg, {
      caseId, number, category, clientId: client?.id ?? null, projectId, contactEmail, name: f.name ?? client?.name ?? null, mailbox, due, evidence,
      rawEmailId: ev.rawEmailId, inReplyTo: o.messageId, subject: o.subject, lang: langOf(o.country) === 'pt' ? 'pt' : o.service.lang, now: ev.now,
    });
  }
  return { caseId, number, clientId: client?.id ?? null, joined: false };
}

export interface AckInput {
  caseId: number;
  number: number;
  category: CaseRow['category'];
  clientId: number | null;
  projectId: number | null;
  contactEmail: string | null;
  name: string | null;
  mailbox: string | null;
  due: { firstResponseDueAt: number };
  /** The case's evidence so far: a refusal is added to it. */
  evidence: string[];
  /** The client's email: its headers decide (RFC 3834), the acknowledgement threads under it. */
  rawEmailId: number;
  inReplyTo: string | null;
  subject: string;
  lang: Lang;
  now: number;
}

/**
 * One acknowledgement per case (its outbox key), threaded under the client's email and recorded
 * in the case; none to auto-replies, lists, bounces, no-reply or the company's own addresses (the
 * reason goes to the case's evidence).
 */
export function* acknowledgeCase(tx: StoreTx, cfg: Config, a: AckInput): Work<boolean> {
  if (!cfg.notifications.enabled) return false;
  const refusal = caseAckRefusal(yield* io(tx.rawHeaders(a.rawEmailId)), a.contactEmail) ?? ownAddress(cfg, a.contactEmail);
  if (refusal) {
    yield* io(tx.updateCase(a.caseId, { evidence: JSON.stringify([...a.evidence, `sin acuse de recibo: ${refusal}`]) }));
    return false;
  }
  const to = a.contactEmail!;
  const replyTo = caseReplyAddress(cfg, a.mailbox);
  const messageId = caseMessageId(a.number, 'ack', replyTo);
  const mail = caseAckEmail({ number: a.number, category: a.category, subject: a.subject, clientName: a.name, firstResponseHours: targetOf(cfg.cases, a.category).firstResponseHours, firstResponseDueAt: a.due.firstResponseDueAt }, a.lang, cfg.timezone);
  const headers: Record<string, string> = { 'Message-ID': messageId, 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' };
  if (a.inReplyTo) Object.assign(headers, { 'In-Reply-To': a.inReplyTo, References: a.inReplyTo });
  if (replyTo) headers['Reply-To'] = replyTo;
  const queued = yield* io(
    tx.enqueueNotification(
      { key: `case_ack:${a.caseId}`, kind: 'case_ack', caseId: a.caseId, leadId: null, clientId: a.clientId, projectId: a.projectId, vendorId: null, recipient: to, sender: null, subject: mail.subject, text: mail.text, html: mail.html, headers: JSON.stringify(headers), createdAt: a.now },
      a.now,
    ),
  );
  if (!queued) return false;
  yield* io(tx.insertCaseMessage({ caseId: a.caseId, direction: 'out', messageId, inReplyTo: a.inReplyTo, fromAddr: replyTo, toAddr: to, subject: mail.subject, text: mail.text, at: a.now, attachments: '[]' }));
  return true;
}
