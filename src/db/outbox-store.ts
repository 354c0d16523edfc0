import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from './open.ts';
import { io, type Storage } from './port.ts';
import { notifications, type NewNotification, type NotificationRow, type NotificationStatus } from './outbox-schema.ts';
import { rawEmails } from './schema.ts';
import type { NotificationCounts } from './people-reads.ts';

// The notification outbox. The SQLite statements are the Store's port writes (sqlite-base.ts);
// NotificationStore is the sender's and the digest's view of the outbox over the port.

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

/** The sender's side of the outbox, over the storage port (either engine); every write is a unit of work. */
export class NotificationStore {
  private last: NotificationCounts = { pending: 0, failed: 0, sent: 0, lastError: null, oldestPendingAt: null };

  constructor(
    private readonly store: Storage,
    private readonly reads: { all(): Promise<NotificationCounts> },
  ) {}

  /** The oldest due notification, taken for `leaseMs` (see the port's claimNotification). */
  claim(now: number, leaseMs: number): Promise<NotificationRow | null> {
    return this.store.unitOfWork((tx) => io(tx.claimNotification(now, leaseMs)));
  }

  // The counts follow this sender's own writes at once (health and tests read them right after a
  // send); `refresh` reads them again from the database after each round of sending.

  async markSent(id: number, attempts: number, now: number): Promise<void> {
    await this.store.unitOfWork((tx) => io(tx.markNotificationSent(id, attempts, now)));
    this.last = { ...this.last, pending: Math.max(0, this.last.pending - 1), sent: this.last.sent + 1 };
  }

  async markFailed(id: number, attempts: number, error: string, nextAttemptAt: number, giveUp: boolean): Promise<void> {
    await this.store.unitOfWork((tx) => io(tx.markNotificationFailed(id, attempts, error, nextAttemptAt, giveUp)));
    this.last = giveUp ? { ...this.last, pending: Math.max(0, this.last.pending - 1), failed: this.last.failed + 1, lastError: error } : { ...this.last, lastError: error };
  }

  async enqueue(n: NewNotification, now: number, dueAt = now): Promise<boolean> {
    const added = await this.store.unitOfWork((tx) => io(tx.enqueueNotification(n, now, dueAt)));
    if (added) this.last = { ...this.last, pending: this.last.pending + 1 };
    return added;
  }

  /** Reads the counts again (each sender tick); `counts()` answers the last ones read. */
  async refresh(): Promise<NotificationCounts> {
    this.last = await this.reads.all();
    return this.last;
  }

  counts(): NotificationCounts {
    return this.last;
  }
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
