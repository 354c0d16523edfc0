import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from './open.ts';
import { notifications, type NewNotification, type NotificationRow, type NotificationStatus } from '../outbox-schema.ts';
import { rawEmails } from '../schema.ts';

// The notification outbox's SQLite statements: the Store's port writes (base.ts).

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

/** The SQLite statements of the sending side, for the Store's port writes (inside a unit of work). */
export function sqliteOutboxWrites(db: Db) {
  return {
    claim(now: number, leaseMs: number): NotificationRow | null {
      const row = db.select().from(notifications).where(and(eq(notifications.status, 'pending'), lte(notifications.nextAttemptAt, now))).orderBy(asc(notifications.nextAttemptAt), asc(notifications.id)).limit(1).get();
      if (!row) return null;
      if (leaseMs > 0) db.update(notifications).set({ nextAttemptAt: now + leaseMs }).where(eq(notifications.id, row.id)).run();
      return row;
    },
    markSent(id: number, attempts: number, now: number): void {
      db.update(notifications).set({ status: 'sent', attempts, lastError: null, sentAt: now }).where(eq(notifications.id, id)).run();
    },
    markFailed(id: number, attempts: number, error: string, nextAttemptAt: number, giveUp: boolean): void {
      const status: NotificationStatus = giveUp ? 'failed' : 'pending';
      db.update(notifications).set({ status, attempts, lastError: error, nextAttemptAt }).where(eq(notifications.id, id)).run();
    },
  };
}
