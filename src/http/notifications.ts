import { z } from 'zod';
import { io } from '../db/port.ts';
import { NOTIFICATION_STATUSES } from '../db/outbox-schema.ts';
import { auditedWork } from './audit.ts';
import { HttpError } from './errors.ts';
import { iso } from './leads.ts';
import { leadIdParam } from './params.ts';
import { callerOf, type RequestContext } from './types.ts';

// The notification outbox for managers: what failed and why, and "reenviar". Scoped in SQL: a
// gerente of some projects lists and resends only her projects' notifications.


export const listQuery = z.object({
  status: z.enum(NOTIFICATION_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export async function list(ctx: RequestContext<z.infer<typeof listQuery>>) {
  const { scope } = callerOf(ctx);
  const q = ctx.services.app.reads.notifications;
  const items = await q.list(scope, { status: ctx.query.status, limit: ctx.query.limit });
  return { json: { items: items.map((n) => ({ ...n, nextAttemptAt: iso(n.nextAttemptAt), createdAt: iso(n.createdAt), sentAt: iso(n.sentAt) })), counts: await q.counts(scope) } };
}

/** Queues a notification again (a failed one, or a sent one a vendor lost); the sender picks it up within a second. Another scope's answers 404. */
export async function resend(ctx: RequestContext) {
  const id = leadIdParam(ctx.params.id);
  const { scope } = callerOf(ctx);
  const ok = await auditedWork(ctx, (tx) => io(tx.requeueNotification(id, scope, ctx.now)), (done) => (done ? { action: 'notification.resend', objectType: 'notification', objectId: id } : []));
  if (!ok) throw new HttpError(404, `no existe la notificación ${id}`);
  return { json: { id, status: 'pending' } };
}
