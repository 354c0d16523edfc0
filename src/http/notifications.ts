import { z } from 'zod';
import { NotificationStore } from '../db/outbox-store.ts';
import { NOTIFICATION_STATUSES } from '../db/outbox-schema.ts';
import { audited } from './audit.ts';
import { HttpError } from './errors.ts';
import { iso } from './leads.ts';
import { leadIdParam } from './params.ts';
import type { RequestContext } from './types.ts';

// The notification outbox for managers: what failed and why, and "reenviar".

const stores = new WeakMap<object, NotificationStore>();
function storeOf(ctx: RequestContext): NotificationStore {
  const key = ctx.services.app.store;
  let s = stores.get(key);
  if (!s) stores.set(key, (s = new NotificationStore(key)));
  return s;
}

export const listQuery = z.object({
  status: z.enum(NOTIFICATION_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function list(ctx: RequestContext<z.infer<typeof listQuery>>) {
  const items = storeOf(ctx).list({ status: ctx.query.status, limit: ctx.query.limit });
  return { json: { items: items.map((n) => ({ ...n, nextAttemptAt: iso(n.nextAttemptAt), createdAt: iso(n.createdAt), sentAt: iso(n.sentAt) })), counts: storeOf(ctx).counts() } };
}

/** Queues a notification again (a failed one, or a sent one a vendor lost); the sender picks it up within a second. */
export function resend(ctx: RequestContext) {
  const id = leadIdParam(ctx.params.id);
  if (!storeOf(ctx).resend(id, ctx.now)) throw new HttpError(404, `no notification ${id}`);
  audited(ctx, 'notification.resend', 'notification', id);
  return { json: { id, status: 'pending' } };
}
