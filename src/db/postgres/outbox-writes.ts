import type pg from 'pg';
import { isLimited, type Scope } from '../scope.ts';
import type { NotificationRow } from '../outbox-schema.ts';
import type { OutboxWrites } from '../port.ts';

type Queryable = Pick<pg.PoolClient, 'query'>;

const ROW = `id, key, kind, lead_id "leadId", case_id "caseId", client_id "clientId", project_id "projectId", vendor_id "vendorId", recipient, sender, subject, text, html,
  headers, status, attempts, next_attempt_at "nextAttemptAt", last_error "lastError", created_at "createdAt", sent_at "sentAt"`;

/** The notifications a scope sees (alias n), as src/db/sqlite/notification-queries.ts limits them; params grow. */
function visible(scope: Scope, params: unknown[]): string | null {
  if (!isLimited(scope)) return null;
  const lead: string[] = [];
  if (scope.vendorIds !== null) lead.push(`l.owner_vendor_id = any($${params.push(scope.vendorIds)})`);
  if (scope.projectIds !== null) lead.push(`l.project_id = any($${params.push(scope.projectIds)})`);
  const parts = [`(n.lead_id is not null and exists (select 1 from leads l where l.id = n.lead_id and ${lead.join(' and ')}))`];
  if (scope.vendorIds === null && scope.projectIds?.length) parts.push(`(n.lead_id is null and n.project_id = any($${params.push(scope.projectIds)}))`);
  return `(${parts.join(' or ')})`;
}

/** The outbox's sending side on one transaction's client; a claim skips rows another daemon holds. */
export function outboxWrites(c: Queryable): OutboxWrites {
  return {
    async claimNotification(now, leaseMs) {
      const r = await c.query<NotificationRow>(
        `update notifications set next_attempt_at = $2::bigint + $3::bigint where id = (
           select id from notifications where status = 'pending' and next_attempt_at <= $1 order by next_attempt_at, id limit 1 for update skip locked
         ) returning ${ROW}`,
        [now, now, leaseMs],
      );
      if (!r.rows[0]) return null;
      // The row as it was due (the claim only moved its next attempt).
      return { ...r.rows[0], nextAttemptAt: now };
    },
    async markNotificationSent(id, attempts, now) {
      await c.query("update notifications set status = 'sent', attempts = $1, last_error = null, sent_at = $2 where id = $3", [attempts, now, id]);
    },
    async markNotificationFailed(id, attempts, error, nextAttemptAt, giveUp) {
      await c.query('update notifications set status = $1, attempts = $2, last_error = $3, next_attempt_at = $4 where id = $5', [giveUp ? 'failed' : 'pending', attempts, error, nextAttemptAt, id]);
    },
    async requeueNotification(id, scope, now) {
      const params: unknown[] = [now, id];
      const v = visible(scope, params);
      return ((await c.query(`update notifications n set status = 'pending', attempts = 0, next_attempt_at = $1 where n.id = $2${v ? ` and ${v}` : ''}`, params)).rowCount ?? 0) > 0;
    },
  };
}
