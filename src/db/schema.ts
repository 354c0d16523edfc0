import { sqliteTable, integer, text, blob, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';
import {
  CONTACT_STATES, CONTACT_TYPES, EMAIL_SOURCES, EMAIL_STATUSES, FOLLOW_UP_ACTIONS, FOLLOW_UP_STATUSES, MEDIUMS, QUALITIES, WEBHOOK_STATUSES,
} from '../vocabulary.ts';

// Foreign keys (migration 0004): nothing in the app deletes leads, clients, projects, vendors or raw
// emails (vendors retire, raw bodies are purged in place), so references default to NO ACTION and a
// stray delete fails instead of orphaning rows; only dependent rows cascade (project_vendors, follow_ups).

/** Every message received, stored before anything else; the pipeline's durable queue. */
export const rawEmails = sqliteTable(
  'raw_emails',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    source: text('source', { enum: EMAIL_SOURCES }).notNull(),
    mailbox: text('mailbox'),
    uidValidity: integer('uid_validity'),
    uid: integer('uid'),
    file: text('file'),
    messageId: text('message_id'),
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    headers: text('headers'),
    receivedAt: integer('received_at').notNull(),
    storedAt: integer('stored_at').notNull(),
    status: text('status', { enum: EMAIL_STATUSES }).notNull(),
    ignoredReason: text('ignored_reason'),
    error: text('error'),
    parser: text('parser'),
    processedAt: integer('processed_at'),
    purgedAt: integer('purged_at'),
  },
  (t) => [
    uniqueIndex('raw_emails_imap_uid').on(t.mailbox, t.uidValidity, t.uid),
    index('raw_emails_message_id').on(t.messageId),
    index('raw_emails_sha256').on(t.sha256),
    index('raw_emails_status').on(t.status),
    index('raw_emails_received').on(t.receivedAt),
  ],
);

/**
 * The raw bytes of a stored message, in pieces of at most RAW_CHUNK_BYTES (seq 0, 1, …), in their own
 * table: SQLite copies a row whole whenever it writes it, so a 24 MB body in raw_emails cost two
 * 24 MB copies on insert and again on every status update. None for a message too large (stored
 * by reference) or purged after retention.
 */
export const rawBodies = sqliteTable(
  'raw_bodies',
  {
    rawEmailId: integer('raw_email_id').notNull().references(() => rawEmails.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    chunk: blob('chunk', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.rawEmailId, t.seq] })],
);

/** A raw body is written in pieces of this size at most. */
export const RAW_CHUNK_BYTES = 1024 * 1024;

export const projects = sqliteTable('projects', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  aliases: text('aliases').notNull().default('[]'),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
});

export const vendors = sqliteTable('vendors', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email'),
  type: text('type').notNull(),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  webhook: text('webhook'),
  /** Set by `vendors retire`: the vendor left; config cannot make it active again. */
  retiredAt: integer('retired_at'),
});

