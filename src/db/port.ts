import type { clients, followUps, leads, vendors, webhookDeliveries } from './schema.ts';
import type { NewNotification, NotificationKind, } from './outbox-schema.ts';
import type { Scope } from './scope.ts';
import type { EmailSource, FollowUpStatus } from '../vocabulary.ts';
import type { DuplicateWrites, FunnelWrites, MailboxTokenWrites, OutboxWrites, PeopleWrites } from './port-areas.ts';

export type { DuplicateWrites, FunnelWrites, MailboxTokenWrites, OutboxWrites, PeopleWrites } from './port-areas.ts';
import type { StoredMailboxToken } from './mailbox-tokens.ts';
import type { CaseReads, CaseWrites } from './case-port.ts';

/**
 * The storage port: everything the program stores and reads, as one typed interface. The SQLite
 * adapter (store.ts) fills it today; a PostgreSQL adapter (drizzle's pg driver) can fill it later
 * without touching callers.
 *
 * Units of work are generator functions over a `StoreTx`: each port call inside one is written
 * `yield* io(tx.call())`, the way `await` would be written. The reason: better-sqlite3 runs a
 * transaction synchronously (nothing else may touch the connection between BEGIN and COMMIT), so
 * the SQLite adapter drives the generator to its end inside one synchronous BEGIN IMMEDIATE …
 * COMMIT, with no event-loop turn in between; a PostgreSQL adapter drives the same generator
 * asynchronously, awaiting each yielded promise inside its transaction. The domain rules
 * (src/leads) are written once for both, and the hot ingest path pays no promise per statement.
 */

import type { Awaitable, Work } from './work.ts';
import type { ClientEvent, LeadTouch } from './funnel-reads.ts';
import type { StoreHealth } from './health.ts';
export { type Awaitable, io, runAsync, runSync, type Work } from './work.ts';

export type LeadRow = typeof leads.$inferSelect;
export type NewLead = typeof leads.$inferInsert;
export type LeadPatch = Partial<Omit<NewLead, 'id' | 'rawEmailId'>>;
export type ClientRow = typeof clients.$inferSelect;
export type NewClient = typeof clients.$inferInsert;
export type ClientPatch = Partial<Omit<NewClient, 'id'>>;
export type VendorRow = typeof vendors.$inferSelect;
export type NewFollowUp = typeof followUps.$inferInsert;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;

export interface RawEmailInput {
  source: EmailSource;
  mailbox?: string | null;
  uidValidity?: number | null;
  uid?: number | null;
  file?: string | null;
  messageId: string | null;
  sha256: string;
  size: number;
  /** Null when the message is stored by reference only (too large). */
  raw: Buffer | null;
  headers?: string | null;
  receivedAt: number;
  status?: 'pending' | 'too_large';
  error?: string | null;
}

export interface ExistingEmail {
  rawEmailId: number;
  leadId: number | null;
  clientId: number | null;
  followUpAt: number | null;
  status: string;
}

export interface StoredRaw {
  id: number;
  raw: Buffer | null;
  size: number;
  receivedAt: number;
  messageId: string | null;
  status: string;
}

/** A raw email and what became of it: the lead's columns when it made one. */
export interface RawOutcome {
  status: string;
  leadId: number | null;
  clientId: number | null;
  followUpAt: number | null;
  contactType: string | null;
}

export interface EmailRecord {
  raw: { messageId: string | null; status: string; parser: string | null; ignoredReason: string | null; error: string | null };
  lead: LeadRow | null;
  project: string | null;
}

export interface ActionInput {
  leadId?: number | null;
  clientId?: number | null;
  actor: string;
  action: string;
  data?: unknown;
  at: number;
}

export interface ActionRow {
  id: number;
  at: number;
  action: string;
  actor: string;
  data: string;
}

export interface PendingLeadRow {
  id: number;
  clientId: number | null;
  name: string | null;
  phone: string | null;
  email: string | null;
  projectId: number | null;
  contactType: string | null;
  receivedAt: number;
  deadlineAt: number;
}

export interface VendorInput {
  id: string;
  name: string;
  email?: string | null;
  type: string;
  active: boolean;
  webhook?: string | null;
}

