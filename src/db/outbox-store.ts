import { and, asc, desc, eq, gte, lte, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Db } from './open.ts';
import type { SqliteConnection } from './sqlite-base.ts';
import { notifications, type NewNotification, type NotificationRow, type NotificationStatus } from './outbox-schema.ts';
import { rawEmails } from './schema.ts';

// The notification outbox's statements. The three used inside a lead's unit of work are exposed
// on the port (enqueueNotification, lastNotificationAt, rawHeaders) by sqlite-base.ts; the
// sender, the digest and the admin API use NotificationStore.

/** Inserts unless a row with the same key exists; true when it was new. */
export function insertNotification(db: Db, n: NewNotification, now: number, dueAt = now): boolean {
  const r = db.insert(notifications).values({ ...n, status: 'pending', attempts: 0, nextAttemptAt: dueAt }).onConflictDoNothing({ target: notifications.key }).run();
  return r.changes > 0;
}

export function lastNotificationAt(db: Db, kind: NotificationRow['kind'], clientId: number, projectId: number | null): number | null {
  const row = db
    .select({ at: sql<number | null>`max(${notifications.createdAt})` })
    .from(notifications)
    .where(and(eq(notifications.kind, kind), eq(notifications.clientId, clientId), projectId === null ? sql`${notifications.projectId} IS NULL` : eq(notifications.projectId, projectId)))
    .get();
  return row?.at ?? null;
}

export function rawHeaders(db: Db, rawEmailId: number): string | null {
  return db.select({ h: rawEmails.headers }).from(rawEmails).where(eq(rawEmails.id, rawEmailId)).get()?.h ?? null;
}

export interface NotificationCounts {
  pending: number;
  failed: number;
  sent: number;
  lastError: string | null;
  oldestPendingAt: number | null;
}

/** What the sender and the admin API need, over the store's connection and its write path. */
export class NotificationStore {
  private readonly db: Db;

  constructor(private readonly conn: SqliteConnection) {
    this.db = drizzle({ client: conn.sqlite }) as unknown as Db;
  }

  due(now: number, limit: number): NotificationRow[] {
    return this.db.select().from(notifications).where(and(eq(notifications.status, 'pending'), lte(notifications.nextAttemptAt, now))).orderBy(asc(notifications.nextAttemptAt), asc(notifications.id)).limit(limit).all();
  }

  get(id: number): NotificationRow | null {
    return this.db.select().from(notifications).where(eq(notifications.id, id)).get() ?? null;
  }

  markSent(id: number, attempts: number, now: number): void {
    this.conn.transaction(() => this.db.update(notifications).set({ status: 'sent', attempts, lastError: null, sentAt: now }).where(eq(notifications.id, id)).run());
  }

  markFailed(id: number, attempts: number, error: string, nextAttemptAt: number, giveUp: boolean): void {
    const status: NotificationStatus = giveUp ? 'failed' : 'pending';
    this.conn.transaction(() => this.db.update(notifications).set({ status, attempts, lastError: error, nextAttemptAt }).where(eq(notifications.id, id)).run());
  }

  /** Back to the queue, due now; false when there is no such notification. */
  resend(id: number, now: number): boolean {
    return this.conn.transaction(() => this.db.update(notifications).set({ status: 'pending', attempts: 0, nextAttemptAt: now }).where(eq(notifications.id, id)).run().changes > 0);
  }

  enqueue(n: NewNotification, now: number, dueAt = now): boolean {
    return this.conn.transaction(() => insertNotification(this.db, n, now, dueAt));
  }

  counts(): NotificationCounts {
    const rows = this.db
      .select({ status: notifications.status, n: sql<number>`count(*)`, lastError: sql<string | null>`max(${notifications.lastError})`, oldest: sql<number | null>`min(${notifications.createdAt})` })
      .from(notifications)
      .groupBy(notifications.status)
      .all();
    const get = (s: string) => rows.find((r) => r.status === s);
    return {
      pending: get('pending')?.n ?? 0,
      failed: get('failed')?.n ?? 0,
      sent: get('sent')?.n ?? 0,
      lastError: get('failed')?.lastError ?? get('pending')?.lastError ?? null,
      oldestPendingAt: get('pending')?.oldest ?? null,
    };
  }

  list(filter: { status?: NotificationStatus; since?: number; limit: number }) {
    const n = notifications;
    const where = and(filter.status ? eq(n.status, filter.status) : undefined, filter.since !== undefined ? gte(n.createdAt, filter.since) : undefined);
    const cols = { id: n.id, kind: n.kind, leadId: n.leadId, vendorId: n.vendorId, recipient: n.recipient, subject: n.subject, status: n.status, attempts: n.attempts, nextAttemptAt: n.nextAttemptAt, lastError: n.lastError, createdAt: n.createdAt, sentAt: n.sentAt };
    return this.db.select(cols).from(n).where(where).orderBy(desc(n.id)).limit(filter.limit).all();
  }
}
