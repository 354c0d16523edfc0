import { z } from 'zod';
import { text } from './actions.ts';
import { HttpError } from './errors.ts';
import { iso, ownerHistory } from './leads.ts';
import { leadIdParam, vendorId, vendorIdParam } from './params.ts';
import { callerOf, type RequestContext } from './types.ts';
import { auditedWork } from './audit.ts';
import { reassignClient, requireWholeClients, retireVendor } from '../leads/ownership.ts';
import { seesVendor } from '../auth/scope.ts';
import { enqueueReassignNotice } from '../outbox/reassign.ts';

// Ownership rules live in src/leads/ownership.ts; an AppError thrown there becomes its status in server.ts.

/** A vendor the caller may see; any other answers 404, as if it did not exist. */
async function vendorOf(ctx: RequestContext, id: string) {
  const v = seesVendor(callerOf(ctx).scope, id) ? await ctx.services.vendors.get(id) : null;
  if (!v) throw new HttpError(404, `vendedor "${id.slice(0, 60)}" no encontrado`);
  return v;
}

/** A client the caller may see (one of its leads is in scope); others answer 404. */
async function visibleClient(ctx: RequestContext, clientId: number): Promise<void> {
  if (!(await ctx.services.queries.clientVisible(clientId, callerOf(ctx).scope))) throw new HttpError(404, `no existe el cliente ${clientId}`);
}

const vendorView = (v: { id: string; name: string; type: string; active: boolean; retiredAt: number | null }) => ({
  id: v.id, name: v.name, type: v.type, active: v.active && v.retiredAt === null, retiredAt: iso(v.retiredAt),
});

/** Every vendor, retired ones included, with how many leads wait for their first contact. */
export async function listVendors(ctx: RequestContext) {
  return { json: { items: (await ctx.services.vendors.list(callerOf(ctx).scope)).map((v) => ({ ...vendorView(v), pending: v.pending })) } };
}

/** A vendor's leads with no registered contact yet, oldest first, with the deadline and status. */
export async function pending(ctx: RequestContext) {
  const id = vendorIdParam(ctx.params.id);
  const { vendors } = ctx.services;
  const vendor = await vendorOf(ctx, id);
  const projects = await vendors.projectNames();
  const items = (await vendors.pending(id, callerOf(ctx).scope, ctx.now)).map((l) => ({
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

/**
 * A vendor leaves: their clients move round-robin to active vendors of the same type. A gerente of
 * some projects moves only the vendor's clients of those projects, to vendors who sell them, and
 * retires the vendor only when they sell nothing else; a vendor with nothing in her projects is 404.
 */
export async function retire(ctx: RequestContext<unknown, z.output<typeof retireBody>>) {
  const id = vendorIdParam(ctx.params.id);
  const caller = callerOf(ctx);
  const { vendors } = ctx.services;
  const vendor = await vendorOf(ctx, id);
  const projectIds = caller.scope.projectIds;
  const inScope = (list: number[] | undefined) => projectIds !== null && (list ?? []).some((p) => projectIds.includes(p));
  const sells = await vendors.projectIdsByVendor();
  const clientIds = projectIds ? await vendors.clientsWithin(id, projectIds) : [];
  if (projectIds && !inScope(sells.get(id)) && !clientIds.length) throw new HttpError(404, `vendedor "${id.slice(0, 60)}" no encontrado`);
  if (vendor.retiredAt !== null) throw new HttpError(409, `el vendedor "${id.slice(0, 60)}" ya fue retirado el ${iso(vendor.retiredAt)}`);
  const r = await auditedWork(
    ctx,
    (tx) => retireVendor(tx, id, caller.actor, ctx.now, projectIds
      ? { clientIds, heir: (v) => inScope(sells.get(v.id)), retire: (sells.get(id) ?? []).every((p) => projectIds.includes(p)) }
      : undefined),
    (x) => ({ action: 'vendor.retire', objectType: 'vendor', objectId: id, data: { moved: x.moved, to: x.to, retired: x.retired, ...(projectIds ? { projectIds } : {}) } }),
  );
  ctx.services.deps.log.info({ vendorId: id, moved: r.moved, to: r.to, retired: r.retired }, 'vendor retired');
  const notice = r.retired ? {} : { notice: `${vendor.name} también vende en proyectos que no gestionas: pasaron solo sus clientes de tus proyectos; sigue activo en los demás` };
  return { json: { ok: true, vendorId: id, retired: r.retired, retiredAt: r.retired ? iso(ctx.now) : null, moved: r.moved, to: r.to, ...notice } };
}

export const reassignBody = z.strictObject({
  vendorId,
  reason: text(500).refine((s) => s.length > 0, 'es obligatorio'),
});

/**
 * A manager moves a client to another vendor, with a reason that stays in the history. A
 * supervisor moves clients only within the team; a gerente of some projects only to a vendor who
 * sells the client's project among hers. Either moves only a client wholly in her scope (403).
 */
export async function reassign(ctx: RequestContext<unknown, z.output<typeof reassignBody>>) {
  const clientId = leadIdParam(ctx.params.id);
  const caller = callerOf(ctx);
  const { vendorId: to, reason } = ctx.body;
  const { vendors } = ctx.services;
  await visibleClient(ctx, clientId);
  if (!seesVendor(caller.scope, to)) throw new HttpError(404, `vendedor "${to.slice(0, 60)}" no encontrado`);
  const projectIds = caller.scope.projectIds;
  const clientProjects = projectIds ? (await vendors.clientProjectIds(clientId)).filter((p) => projectIds.includes(p)) : [];
  const vendorProjects = projectIds ? await vendors.projectIdsByVendor() : new Map<string, number[]>();
  const sells = projectIds ? (v: string) => (vendorProjects.get(v) ?? []).some((p) => clientProjects.includes(p)) : undefined;
  const cfg = ctx.services.app.config;
  // The move, its audit entry and the new owner's email (the outbox) commit together; the sender polls the outbox every second.
  const r = await auditedWork(ctx, function* (tx) {
    yield* requireWholeClients(tx, caller.scope, clientId);
    const moved = yield* reassignClient(tx, clientId, to, reason, caller.actor, ctx.now, sells);
    const notified = yield* enqueueReassignNotice(tx, cfg, { clientId, vendorId: to, reason, by: caller.name, leadIds: moved.leadIds, now: ctx.now });
    return { ...moved, notified };
  }, (x) => ({ action: 'client.reassign', objectType: 'client', objectId: clientId, data: { from: x.from, to, reason, leads: x.leadIds } }));
  ctx.services.deps.log.info({ clientId, vendorId: to, leads: r.leadIds.length, notified: r.notified }, 'client reassigned');
  ctx.services.app.live.publish({ type: 'assignment', clientId, vendorId: to, leadIds: r.leadIds });
  return { json: { ok: true, clientId, ownerVendorId: to, owners: await ownerHistory(ctx.services, clientId) } };
}

/** Every owner a client had, oldest first, and the current one. */
export async function owners(ctx: RequestContext) {
  const clientId = leadIdParam(ctx.params.id);
  await visibleClient(ctx, clientId);
  const c = await ctx.services.vendors.clientOwner(clientId);
  if (!c) throw new HttpError(404, `no existe el cliente ${clientId}`);
  return {
    json: { clientId, ownerVendorId: c.ownerVendorId, ownerSince: iso(c.ownerSince), lastActivityAt: iso(c.lastActivityAt), owners: await ownerHistory(ctx.services, clientId) },
  };
}
