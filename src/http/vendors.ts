import { z } from 'zod';
import { text } from './actions.ts';
import { HttpError } from './errors.ts';
import { iso, ownerHistory } from './leads.ts';
import { leadIdParam, vendorId, vendorIdParam } from './params.ts';
import { callerOf, type RequestContext } from './types.ts';
import { audited } from './audit.ts';
import { reassignClient, retireVendor } from '../leads/ownership.ts';
import { seesVendor } from '../auth/scope.ts';

// Ownership rules live in src/leads/ownership.ts; an AppError thrown there becomes its status in server.ts.

/** A vendor the caller may see; any other answers 404, as if it did not exist. */
function vendorOf(ctx: RequestContext, id: string) {
  const v = seesVendor(callerOf(ctx).scope, id) ? ctx.services.vendors.get(id) : null;
  if (!v) throw new HttpError(404, `vendor "${id.slice(0, 60)}" not found`);
  return v;
}

/** A client the caller may see (one of its leads is in scope); others answer 404. */
function visibleClient(ctx: RequestContext, clientId: number): void {
  if (!ctx.services.queries.clientVisible(clientId, callerOf(ctx).scope)) throw new HttpError(404, `no client ${clientId}`);
}

const vendorView = (v: { id: string; name: string; type: string; active: boolean; retiredAt: number | null }) => ({
  id: v.id, name: v.name, type: v.type, active: v.active && v.retiredAt === null, retiredAt: iso(v.retiredAt),
});

/** Every vendor, retired ones included, with how many leads wait for their first contact. */
export function listVendors(ctx: RequestContext) {
  return { json: { items: ctx.services.vendors.list(callerOf(ctx).scope).map((v) => ({ ...vendorView(v), pending: v.pending })) } };
}

/** A vendor's leads with no registered contact yet, oldest first, with the deadline and status. */
export function pending(ctx: RequestContext) {
  const id = vendorIdParam(ctx.params.id);
  const { vendors } = ctx.services;
  const vendor = vendorOf(ctx, id);
  const projects = vendors.projectNames();
  const items = vendors.pending(id, callerOf(ctx).scope, ctx.now).map((l) => ({
    id: l.id,
    clientId: l.clientId,
    name: l.name,
    phone: l.phone,
    email: l.email,
    project: l.projectId === null ? null : (projects.get(l.projectId) ?? null),
    contactType: l.contactType,
    receivedAt: iso(l.receivedAt),
    deadlineAt: iso(l.deadlineAt),
    status: l.status,
  }));
  return { json: { vendor: vendorView(vendor), total: items.length, items } };
}

export const retireBody = z.strictObject({});

/** A vendor leaves: their clients move round-robin to active vendors of the same type. */
export async function retire(ctx: RequestContext<unknown, z.output<typeof retireBody>>) {
  const id = vendorIdParam(ctx.params.id);
  const actor = callerOf(ctx).actor;
  const vendor = vendorOf(ctx, id);
  if (vendor.retiredAt !== null) throw new HttpError(409, `vendor "${id.slice(0, 60)}" already retired on ${iso(vendor.retiredAt)}`);
  const r = await ctx.services.app.store.unitOfWork((tx) => retireVendor(tx, id, actor, ctx.now));
  ctx.services.deps.log.info({ vendorId: id, moved: r.moved, to: r.to }, 'vendor retired');
  audited(ctx, 'vendor.retire', 'vendor', id, { moved: r.moved, to: r.to });
  return { json: { ok: true, vendorId: id, retiredAt: iso(ctx.now), moved: r.moved, to: r.to } };
}

export const reassignBody = z.strictObject({
  vendorId,
  reason: text(500).refine((s) => s.length > 0, 'is required'),
});

/** A manager moves a client to another vendor, with a reason that stays in the history. */
export async function reassign(ctx: RequestContext<unknown, z.output<typeof reassignBody>>) {
  const clientId = leadIdParam(ctx.params.id);
  const caller = callerOf(ctx);
  const actor = caller.actor;
  const { vendorId: to, reason } = ctx.body;
  visibleClient(ctx, clientId);
  // A supervisor moves clients only within the team.
  if (!seesVendor(caller.scope, to)) throw new HttpError(404, `vendor "${to.slice(0, 60)}" not found`);
  await ctx.services.app.store.unitOfWork((tx) => reassignClient(tx, clientId, to, reason, actor, ctx.now));
  ctx.services.deps.log.info({ clientId, vendorId: to }, 'client reassigned');
  audited(ctx, 'client.reassign', 'client', clientId, { to, reason });
  return { json: { ok: true, clientId, ownerVendorId: to, owners: await ownerHistory(ctx.services, clientId) } };
}

/** Every owner a client had, oldest first, and the current one. */
export async function owners(ctx: RequestContext) {
  const clientId = leadIdParam(ctx.params.id);
  visibleClient(ctx, clientId);
  const c = ctx.services.vendors.clientOwner(clientId);
  if (!c) throw new HttpError(404, `client ${clientId} not found`);
  return {
    json: { clientId, ownerVendorId: c.ownerVendorId, ownerSince: iso(c.ownerSince), lastActivityAt: iso(c.lastActivityAt), owners: await ownerHistory(ctx.services, clientId) },
  };
}
