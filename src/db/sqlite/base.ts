import { and, asc, eq, lte, sql } from 'drizzle-orm';
import { insertNotification, lastNotificationAt, rawHeaders, sqliteOutboxWrites } from './outbox-store.ts';
import { NotificationQueries } from './notification-queries.ts';
import { MAILBOX_TOKEN_COLUMNS, type StoredMailboxToken } from '../mailbox-tokens.ts';
import type { Scope } from '../scope.ts';
import type { NewNotification, NotificationKind, NotificationRow } from '../outbox-schema.ts';
import { webhookDeliveries } from '../schema.ts';
import type { WebhookDelivery } from '../port.ts';
import { SqliteCore } from './core.ts';

/**
 * The SQLite connection (core.ts) plus the webhook and notification outbox, mailbox token
 * and lease statements. Store (store.ts) adds leads, clients, follow-ups and vendors.
 */
export class SqliteConnection extends SqliteCore {
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
