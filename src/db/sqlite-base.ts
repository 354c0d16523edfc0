import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { Logger } from '../logger.ts';
import type { Db } from './open.ts';
import { preparedCache, type Prepared } from './prepared.ts';
import { writeTransaction } from './write-path.ts';
import { insertNotification, lastNotificationAt, rawHeaders, sqliteOutboxWrites } from './outbox-store.ts';
import { NotificationQueries } from './notification-queries.ts';
import { MAILBOX_TOKEN_COLUMNS, type StoredMailboxToken } from './mailbox-tokens.ts';
import type { Scope } from './scope.ts';
import type { NotificationRow } from './outbox-schema.ts';
import type { NewNotification, NotificationKind } from './outbox-schema.ts';
import { mailboxCursors, projects, rawEmails, webhookDeliveries } from './schema.ts';
import { runSync, type ExistingEmail, type RawEmailInput, type RawOutcome, type StoredRaw, type StoreTx, type WebhookDelivery, type Work } from './port.ts';

/**
 * The SQLite connection and its one write path, plus the raw-email, cursor, project, lease and
 * outbox statements. Store (store.ts) adds leads, clients, follow-ups and vendors.
 */
export class SqliteConnection {
  readonly engine = 'sqlite' as const;
  protected readonly q: Prepared;
  private projectIds = new Map<string, number>();

  constructor(
    protected readonly db: Db,
    protected readonly log?: Logger,
  ) {
    this.q = preparedCache(db.$client);
    this.loadProjectIds();
  }

  /** The database file, for messages. */
  get name(): string {
    return this.db.$client.name;
  }

  /** The driver, for db/ modules (queries) and tests; nothing outside src/db may use it. */
  get sqlite(): Database.Database {
    return this.db.$client;
  }

  /** The one write path (write-path.ts): BEGIN IMMEDIATE, bounded and reported lock waits. */
  transaction<T>(fn: () => T): T {
    return writeTransaction(this.db.$client, fn, this.log);
  }

  /** A unit of work: the whole generator runs inside one transaction (a nested one joins it). */
  async unitOfWork<T>(work: (tx: StoreTx) => Work<T>): Promise<T> {
    return this.transaction(() => runSync(work(this as unknown as StoreTx)));
  }

  async read<T>(work: (r: StoreTx) => Work<T>): Promise<T> {
    return runSync(work(this as unknown as StoreTx));
  }

  /** Every write checks it runs inside the write path. */
  protected writing(): void {
    if (!this.db.$client.inTransaction) throw new Error('a write outside a unit of work: use store.unitOfWork');
  }

  close(): void {
    this.db.$client.close();
  }

  // Raw emails and the mailbox cursor.

  findExisting(messageId: string | null, sha256: string): ExistingEmail | null {
    const select = 'select r.id, r.status, l.id lead_id, l.client_id, l.follow_up_at from raw_emails r left join leads l on l.raw_email_id = r.id and l.part_index = 0';
    const row = (messageId
      ? this.q(`${select} where r.message_id = ? order by r.id limit 1`).get(messageId)
      : this.q(`${select} where r.message_id is null and r.sha256 = ? order by r.id limit 1`).get(sha256)) as
      | { id: number; status: string; lead_id: number | null; client_id: number | null; follow_up_at: number | null }
      | undefined;
    return row ? { rawEmailId: row.id, leadId: row.lead_id, clientId: row.client_id, followUpAt: row.follow_up_at, status: row.status } : null;
  }

