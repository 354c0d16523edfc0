import { FULL_SCOPE as FULL, isLimited, type Scope } from '../scope.ts';
import type { NotificationStatus } from '../outbox-schema.ts';
import { anyOf, bind, pgScopeClause } from './lead-filter.ts';
import { outboxWrites } from './outbox-writes.ts';
import { inTransaction, rowsOf, type PgHandle } from './read-base.ts';
import type { NotificationCounts, NotificationReads } from '../people-reads.ts';

/** NotificationQueries (src/db/sqlite/notification-queries.ts) on PostgreSQL; the same scope rule. */
export class PgNotificationQueries implements NotificationReads {
  constructor(private readonly db: PgHandle) {}

  private visible(scope: Scope, params: unknown[]): string | null {
    if (!isLimited(scope)) return null;
    const leadScope = pgScopeClause(scope, params) ?? 'true';
    const parts = [`(n.lead_id IS NOT NULL AND EXISTS (SELECT 1 FROM leads l WHERE l.id = n.lead_id AND ${leadScope}))`];
    if (scope.vendorIds === null && scope.projectIds?.length) parts.push(`(n.lead_id IS NULL AND ${anyOf('n.project_id', scope.projectIds, params)})`);
    return `(${parts.join(' OR ')})`;
  }

  list(scope: Scope, filter: { status?: NotificationStatus; limit: number }) {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.status) where.push(`n.status = ${bind(params, filter.status)}`);
    const v = this.visible(scope, params);
    if (v) where.push(v);
    return rowsOf<{
      id: number; kind: string; leadId: number | null; vendorId: string | null; recipient: string; subject: string; status: string; attempts: number;
      nextAttemptAt: number; lastError: string | null; createdAt: number; sentAt: number | null;
    }>(this.db, `SELECT n.id, n.kind, n.lead_id AS "leadId", n.vendor_id AS "vendorId", n.recipient, n.subject, n.status, n.attempts,
      n.next_attempt_at AS "nextAttemptAt", n.last_error AS "lastError", n.created_at AS "createdAt", n.sent_at AS "sentAt"
      FROM notifications n ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY n.id DESC LIMIT ${bind(params, filter.limit)}`, params);
  }

  all(): Promise<NotificationCounts> {
    return this.counts(FULL);
  }

  async counts(scope: Scope): Promise<NotificationCounts> {
    const params: unknown[] = [];
    const v = this.visible(scope, params);
    // max() of text by bytes, as SQLite's BINARY collation.
    const rows = await rowsOf<{ status: string; n: number; lastError: string | null; oldest: number | null }>(this.db,
      `SELECT n.status, count(*) AS n, max(n.last_error COLLATE "C") AS "lastError", min(n.created_at) AS oldest FROM notifications n
      ${v ? `WHERE ${v}` : ''} GROUP BY n.status`, params);
    const get = (s: string) => rows.find((r) => r.status === s);
    return {
      pending: get('pending')?.n ?? 0,
      failed: get('failed')?.n ?? 0,
      sent: get('sent')?.n ?? 0,
      lastError: get('failed')?.lastError ?? get('pending')?.lastError ?? null,
      oldestPendingAt: get('pending')?.oldest ?? null,
    };
  }

  /**
   * SQLite's requeue is the Store's port write and refuses to run outside a unit of work; here it
   * is its own transaction over a pool, or joins the caller's when built over its client.
   */
  requeue(id: number, scope: Scope, now: number): Promise<boolean> {
    return inTransaction(this.db, async (c) => outboxWrites(c).requeueNotification(id, scope, now));
  }
}