/** A lease held at an epoch: writes fenced by it commit only while the holder still has it. */
export interface LeaseFence {
  name: string;
  owner: string;
  epoch: number;
}

/** Which fields a client is matched by, in the matching order. */
export type ClientKey = 'nationalId' | 'email' | 'phone';

/** One clientBy question. */
export interface ClientLookup {
  key: ClientKey;
  value: string;
  nationalId: string | null;
  samePerson?: readonly string[];
}

/** What can be read outside a unit of work (each call sees committed data). */
export interface StoreReads extends CaseReads {
  findExisting(messageId: string | null, sha256: string): Awaitable<ExistingEmail | null>;
  /** For each key, whether an email is stored under it (as findExisting finds one): one query for a batch. */
  storedAlready(keys: readonly Pick<RawEmailInput, 'messageId' | 'sha256'>[]): Awaitable<boolean[]>;
  getRaw(id: number): Awaitable<StoredRaw | null>;
  /** Which of these UIDs of (mailbox, UIDVALIDITY) a stored email already holds: one query for a batch. */
  imapUidsTaken(mailbox: string, uidValidity: number, uids: readonly number[]): Awaitable<Set<number>>;
  getCursor(mailbox: string): Awaitable<{ uidValidity: number; lastUid: number } | null>;
  /** Raw emails waiting for the pipeline, oldest first. */
  pendingRawIds(limit?: number, storedBefore?: number): Awaitable<number[]>;
  rawIdsByStatus(statuses: string[], since: number | null): Awaitable<number[]>;
  rawOutcome(rawEmailId: number): Awaitable<RawOutcome | null>;
  /**
   * `rawOutcome` of many, by id (an id with no stored email is absent): a commit of a batch asks
   * once. In a PostgreSQL transaction the rows are locked in id order, as `rawOutcome` locks one.
   */
  rawOutcomes(rawEmailIds: readonly number[]): Awaitable<Map<number, RawOutcome>>;
  emailRecord(rawEmailId: number): Awaitable<EmailRecord | null>;
  leadIdForRaw(rawEmailId: number): Awaitable<number | null>;
  /** Every lead of a raw email with its position (a digest has several), by position. */
  leadsOfRaw(rawEmailId: number): Awaitable<{ id: number; partIndex: number }[]>;
  /** Lead ids above `afterId`, newest first, at most `limit` (another daemon's new leads, for the live stream). */
  newestLeadIds(afterId: number, limit: number): Awaitable<number[]>;
  /**
   * The earlier lead a reply answers: the newest lead whose raw email has one of these Message-IDs,
   * else the newest lead with one of these emails (named in the quoted text); null when none.
   */
  threadLead(messageIds: string[], emails: string[]): Awaitable<{ id: number; clientId: number | null } | null>;

  /** The id of a configured project by its name (kept in memory after `syncProjects`). */
  projectId(name: string | null): number | null;
  projectName(id: number): Awaitable<string | null>;

  getLead(id: number): Awaitable<LeadRow | null>;
  /** Did a person (not the program) act on this lead? */
  leadWasActedOn(leadId: number): Awaitable<boolean>;
  /** A vendor's leads with no registered contact yet, oldest first. */
  pendingLeads(vendorId: string): Awaitable<PendingLeadRow[]>;

  getClient(id: number): Awaitable<ClientRow | null>;
  /**
   * The first client with `value` whose record carries no national ID, `nationalId` or one of
   * `samePerson` (the same person's other IDs, by the country's rule).
   */
  clientBy(key: ClientKey, value: string, nationalId: string | null, samePerson?: readonly string[]): Awaitable<ClientRow | null>;
  /** clientBy for each lookup, in one query: what matching asks for one lead. */
  clientsBy(lookups: readonly ClientLookup[]): Awaitable<(ClientRow | null)[]>;
  clientIdsOwnedBy(vendorId: string): Awaitable<number[]>;

  openFollowUp(clientId: number, projectId: number | null): Awaitable<{ id: number; dueAt: number } | null>;
  /** A client's leads of a project still waiting for a first contact, of one owner (one person, one call, one vendor's). */
  waitingLeadIds(clientId: number, projectId: number | null, ownerVendorId: string | null): Awaitable<number[]>;
  /** Every lead of a client, oldest first (the ficha's edit re-classifies them). */
  clientLeadIds(clientId: number): Awaitable<number[]>;

