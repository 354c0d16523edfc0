import { z } from 'zod';
import { text } from './actions.ts';
import { HttpError } from './errors.ts';
import { iso, ownerHistory } from './leads.ts';
import { actorOf, leadIdParam, vendorId, vendorIdParam } from './params.ts';
import type { RequestContext, Services } from './types.ts';

// Ownership rules live in src/ownership; an OwnershipError thrown there becomes 404/409 in server.ts.

function vendorOf(s: Services, id: string) {
  const v = s.vendors.get(id);
  if (!v) throw new HttpError(404, `vendor "${id.slice(0, 60)}" not found`);
  return v;
}

const vendorView = (v: { id: string; name: string; type: string; active: boolean; retiredAt: number | null }) => ({
  id: v.id, name: v.name, type: v.type, active: v.active && v.retiredAt === null, retiredAt: iso(v.retiredAt),
});

/** Every vendor, retired ones included, with how many leads wait for their first contact. */
export function listVendors(ctx: RequestContext) {
  return { json: { items: ctx.services.vendors.list().map((v) => ({ ...vendorView(v), pending: v.pending })) } };
}

/** A vendor's leads with no registered contact yet, oldest first, with the deadline and status. */
export function pending(ctx: RequestContext) {
  const id = vendorIdParam(ctx.params.id);
  const { vendors, app } = ctx.services;
  const vendor = vendorOf(ctx.services, id);
  const projects = vendors.projectNames();
  const items = app.ownership.pending(id, ctx.now).map((l) => ({
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
export function retire(ctx: RequestContext<unknown, z.output<typeof retireBody>>) {
  const id = vendorIdParam(ctx.params.id);
  const actor = actorOf(ctx.req);
  const vendor = vendorOf(ctx.services, id);
  if (vendor.retiredAt !== null) throw new HttpError(409, `vendor "${id.slice(0, 60)}" already retired on ${iso(vendor.retiredAt)}`);
  const r = ctx.services.app.ownership.retire(id, actor, ctx.now);
  ctx.services.deps.log.info({ vendorId: id, moved: r.moved, to: r.to }, 'vendor retired');
  return { json: { ok: true, vendorId: id, retiredAt: iso(ctx.now), moved: r.moved, to: r.to } };
}

export const reassignBody = z.strictObject({
  vendorId,
  reason: text(500).refine((s) => s.length > 0, 'is required'),
});

/** A manager moves a client to another vendor, with a reason that stays in the history. */
export function reassign(ctx: RequestContext<unknown, z.output<typeof reassignBody>>) {
  const clientId = leadIdParam(ctx.params.id);
  const actor = actorOf(ctx.req);
  const { vendorId: to, reason } = ctx.body;
  ctx.services.app.ownership.reassign(clientId, to, reason, actor, ctx.now);
  ctx.services.deps.log.info({ clientId, vendorId: to }, 'client reassigned');
  return { json: { ok: true, clientId, ownerVendorId: to, owners: ownerHistory(ctx.services, clientId) } };
}

/** Every owner a client had, oldest first, and the current one. */
export function owners(ctx: RequestContext) {
  const clientId = leadIdParam(ctx.params.id);
  const c = ctx.services.vendors.clientOwner(clientId);
  if (!c) throw new HttpError(404, `client ${clientId} not found`);
  return {
    json: { clientId, ownerVendorId: c.ownerVendorId, ownerSince: iso(c.ownerSince), lastActivityAt: iso(c.lastActivityAt), owners: ownerHistory(ctx.services, clientId) },
  };
}
