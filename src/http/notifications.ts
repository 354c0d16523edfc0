import { z } from 'zod';
import { NotificationQueries } from '../db/notification-queries.ts';
import { NOTIFICATION_STATUSES } from '../db/outbox-schema.ts';
import { auditedTransaction } from './audit.ts';
import { HttpError } from './errors.ts';
import { iso } from './leads.ts';
import { leadIdParam } from './params.ts';
import { callerOf, type RequestContext } from './types.ts';

// The notification outbox for managers: what failed and why, and "reenviar". Scoped in SQL: a
// gerente of some projects lists and resends only her projects' notifications.

const stores = new WeakMap<object, NotificationQueries>();
function queriesOf(ctx: RequestContext): NotificationQueries {
  const key = ctx.services.app.store;
  let s = stores.get(key);
  if (!s) stores.set(key, (s = new NotificationQueries(key.sqlite)));
  return s;
}

export const listQuery = z.object({
  status: z.enum(NOTIFICATION_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function list(ctx: RequestContext<z.infer<typeof listQuery>>) {
  const { scope } = callerOf(ctx);
  const q = queriesOf(ctx);
  const items = q.list(scope, { status: ctx.query.status, limit: ctx.query.limit });
  return { json: { items: items.map((n) => ({ ...n, nextAttemptAt: iso(n.nextAttemptAt), createdAt: iso(n.createdAt), sentAt: iso(n.sentAt) })), counts: q.counts(scope) } };
}

/** Queues a notification again (a failed one, or a sent one a vendor lost); the sender picks it up within a second. Another scope's answers 404. */
export function resend(ctx: RequestContext) {
  const id = leadIdParam(ctx.params.id);
  const { scope } = callerOf(ctx);
  const ok = auditedTransaction(ctx, () => queriesOf(ctx).resend(id, scope, ctx.now), (done) => (done ? { action: 'notification.resend', objectType: 'notification', objectId: id } : []));
  if (!ok) throw new HttpError(404, `no notification ${id}`);
  return { json: { id, status: 'pending' } };
}
