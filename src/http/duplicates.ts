import { z } from 'zod';
import { audited } from './audit.ts';
import { HttpError } from './errors.ts';
import { iso } from './leads.ts';
import { leadIdParam } from './params.ts';
import { callerOf, type RequestContext } from './types.ts';

export const duplicatesQuery = z.strictObject({ status: z.enum(['open', 'merged', 'dismissed', 'unmerged']).optional() });

/** "Posibles duplicados": two records sharing a phone whose names, emails or IDs disagree. */
export function listDuplicates(ctx: RequestContext<z.output<typeof duplicatesQuery>>) {
  const rows = ctx.services.duplicates.list(ctx.query.status ?? 'open', callerOf(ctx).scope, 200);
  return { json: { items: rows.map(({ undo: _undo, ...r }) => ({ ...r, createdAt: iso(r.createdAt), decidedAt: iso(r.decidedAt) })) } };
}

/** The mark, if the caller may see both of its clients; otherwise 404 as if absent. */
async function visibleMark(ctx: RequestContext) {
  const id = leadIdParam(ctx.params.id);
  const d = ctx.services.duplicates.get(id);
  const { scope } = callerOf(ctx);
  if (!d || !(await ctx.services.queries.clientVisible(d.clientId, scope)) || !(await ctx.services.queries.clientVisible(d.otherClientId, scope))) throw new HttpError(404, `no existe la marca de duplicado ${id}`);
  return d;
}

export const decisionBody = z.strictObject({});

export async function merge(ctx: RequestContext) {
  const d = await visibleMark(ctx);
  const r = ctx.services.duplicates.merge(d.id, callerOf(ctx).actor, ctx.now);
  audited(ctx, 'client.merge', 'client', d.otherClientId, { duplicateId: d.id, from: d.clientId, leads: r.leadIds.length });
  return { json: { ok: true, id: d.id, status: 'merged', clientId: d.otherClientId, movedLeads: r.leadIds, filled: r.filled } };
}

export async function unmerge(ctx: RequestContext) {
  const d = await visibleMark(ctx);
  const r = ctx.services.duplicates.unmerge(d.id, callerOf(ctx).actor, ctx.now);
  audited(ctx, 'client.unmerge', 'client', d.clientId, { duplicateId: d.id, leads: r.leadIds.length });
  return { json: { ok: true, id: d.id, status: 'unmerged', clientId: d.clientId, movedLeads: r.leadIds } };
}

export async function dismiss(ctx: RequestContext) {
  const d = await visibleMark(ctx);
  ctx.services.duplicates.dismiss(d.id, callerOf(ctx).actor, ctx.now);
  audited(ctx, 'client.dismiss_duplicate', 'client', d.clientId, { duplicateId: d.id });
  return { json: { ok: true, id: d.id, status: 'dismissed' } };
}