  actionsOf(clientId: number, actions: readonly string[]): Awaitable<ActionRow[]>;

  getVendor(id: string): Awaitable<VendorRow | null>;
  /** Active, not retired vendors: of a project in its configured order, or of a type, or all, by id. */
  activeVendors(filter: { projectId: number } | { type: string } | Record<string, never>): Awaitable<VendorRow[]>;

  dueWebhooks(now: number, limit: number): Awaitable<WebhookDelivery[]>;
  webhookCounts(): Awaitable<{ status: string; n: number; lastError: string | null }[]>;

  getLease(name: string): Awaitable<{ owner: string; expiresAt: number } | null>;
  /** Leases whose name starts with `prefix` (the mailbox leases), with their holders. */
  leasesLike(prefix: string): Awaitable<{ name: string; owner: string; expiresAt: number; epoch: number }[]>;

  /** The interaction stored under this idempotency key (an external id is the company's: one row per kind and id). */
  interactionByKey(key: string): Awaitable<{ id: number; clientId: number; ownerVendorId: string | null } | null>;
  /** A vendor by id, email or name (case-insensitive), as an ERP file writes the responsable. */
  vendorIdFor(text: string): Awaitable<string | null>;
  /** The projects a vendor sells (project_vendors). */
  vendorProjectIds(vendorId: string): Awaitable<number[]>;
  /** A client's leads and interactions, for the funnel's attribution and counting rules. */
  clientHistory(clientId: number): Awaitable<{ leads: LeadTouch[]; events: ClientEvent[] }>;
  /** A client is visible when one of its leads is, or (vendor scopes) when one of the caller's vendors owns it. */
  clientVisible(clientId: number, scope: Scope): Awaitable<boolean>;
  /** The client wholly in `scope` (every lead, and for vendor scopes its owner); the interaction under `key` in `scope`. */
  clientWithin(clientId: number, scope: Scope): Awaitable<boolean>;
  interactionInScope(key: string, scope: Scope): Awaitable<boolean>;

  /** A refresh-token mailbox's stored (encrypted) token, and all of them. */
  mailboxToken(mailbox: string): Awaitable<StoredMailboxToken | null>;
  mailboxTokens(): Awaitable<StoredMailboxToken[]>;

  /** The stored header block of a raw email (acknowledgements skip auto-replies and lists). */
  rawHeaders(rawEmailId: number): Awaitable<string | null>;
  /** When the last notification of this kind for the client and project was queued. */
  lastNotificationAt(kind: NotificationKind, clientId: number, projectId: number | null): Awaitable<number | null>;
}

/** Writes: only inside a unit of work. */
export interface StoreWrites extends PeopleWrites, DuplicateWrites, OutboxWrites, MailboxTokenWrites, FunnelWrites, CaseWrites {
  insertRaw(input: RawEmailInput, now: number): Awaitable<number>;
  /** Holds the messages' keys to the unit's end: two writers storing one message at once store it once (SQLite serializes them anyway). */
  lockRawKeys(keys: readonly Pick<RawEmailInput, 'messageId' | 'sha256'>[]): Awaitable<void>;
  /** Several rows and their bodies, their ids in the order given: a few statements for a batch, not a few per email. */
  insertRaws(inputs: readonly RawEmailInput[], now: number): Awaitable<number[]>;
  setCursor(mailbox: string, uidValidity: number, lastUid: number, now: number): Awaitable<void>;
  setRawOutcome(rawEmailId: number, status: 'lead' | 'ignored', ignoredReason: string | null, parser: string | null, now: number): Awaitable<void>;
  setRawFailure(rawEmailId: number, status: 'error' | 'too_large' | 'timeout', error: string, now: number): Awaitable<void>;
  /** Drops raw bodies received before `before`; returns how many. */
  purgeRawBefore(before: number, now: number): Awaitable<number>;

  syncProjects(list: { name: string; aliases: string[] }[]): Awaitable<void>;
  syncVendors(list: { name: string; vendors: VendorInput[] }[]): Awaitable<void>;

