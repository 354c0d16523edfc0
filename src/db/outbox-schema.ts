import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const NOTIFICATION_KINDS = ['assignment', 'manager', 'ack', 'digest', 'case_ack', 'case_reply', 'case_escalation', 'case_survey'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/**
 * Outbox of notification emails (vendor assignment, manager alerts, client acknowledgements,
 * digests): written in the lead's transaction, rendered there, sent and retried by the sender.
 * `key` makes an enqueue idempotent; the Message-ID is derived from the row so a resend after a
 * crash carries the same one (receivers and the test can spot the duplicate).
 */
export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull(),
    kind: text('kind', { enum: NOTIFICATION_KINDS }).notNull(),
    leadId: integer('lead_id'),
    /** A post-sale case's email (acknowledgement, reply, escalation, survey). */
    caseId: integer('case_id'),
    clientId: integer('client_id'),
    projectId: integer('project_id'),
    vendorId: text('vendor_id'),
    recipient: text('recipient').notNull(),
    sender: text('sender'),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    /** Extra headers as JSON (Auto-Submitted, In-Reply-To for acknowledgements). */
    headers: text('headers'),
    status: text('status', { enum: NOTIFICATION_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [
    uniqueIndex('notifications_key').on(t.key),
    index('notifications_due').on(t.status, t.nextAttemptAt),
    index('notifications_ack').on(t.kind, t.clientId, t.projectId, t.createdAt),
  ],
);

export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotification = Omit<typeof notifications.$inferInsert, 'id' | 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'sentAt'>;