export const projectVendors = sqliteTable(
  'project_vendors',
  {
    projectId: integer('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    vendorId: text('vendor_id').notNull().references(() => vendors.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
  },
  (t) => [uniqueIndex('project_vendors_pk').on(t.projectId, t.vendorId)],
);

/** The client record (ficha): one per person, matched by national ID, then email, then phone. */
export const clients = sqliteTable(
  'clients',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    nationalId: text('national_id'),
    nationalIdType: text('national_id_type'),
    email: text('email'),
    phone: text('phone'),
    name: text('name'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    ownerVendorId: text('owner_vendor_id').references(() => vendors.id),
    /** When the current owner got the client: the 30-day clock starts here or at the last activity. */
    ownerSince: integer('owner_since'),
    createdAt: integer('created_at').notNull(),
    lastActivityAt: integer('last_activity_at'),
  },
  (t) => [
    uniqueIndex('clients_national_id').on(t.nationalId),
    index('clients_email').on(t.email),
    index('clients_phone').on(t.phone),
    index('clients_owner').on(t.ownerVendorId),
  ],
);

export const leads = sqliteTable(
  'leads',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    rawEmailId: integer('raw_email_id').notNull().references(() => rawEmails.id),
    /** The person's position in its email: 0, or 1, 2… for the others in a digest of several. */
    partIndex: integer('part_index').notNull().default(0),
    parser: text('parser'),
    medium: text('medium', { enum: MEDIUMS }).notNull(),
    quality: text('quality', { enum: QUALITIES }).notNull(),
    problems: text('problems').notNull().default('[]'),
    problemDetails: text('problem_details').notNull().default('{}'),
    fromFallback: text('from_fallback').notNull().default('[]'),
    name: text('name'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    nationalId: text('national_id'),
    nationalIdType: text('national_id_type'),
    email: text('email'),
    phone: text('phone'),
    projectId: integer('project_id').references(() => projects.id),
    projectText: text('project_text'),
    message: text('message'),
    rawFields: text('raw_fields').notNull().default('{}'),
    /** Folded name, for search. */
    searchName: text('search_name'),
    clientId: integer('client_id').references(() => clients.id),
    ownerVendorId: text('owner_vendor_id').references(() => vendors.id),
    contactType: text('contact_type', { enum: CONTACT_TYPES }),
    contactState: text('contact_state', { enum: CONTACT_STATES }).notNull(),
    receivedAt: integer('received_at').notNull(),
    /** Contact deadline: a lead still por_contactar after it is no_contactado. */
    deadlineAt: integer('deadline_at').notNull(),
    followUpAt: integer('follow_up_at'),
    lastContactAt: integer('last_contact_at'),
    /** The lead's first registered contact (its first follow_up action), kept by a trigger: speed to first contact. */
    firstContactAt: integer('first_contact_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('leads_raw_part').on(t.rawEmailId, t.partIndex),
    index('leads_received').on(t.receivedAt),
    index('leads_quality_received').on(t.quality, t.receivedAt),
    index('leads_state_received').on(t.contactState, t.receivedAt),
    index('leads_project_received').on(t.projectId, t.receivedAt),
    index('leads_parser_received').on(t.parser, t.receivedAt),
    index('leads_client').on(t.clientId),
    index('leads_owner').on(t.ownerVendorId, t.contactState),
    index('leads_national_id').on(t.nationalId),
    index('leads_email').on(t.email),
    index('leads_phone').on(t.phone),
    index('leads_search_name').on(t.searchName),
    // Covering indexes for stats over a date range (with or without a project): no table lookups.
    index('leads_stats_received').on(t.receivedAt, t.quality, t.contactState, t.medium, t.parser, t.projectId, t.deadlineAt),
    index('leads_stats_project').on(t.projectId, t.receivedAt, t.quality, t.contactState, t.medium, t.parser, t.deadlineAt),
    index('leads_state_deadline').on(t.contactState, t.deadlineAt),
    // Covering index of speed to first contact over a period, per vendor, within a scope.
    index('leads_first_contact').on(t.receivedAt, t.ownerVendorId, t.contactState, t.projectId, t.firstContactAt),
  ],
);

export const followUps = sqliteTable(
  'follow_ups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clientId: integer('client_id').notNull().references(() => clients.id, { onDelete: 'cascade' }),
    leadId: integer('lead_id').references(() => leads.id, { onDelete: 'set null' }),
    projectId: integer('project_id').references(() => projects.id),
    action: text('action', { enum: FOLLOW_UP_ACTIONS }).notNull(),
    status: text('status', { enum: FOLLOW_UP_STATUSES }).notNull(),
    expectation: text('expectation'),
    contactType: text('contact_type'),
    dueAt: integer('due_at').notNull(),
    comment: text('comment'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('follow_ups_client_project').on(t.clientId, t.projectId, t.status), index('follow_ups_lead').on(t.leadId)],
);

/** Who did what to a lead or client, and when: edits, contacts, aborts, discards, reassignments. */
export const actions = sqliteTable(
  'actions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    leadId: integer('lead_id').references(() => leads.id),
    clientId: integer('client_id').references(() => clients.id),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    data: text('data').notNull().default('{}'),
    at: integer('at').notNull(),
  },
  (t) => [index('actions_lead').on(t.leadId), index('actions_client').on(t.clientId, t.at)],
);

/** Per-mailbox IMAP cursor, advanced in the transaction that stores the messages. */
export const mailboxCursors = sqliteTable('mailbox_cursors', {
  mailbox: text('mailbox').primaryKey(),
  uidValidity: integer('uid_validity').notNull(),
  lastUid: integer('last_uid').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * Leases (one daemon per database, one per mailbox); a row with an owner and an expiry. `epoch`
 * grows each time the lease changes hands: a write fenced by it (the mailbox cursor) fails once a
 * paused holder has lost the lease, even if it wakes up believing it still holds it.
 */
export const leases = sqliteTable('leases', {
  name: text('name').primaryKey(),
  owner: text('owner').notNull(),
  expiresAt: integer('expires_at').notNull(),
  epoch: integer('epoch').notNull().default(0),
});

/** Small persistent counters (round-robin positions). */
export const counters = sqliteTable('counters', {
  name: text('name').primaryKey(),
  value: integer('value').notNull(),
});

/** Outbox of webhook notifications: written in the lead's transaction, sent and retried after. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    url: text('url').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: WEBHOOK_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('webhook_deliveries_due').on(t.status, t.nextAttemptAt)],
);

/**
 * Lead counts per (project, parser, medium, quality, contact state), kept by triggers on `leads`
 * (see the migration), so unfiltered stats read a few hundred rows instead of a million.
 * Absent values are stored as -1 / '' so the key is a plain primary key.
 */
export const leadCounts = sqliteTable(
  'lead_counts',
  {
    projectId: integer('project_id').notNull(),
    parser: text('parser').notNull(),
    medium: text('medium').notNull(),
    quality: text('quality').notNull(),
    contactState: text('contact_state').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.parser, t.medium, t.quality, t.contactState] })],
);