  insertLead(row: NewLead): Awaitable<number>;
  updateLead(id: number, patch: LeadPatch): Awaitable<void>;
  /** Moves a client's leads still waiting for contact (only those of `fromVendor` when given). */
  moveWaitingLeads(clientId: number, toVendor: string, now: number, fromVendor?: string): Awaitable<void>;

  insertClient(row: NewClient): Awaitable<number>;
  updateClient(id: number, patch: ClientPatch): Awaitable<void>;
  /** Moves the client's last activity forward to `at` (never back). */
  touchClient(clientId: number, at: number): Awaitable<void>;

  insertFollowUp(row: NewFollowUp): Awaitable<void>;
  moveFollowUp(id: number, dueAt: number, leadId: number): Awaitable<void>;
  /** Closes open follow-ups: a client's for a project on one owner's leads (another vendor's are theirs), or a lead's. */
  closeFollowUps(which: { clientId: number; projectId: number | null; ownerVendorId: string | null } | { leadId: number }, status: Exclude<FollowUpStatus, 'open'>): Awaitable<void>;

  recordAction(a: ActionInput): Awaitable<void>;
  /** A lead that shares only a phone with `otherClientId` got its own record `clientId`: a "posible duplicado". */
  markPossibleDuplicate(d: { clientId: number; otherClientId: number; leadId: number | null; reason: string; at: number }): Awaitable<number>;

  retireVendor(id: string, now: number): Awaitable<void>;
  /** A persistent counter (round-robin positions): the value after adding one. */
  nextCounter(name: string): Awaitable<number>;

  enqueueWebhook(url: string, body: unknown, now: number): Awaitable<void>;
  /**
   * Takes up to `limit` due webhook deliveries: their next attempt moves `leaseMs` ahead, so no other
   * daemon sends them meanwhile (PostgreSQL: FOR UPDATE SKIP LOCKED); the sender records each outcome.
   */
  claimWebhooks(now: number, limit: number, leaseMs: number): Awaitable<WebhookDelivery[]>;
  updateWebhook(id: number, patch: Pick<WebhookDelivery, 'status' | 'attempts' | 'lastError'> & { nextAttemptAt?: number }): Awaitable<void>;

  /** Queues a notification email in the outbox; false when its key was already queued. */
  enqueueNotification(n: NewNotification, now: number, dueAt?: number): Awaitable<boolean>;

  putLease(name: string, owner: string, expiresAt: number): Awaitable<void>;
  /** Extends a lease this owner holds; false when the row names another owner (or is gone). */
  renewLease(name: string, owner: string, expiresAt: number): Awaitable<boolean>;
  dropLease(name: string, owner: string): Awaitable<void>;
  /**
   * Takes the lease for `owner` when it is free, expired or already theirs (then extended); the
   * epoch it is held at, grown by one when it changed hands; null while another owner holds it.
   */
  claimLease(name: string, owner: string, now: number, ttlMs: number): Awaitable<number | null>;
  /** Inside the unit of work that writes under a lease: does `owner` still hold it at `epoch`? (PostgreSQL locks the row until commit.) */
  fenceLease(name: string, owner: string, epoch: number): Awaitable<boolean>;
}

export type StoreTx = StoreReads & StoreWrites;

export type FollowUpsToClose = Parameters<StoreWrites['closeFollowUps']>[0];
export interface Storage extends StoreReads {
  /** Which adapter: SQLite is one daemon per file, PostgreSQL is shared by several. */
  readonly engine: 'sqlite' | 'postgres';
  /** The database for messages: the SQLite file, or the PostgreSQL URL without credentials. */
  readonly name: string;
  /**
   * Runs `work` in one write transaction (SQLite: BEGIN IMMEDIATE; the write lock is taken up front,
   * waits are bounded by busy_timeout and reported as `db.busy`). Nested units join the open one.
   */
  unitOfWork<T>(work: (tx: StoreTx) => Work<T>): Promise<T>;
  /** Runs reads outside a transaction (each sees committed data). */
  read<T>(work: (r: StoreReads) => Work<T>): Promise<T>;
  /** The storage's health monitor for /healthz (one per connection, made on first use). */
  health(): StoreHealth;
  close(): Awaitable<void>;
}
