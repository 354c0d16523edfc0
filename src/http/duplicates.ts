import { z } from 'zod';
import { io } from '../db/port.ts';
import { requireWholeClients } from '../leads/ownership.ts';
import { auditedWork } from './audit.ts';
import { HttpError } from './errors.ts';
import { iso } from './leads.ts';
import { leadIdParam } from './params.ts';
import { callerOf, type RequestContext } from './types.ts';

export const duplicatesQuery = z.strictObject({ status: z.enum(['open', 'merged', 'dismissed', 'unmerged']).optional() });

/** "Posibles duplicados": two records sharing a phone whose names, emails or IDs disagree. */
export async function listDuplicates(ctx: RequestContext<z.output<typeof duplicatesQuery>>) {
  const rows = await ctx.services.duplicates.list(ctx.query.status ?? 'open', callerOf(ctx).scope, 200);
  return { json: { items: rows.map(({ undo: _undo, ...r }) => ({ ...r, createdAt: iso(r.createdAt), decidedAt: iso(r.decidedAt) })) } };
}

/** The mark, if the caller may see both of its clients; otherwise 404 as if absent. */
async function visibleMark(ctx: RequestContext) {
  const id = leadIdParam(ctx.params.id);
  const d = await ctx.services.duplicates.get(id);
  const { scope } = callerOf(ctx);
  if (!d || !(await ctx.services.queries.clientVisible(d.clientId, scope)) || !(await ctx.services.queries.clientVisible(d.otherClientId, scope))) throw new HttpError(404, `no existe la marca de duplicado ${id}`);
  return d;
}

export const decisionBody = z.strictObject({});

export async function merge(ctx: RequestContext) {
  const d = await visibleMark(ctx);
  const { actor, scope } = callerOf(ctx);
  const r = await auditedWork(ctx, function* (tx) {
    yield* requireWholeClients(tx, scope, d.clientId, d.otherClientId); // a merge moves every lead of both records
    return yield* io(tx.mergeDuplicate(d.id, actor, ctx.now));
  }, (x) => ({ action: 'client.merge', objectType: 'client', objectId: d.otherClientId, data: { duplicateId: d.id, from: d.clientId, leads: x.leadIds.length } }));
  return { json: { ok: true, id: d.id, status: 'merged', clientId: d.otherClientId, movedLeads: r.leadIds, filled: r.filled } };
}

export async function unmerge(ctx: RequestContext) {
  const d = await visibleMark(ctx);
  const { actor, scope } = callerOf(ctx);
  const r = await auditedWork(ctx, function* (tx) {
    yield* requireWholeClients(tx, scope, d.clientId, d.otherClientId); // and its undo moves them back
    return yield* io(tx.unmergeDuplicate(d.id, actor, ctx.now));
  }, (x) => ({ action: 'client.unmerge', objectType: 'client', objectId: d.clientId, data: { duplicateId: d.id, leads: x.leadIds.length } }));
  return { json: { ok: true, id: d.id, status: 'unmerged', clientId: d.clientId, movedLeads: r.leadIds } };
}

/** A dismissal taken back ("No es duplicado" was a mistake): the mark is open again. */
export async function reopen(ctx: RequestContext) {
  const d = await visibleMark(ctx);
  const actor = callerOf(ctx).actor;
  await auditedWork(ctx, (tx) => io(tx.reopenDuplicate(d.id, actor, ctx.now)), () => ({ action: 'client.reopen_duplicate', objectType: 'client', objectId: d.clientId, data: { duplicateId: d.id } }));
  return { json: { ok: true, id: d.id, status: 'open' } };
}

export async function dismiss(ctx: RequestContext) {
  const d = await visibleMark(ctx);
  const actor = callerOf(ctx).actor;
  await auditedWork(ctx, (tx) => io(tx.dismissDuplicate(d.id, actor, ctx.now)), () => ({ action: 'client.dismiss_duplicate', objectType: 'client', objectId: d.clientId, data: { duplicateId: d.id } }));
  return { json: { ok: true, id: d.id, status: 'dismissed' } };
}
