import type { StoreTx, Work } from '../db/port.ts';
import { callerOf, type RequestContext } from './types.ts';

/** Records a person's action in the audit trail: who, when, from where, on what. */
export function audited(ctx: RequestContext, action: string, objectType: string, objectId: string | number | null, data: unknown = {}): void {
  const c = callerOf(ctx);
  ctx.services.users.audit({ at: ctx.now, userId: c.userId, actor: c.actor, action, objectType, objectId, address: ctx.address, data });
}

export interface AuditSpec { action: string; objectType: string; objectId: string | number | null; data?: unknown }

/**
 * A write and its audit entries in one transaction: the audit row is written on the same
 * connection inside the unit of work, so a change is never committed without its person (and a
 * failed change leaves no entry). `entries` sees the work's result.
 */
export function auditedWork<T>(ctx: RequestContext, work: (tx: StoreTx) => Work<T>, entries: (r: T) => AuditSpec | AuditSpec[]): Promise<T> {
  return ctx.services.app.store.unitOfWork(function* (tx) {
    const r = yield* work(tx);
    for (const e of [entries(r)].flat()) audited(ctx, e.action, e.objectType, e.objectId, e.data);
    return r;
  });
}

/** The same for a synchronous write on the app's connection (the funnel's statements). */
export function auditedTransaction<T>(ctx: RequestContext, fn: () => T, entries: (r: T) => AuditSpec | AuditSpec[]): T {
  return ctx.services.app.store.transaction(() => {
    const r = fn();
    for (const e of [entries(r)].flat()) audited(ctx, e.action, e.objectType, e.objectId, e.data);
    return r;
  });
}
