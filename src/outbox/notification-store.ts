import { io, type Storage } from '../db/port.ts';
import type { NewNotification, NotificationRow } from '../db/outbox-schema.ts';
import type { NotificationCounts } from '../db/people-reads.ts';

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
