import { callerOf, type RequestContext } from './types.ts';

/** Records a person's action in the audit trail: who, when, from where, on what. */
export function audited(ctx: RequestContext, action: string, objectType: string, objectId: string | number | null, data: unknown = {}): void {
  const c = callerOf(ctx);
  ctx.services.users.audit({ at: ctx.now, userId: c.userId, actor: c.actor, action, objectType, objectId, address: ctx.address, data });
}
