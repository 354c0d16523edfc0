import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { CASE_CATEGORIES, CASE_DIRECTIONS, CASE_STATUSES, CASE_VISIT_KINDS } from '../case-vocabulary.ts';
import { users } from './auth-schema.ts';
import { clients, leads, projects, rawEmails } from './schema.ts';

/**
 * A post-sale case (customer-service-dept-es.txt): an owner's query, complaint or suggestion, with
 * its thread of messages, its person responsible and its SLA clock. Times are epoch milliseconds.
 */
export const cases = sqliteTable(
  'cases',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Human readable, in subjects as "[Caso 17]": 1, 2, 3… per company. */
    number: integer('number').notNull(),
    category: text('category', { enum: CASE_CATEGORIES }).notNull(),
    status: text('status', { enum: CASE_STATUSES }).notNull(),
    clientId: integer('client_id').references(() => clients.id),
    projectId: integer('project_id').references(() => projects.id),
    /** The project as written when it matched none. */
    projectText: text('project_text'),
    /** "depto 1502", "casa 12", "bodega 3". */
    unit: text('unit'),
    subject: text('subject').notNull(),
    /** Who answers it: a user (atencion, atencion_supervisor, admin). */
    responsibleUserId: integer('responsible_user_id').references(() => users.id),
    /** The client's contact as written in the email (the case answers there even without a client record). */
    contactName: text('contact_name'),
    contactEmail: text('contact_email'),
    contactPhone: text('contact_phone'),
    country: text('country').notNull(),
    /** The mailbox it arrived in (replies go out from the company's address). */
    mailbox: text('mailbox'),
    /** The email that opened it; null for a case opened by hand or moved from a lead without one. */
    rawEmailId: integer('raw_email_id').references(() => rawEmails.id),
    /** Why it is a case and not a lead (the recognition's evidence), JSON. */
    evidence: text('evidence').notNull().default('[]'),
    /** Set when an admin moved a misfiled lead here. */
    fromLeadId: integer('from_lead_id').references(() => leads.id),
    /** Set when an admin moved this case back to a lead (the case is then cerrado). */
    toLeadId: integer('to_lead_id').references(() => leads.id),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    firstResponseAt: integer('first_response_at'),
    resolvedAt: integer('resolved_at'),
    closedAt: integer('closed_at'),
    /** Since when it waits on the client (en_espera): the SLA clock is paused. */
    waitingSince: integer('waiting_since'),
    /** Business minutes already spent waiting on the client (closed pauses; src/cases/sla.ts CaseClock). */
    pausedMinutes: integer('paused_minutes').notNull().default(0),
    firstResponseDueAt: integer('first_response_due_at'),
    resolutionDueAt: integer('resolution_due_at'),
    escalatedAt: integer('escalated_at'),
    satisfactionScore: integer('satisfaction_score'),
    satisfactionAt: integer('satisfaction_at'),
  },
  (t) => [
    uniqueIndex('cases_number').on(t.number),
    uniqueIndex('cases_raw_email').on(t.rawEmailId),
    index('cases_status').on(t.status, t.createdAt),
    index('cases_client').on(t.clientId),
    index('cases_project').on(t.projectId),
    index('cases_responsible').on(t.responsibleUserId, t.status),
  ],
);

/** The thread: every email in (the client's) and out (ours), in order. */
export const caseMessages = sqliteTable(
  'case_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    direction: text('direction', { enum: CASE_DIRECTIONS }).notNull(),
    /** The stored email of an incoming message (its bytes and attachments are there). */
    rawEmailId: integer('raw_email_id').references(() => rawEmails.id),
    /** An outgoing message's outbox row. */
    notificationId: integer('notification_id'),
    /** `<…>`: replies find the case by it (In-Reply-To / References). */
    messageId: text('message_id'),
    inReplyTo: text('in_reply_to'),
    fromAddr: text('from_addr'),
    toAddr: text('to_addr'),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    at: integer('at').notNull(),
    /** The person who wrote an outgoing reply; null for the client's mail and automatic messages. */
    authorUserId: integer('author_user_id').references(() => users.id),
    /** JSON [{filename, contentType, size}]: the files themselves stay in the raw email. */
    attachments: text('attachments').notNull().default('[]'),
  },
  (t) => [index('case_messages_case').on(t.caseId, t.at), index('case_messages_message_id').on(t.messageId), uniqueIndex('case_messages_raw_email').on(t.rawEmailId)],
);

/** Technical visits and the return visit after the repair ("visita de regreso de servicio"). */
export const caseVisits = sqliteTable(
  'case_visits',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    kind: text('kind', { enum: CASE_VISIT_KINDS }).notNull(),
    scheduledAt: integer('scheduled_at').notNull(),
    doneAt: integer('done_at'),
    /** Who visits (a technician's or contractor's name). */
    who: text('who').notNull(),
    outcome: text('outcome'),
    /** The person who recorded it (email, or token:admin). */
    recordedBy: text('recorded_by').notNull(),
    recordedByUserId: integer('recorded_by_user_id').references(() => users.id),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('case_visits_case').on(t.caseId, t.scheduledAt)],
);

export type CaseRow = typeof cases.$inferSelect;
export type NewCase = Omit<typeof cases.$inferInsert, 'id'>;
export type CaseMessageRow = typeof caseMessages.$inferSelect;
export type NewCaseMessage = Omit<typeof caseMessages.$inferInsert, 'id'>;
export type CaseVisitRow = typeof caseVisits.$inferSelect;
export type NewCaseVisit = Omit<typeof caseVisits.$inferInsert, 'id'>;
