import type Database from 'better-sqlite3';
import { FULL_SCOPE as FULL, isLimited, type Scope } from '../scope.ts';
import type { NotificationStatus } from '../outbox-schema.ts';
import { inList } from '../sql-lists.ts';
import type { NotificationCounts, NotificationReads } from '../people-reads.ts';
import { scopeClause } from './lead-where.ts';

/**
 * The notification outbox as the managers' API reads and resends it, scoped in SQL to the caller:
 * a limited person sees the notifications of the leads in their scope (and, for a gerente of some
 * projects, those of her projects that name no lead); digests and anything else are not theirs.
 * The sender's statements stay in outbox-store.ts.
 */
export class NotificationQueries implements NotificationReads {
  constructor(private readonly db: Database.Database) {}

  /** The WHERE part limiting notifications (alias n) to the scope, or null for a full scope. */
  private visible(scope: Scope, params: unknown[]): string | null {
    if (!isLimited(scope)) return null;
    const leadScope = scopeClause(scope, params) ?? '1';
    const parts = [`(n.lead_id IS NOT NULL AND EXISTS (SELECT 1 FROM leads l WHERE l.id = n.lead_id AND ${leadScope}))`];
    if (scope.vendorIds === null && scope.projectIds?.length) parts.push(`(n.lead_id IS NULL AND ${inList('n.project_id', scope.projectIds, params)})`);
    return `(${parts.join(' OR ')})`;
  }

  async list(scope: Scope, filter: { status?: NotificationStatus; limit: number }) {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.status) { where.push('n.status = ?'); params.push(filter.status); }
    const v = this.visible(scope, params);
    if (v) where.push(v);
    return this.db.prepare(`SELECT n.id, n.kind, n.lead_id AS leadId, n.vendor_id AS vendorId, n.recipient, n.subject, n.status, n.attempts,
      n.next_attempt_at AS nextAttemptAt, n.last_error AS lastError, n.created_at AS createdAt, n.sent_at AS sentAt
      FROM notifications n ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY n.id DESC LIMIT ?`).all(...params, filter.limit) as {
      id: number; kind: string; leadId: number | null; vendorId: string | null; recipient: string; subject: string; status: string; attempts: number;
      nextAttemptAt: number; lastError: string | null; createdAt: number; sentAt: number | null;
    }[];
  }

  /** Every notification's counts (the sender's health). */
  async all(): Promise<NotificationCounts> {
    return this.counts(FULL);
  }

  async counts(scope: Scope): Promise<NotificationCounts> {
    const params: unknown[] = [];
    const v = this.visible(scope, params);
    const rows = this.db.prepare(`SELECT n.status, count(*) AS n, max(n.last_error) AS lastError, min(n.created_at) AS oldest FROM notifications n
      ${v ? `WHERE ${v}` : ''} GROUP BY n.status`).all(...params) as { status: string; n: number; lastError: string | null; oldest: number | null }[];
    const get = (s: string) => rows.find((r) => r.status === s);
    return {
      pending: get('pending')?.n ?? 0,
      failed: get('failed')?.n ?? 0,
      sent: get('sent')?.n ?? 0,
      lastError: get('failed')?.lastError ?? get('pending')?.lastError ?? null,
      oldestPendingAt: get('pending')?.oldest ?? null,
    };
  }

  /** Back to the queue, due now, if the caller may see it; false otherwise (or when there is none). The Store's port write, inside a unit of work. */
  requeue(id: number, scope: Scope, now: number): boolean {
    if (!this.db.inTransaction) throw new Error('a write outside a unit of work: use store.transaction');
    const params: unknown[] = [now, id];
    const v = this.visible(scope, params);
    return this.db.prepare(`UPDATE notifications AS n SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE n.id = ?${v ? ` AND ${v}` : ''}`).run(...params).changes > 0;
  }
}