  insertRaw(input: RawEmailInput, now = Date.now()): number {
    this.writing();
    const r = this.q(
      `insert into raw_emails (source, mailbox, uid_validity, uid, file, message_id, sha256, size, raw, headers, received_at, stored_at, status, error)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(input.source, input.mailbox ?? null, input.uidValidity ?? null, input.uid ?? null, input.file ?? null, input.messageId, input.sha256, input.size, input.raw, input.headers ?? null, input.receivedAt, now, input.status ?? 'pending', input.error ?? null);
    return Number(r.lastInsertRowid);
  }

  getRaw(id: number): StoredRaw | null {
    return (this.q('select id, raw, size, received_at receivedAt, message_id messageId, status from raw_emails where id = ?').get(id) as StoredRaw | undefined) ?? null;
  }

  imapUidTaken(mailbox: string, uidValidity: number, uid: number): boolean {
    return this.q('select 1 from raw_emails where mailbox = ? and uid_validity = ? and uid = ?').get(mailbox, uidValidity, uid) !== undefined;
  }

  getCursor(mailbox: string): { uidValidity: number; lastUid: number } | null {
    return this.db.select({ uidValidity: mailboxCursors.uidValidity, lastUid: mailboxCursors.lastUid }).from(mailboxCursors).where(eq(mailboxCursors.mailbox, mailbox)).get() ?? null;
  }

  setCursor(mailbox: string, uidValidity: number, lastUid: number, now: number): void {
    this.writing();
    this.db.insert(mailboxCursors).values({ mailbox, uidValidity, lastUid, updatedAt: now }).onConflictDoUpdate({ target: mailboxCursors.mailbox, set: { uidValidity, lastUid, updatedAt: now } }).run();
  }

  pendingRawIds(limit = 1000, storedBefore = Number.MAX_SAFE_INTEGER): number[] {
    return this.db
      .select({ id: rawEmails.id })
      .from(rawEmails)
      .where(and(eq(rawEmails.status, 'pending'), sql`${rawEmails.storedAt} < ${storedBefore}`))
      .orderBy(rawEmails.id)
      .limit(limit)
      .all()
      .map((r) => r.id);
  }

  rawIdsByStatus(statuses: string[], since: number | null): number[] {
    return this.db
      .select({ id: rawEmails.id })
      .from(rawEmails)
      .where(and(inArray(rawEmails.status, statuses as (typeof rawEmails.$inferSelect.status)[]), since ? sql`${rawEmails.receivedAt} >= ${since}` : undefined))
      .orderBy(rawEmails.id)
      .all()
      .map((r) => r.id);
  }

  rawOutcome(rawEmailId: number): RawOutcome | null {
    const row = this.q('select r.status, l.id lead_id, l.client_id, l.follow_up_at, l.contact_type from raw_emails r left join leads l on l.raw_email_id = r.id and l.part_index = 0 where r.id = ?').get(rawEmailId) as
      | { status: string; lead_id: number | null; client_id: number | null; follow_up_at: number | null; contact_type: string | null }
      | undefined;
    return row ? { status: row.status, leadId: row.lead_id, clientId: row.client_id, followUpAt: row.follow_up_at, contactType: row.contact_type } : null;
  }

  setRawOutcome(rawEmailId: number, status: 'lead' | 'ignored', ignoredReason: string | null, parser: string | null, now: number): void {
    this.writing();
    this.q('update raw_emails set status = ?, ignored_reason = ?, parser = ?, processed_at = ?, error = null where id = ?').run(status, ignoredReason, parser, now, rawEmailId);
  }

  setRawFailure(rawEmailId: number, status: 'error' | 'too_large' | 'timeout', error: string, now: number): void {
    this.writing();
    this.q('update raw_emails set status = ?, error = ?, processed_at = ? where id = ?').run(status, error.slice(0, 4000), now, rawEmailId);
  }

  purgeRawBefore(before: number, now: number): number {
    this.writing();
    return this.db.update(rawEmails).set({ raw: null, purgedAt: now }).where(and(sql`${rawEmails.receivedAt} < ${before}`, sql`${rawEmails.raw} is not null`)).run().changes;
  }

  // Projects from config.

  private loadProjectIds(): void {
    this.projectIds.clear();
    for (const p of this.db.select({ id: projects.id, name: projects.name }).from(projects).all()) this.projectIds.set(p.name, p.id);
  }

  /** New names added, aliases refreshed, missing ones deactivated. */
  syncProjects(list: { name: string; aliases: string[] }[]): void {
    this.transaction(() => {
      const names = list.map((p) => p.name);
      for (const p of list) {
        const aliases = JSON.stringify(p.aliases);
        this.db.insert(projects).values({ name: p.name, aliases, active: true }).onConflictDoUpdate({ target: projects.name, set: { aliases, active: true } }).run();
      }
      this.db.update(projects).set({ active: false }).where(names.length ? sql`${projects.name} not in ${names}` : undefined).run();
    });
    this.loadProjectIds();
  }

  projectId(name: string | null): number | null {
    return name ? (this.projectIds.get(name) ?? null) : null;
  }

  projectName(id: number): string | null {
    return this.db.select({ name: projects.name }).from(projects).where(eq(projects.id, id)).get()?.name ?? null;
  }

  // The webhook outbox.

  enqueueWebhook(url: string, body: unknown, now: number): void {
    this.writing();
    this.db.insert(webhookDeliveries).values({ url, body: JSON.stringify(body), status: 'pending', nextAttemptAt: now, createdAt: now }).run();
  }

  dueWebhooks(now: number, limit: number): WebhookDelivery[] {
    return this.db
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now)))
      .orderBy(asc(webhookDeliveries.nextAttemptAt))
      .limit(limit)
      .all();
  }

  claimWebhooks(now: number, limit: number, leaseMs: number): WebhookDelivery[] {
    this.writing();
    const due = this.dueWebhooks(now, limit);
    if (leaseMs > 0) for (const d of due) this.db.update(webhookDeliveries).set({ nextAttemptAt: now + leaseMs }).where(eq(webhookDeliveries.id, d.id)).run();
    return due;
  }

  updateWebhook(id: number, patch: Pick<WebhookDelivery, 'status' | 'attempts' | 'lastError'> & { nextAttemptAt?: number }): void {
    this.writing();
    this.db.update(webhookDeliveries).set(patch).where(eq(webhookDeliveries.id, id)).run();
  }

  // The notification outbox (outbox-store.ts): what a lead's unit of work needs.
  enqueueNotification(n: NewNotification, now: number, dueAt = now): boolean {
    this.writing();
    return insertNotification(this.db, n, now, dueAt);
  }

  private outboxWrites?: ReturnType<typeof sqliteOutboxWrites>;
  private notificationQueries?: NotificationQueries;
  private get outbox() {
    return (this.outboxWrites ??= sqliteOutboxWrites(this.db));
  }

  claimNotification(now: number, leaseMs: number): NotificationRow | null {
    this.writing();
    return this.outbox.claim(now, leaseMs);
  }

  markNotificationSent(id: number, attempts: number, now: number): void {
    this.writing();
    this.outbox.markSent(id, attempts, now);
  }

  markNotificationFailed(id: number, attempts: number, error: string, nextAttemptAt: number, giveUp: boolean): void {
    this.writing();
    this.outbox.markFailed(id, attempts, error, nextAttemptAt, giveUp);
  }

  mailboxToken(mailbox: string): StoredMailboxToken | null {
    return (this.q(`SELECT ${MAILBOX_TOKEN_COLUMNS} FROM mailbox_tokens WHERE mailbox = ?`).get(mailbox) as StoredMailboxToken | undefined) ?? null;
  }

  mailboxTokens(): StoredMailboxToken[] {
    return this.q(`SELECT ${MAILBOX_TOKEN_COLUMNS} FROM mailbox_tokens ORDER BY mailbox`).all() as StoredMailboxToken[];
  }

  putMailboxToken(t: StoredMailboxToken): void {
    this.writing();
    this.q(`INSERT INTO mailbox_tokens (mailbox, provider, refresh_token, account, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (mailbox) DO UPDATE SET provider = excluded.provider, refresh_token = excluded.refresh_token,
        account = coalesce(excluded.account, mailbox_tokens.account), updated_at = excluded.updated_at`).run(t.mailbox, t.provider, t.refreshToken, t.account, t.createdAt, t.updatedAt);
  }

  deleteMailboxToken(mailbox: string): boolean {
    this.writing();
    return this.q('DELETE FROM mailbox_tokens WHERE mailbox = ?').run(mailbox).changes > 0;
  }

  requeueNotification(id: number, scope: Scope, now: number): boolean {
    this.writing();
    return (this.notificationQueries ??= new NotificationQueries(this.db.$client)).requeue(id, scope, now);
  }

  lastNotificationAt(kind: NotificationKind, clientId: number, projectId: number | null): number | null {
    return lastNotificationAt(this.db, kind, clientId, projectId);
  }

  rawHeaders(rawEmailId: number): string | null {
    return rawHeaders(this.db, rawEmailId);
  }

  webhookCounts(): { status: string; n: number; lastError: string | null }[] {
    return this.db
      .select({ status: webhookDeliveries.status, n: sql<number>`count(*)`, lastError: sql<string | null>`max(${webhookDeliveries.lastError})` })
      .from(webhookDeliveries)
      .where(sql`${webhookDeliveries.status} <> 'sent'`)
      .groupBy(webhookDeliveries.status)
      .all();
  }

  // Leases.

  getLease(name: string): { owner: string; expiresAt: number } | null {
    return (this.q('select owner, expires_at expiresAt from leases where name = ?').get(name) as { owner: string; expiresAt: number } | undefined) ?? null;
  }

  putLease(name: string, owner: string, expiresAt: number): void {
    this.writing();
    this.q('insert into leases (name, owner, expires_at) values (?, ?, ?) on conflict(name) do update set owner = excluded.owner, expires_at = excluded.expires_at').run(name, owner, expiresAt);
  }

  renewLease(name: string, owner: string, expiresAt: number): boolean {
    this.writing();
    return this.q('update leases set expires_at = ? where name = ? and owner = ?').run(expiresAt, name, owner).changes === 1;
  }

  dropLease(name: string, owner: string): void {
    this.writing();
    this.q('delete from leases where name = ? and owner = ?').run(name, owner);
  }

  claimLease(name: string, owner: string, now: number, ttlMs: number): number | null {
    this.writing();
    const row = this.q(
      `insert into leases (name, owner, expires_at, epoch) values (?, ?, ?, 1)
       on conflict (name) do update set epoch = case when leases.owner = excluded.owner then leases.epoch else leases.epoch + 1 end, owner = excluded.owner, expires_at = excluded.expires_at
       where leases.owner = excluded.owner or leases.expires_at <= ? returning epoch`,
    ).get(name, owner, now + ttlMs, now) as { epoch: number } | undefined;
    return row?.epoch ?? null;
  }

  fenceLease(name: string, owner: string, epoch: number): boolean {
    return this.q('select 1 from leases where name = ? and owner = ? and epoch = ?').get(name, owner, epoch) !== undefined;
  }

  leasesLike(prefix: string): { name: string; owner: string; expiresAt: number; epoch: number }[] {
    return this.q("select name, owner, expires_at expiresAt, epoch from leases where substr(name, 1, length(?)) = ? order by name").all(prefix, prefix) as { name: string; owner: string; expiresAt: number; epoch: number }[];
  }
}
