import { io, type StoreTx, type Work } from '../db/port.ts';
import { callerOf, type RequestContext } from './types.ts';
import type { AuditEntry } from '../db/people-reads.ts';

/** A person's action as an audit entry: who, when, from where, on what. */
export function auditEntry(ctx: RequestContext, action: string, objectType: string, objectId: string | number | null, data: unknown = {}): AuditEntry {
  const c = callerOf(ctx);
  return { at: ctx.now, userId: c.userId, actor: c.actor, action, objectType, objectId, address: ctx.address, data };
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
    for (const e of [entries(r)].flat()) yield* io(tx.audit(auditEntry(ctx, e.action, e.objectType, e.objectId, e.data)));
    return r;
  });
}
