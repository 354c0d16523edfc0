import { z } from 'zod';
import { countryModule } from '../countries/index.ts';
import { formatNationalId } from '../normalize/national-id.ts';
import { langOf } from '../outbox/templates.ts';
import { statusOf } from '../db/lead-filter.ts';
import { ClientConflict, editClient, type ClientEditResult } from '../leads/client-edit.ts';
import { requireWholeClients } from '../leads/ownership.ts';
import { actionContext, text } from './actions.ts';
import { auditedWork } from './audit.ts';
import { HttpError } from './errors.ts';
import { actionData, iso, ownerHistory, portalNames, withActorNames } from './leads.ts';
import { leadIdParam } from './params.ts';
import { callerOf, type RequestContext } from './types.ts';
import type { ClientSummary } from '../db/funnel-reads.ts';

/** The client named in the path, if the caller may see it (vendors their own, supervisors their team's, gerentes their projects'); else 404. */
async function visibleClient(ctx: RequestContext): Promise<number> {
  const id = leadIdParam(ctx.params.id);
  if (!(await ctx.services.queries.clientVisible(id, callerOf(ctx).scope))) throw new HttpError(404, `no existe el cliente ${id}`);
  return id;
}

/** A stored national ID as people write it ('12.345.678-5'); null when absent. */
function idDisplay(ctx: RequestContext, value: string | null, type: string | null): string | null {
  if (!value) return null;
  const country = ctx.services.app.config.country;
  return formatNationalId({ value, type: type ?? countryModule(country).ids[0]?.type ?? '' }, country);
}

const isoTimes = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, /(At|^at)$/.test(k) && typeof v === 'number' ? iso(v) : v]));

/**
 * GET /api/clients/:id: the ficha del cliente. Everything is the caller's part of the client: the
 * leads they see (across projects and portals), the interactions and follow-ups of those, the
 * history of those leads and of the record itself, the owner per project and the duplicate marks
 * whose other side they also see. Ids outside the scope are left out.
 */
export async function clientRecord(ctx: RequestContext) {
  const id = await visibleClient(ctx);
  const { app } = ctx.services;
  const { scope } = callerOf(ctx);
  const r = await app.reads.clientRecord.record(id, scope);
  if (!r.client) throw new HttpError(404, `no existe el cliente ${id}`);
  const vendorNames = await ctx.services.vendors.names();
  const vendorName = (v: string | null) => (v ? vendorNames.get(v) ?? v : null);
  const portals = portalNames(ctx.services);
  const leadIds = new Set(r.leads.map((l) => l.id));
  const leads = r.leads.map((l) => ({
    id: l.id, receivedAt: iso(l.receivedAt), project: l.project, projectText: l.projectText, portal: l.parser, portalName: l.parser ? portals.get(l.parser) ?? l.parser : null,
    medium: l.medium, quality: l.quality, problems: JSON.parse(l.problems) as string[], contactState: l.contactState, status: statusOf(l.contactState as never, l.deadlineAt, ctx.now),
    deadlineAt: iso(l.deadlineAt), followUpAt: iso(l.followUpAt), lastContactAt: iso(l.lastContactAt), owner: l.ownerVendorId, ownerName: vendorName(l.ownerVendorId),
    contactType: l.contactType, name: l.name, nationalId: l.nationalId, email: l.email, phone: l.phone,
  }));
  // The owner per project: who has the client's latest lead of each project.
  const byProject = new Map<string, { project: string; owner: string | null; ownerName: string | null; since: string | null }>();
  for (const l of leads) {
    const key = l.project ?? l.projectText ?? '—';
    if (!byProject.has(key)) byProject.set(key, { project: key, owner: l.owner, ownerName: l.ownerName, since: l.receivedAt });
  }
  const history = await withActorNames(ctx.services, r.actions.map((a) => ({ at: iso(a.at), action: a.action, actor: a.actor, leadId: a.leadId, data: actionData(a.data) })));
  const followUps = await withActorNames(ctx.services, r.followUps.map((f) => ({ ...isoTimes(f), leadId: leadIds.has(f.leadId as number) ? f.leadId : null })), 'createdBy', 'createdByName');
  const interactions = r.interactions.map((i) => ({ ...isoTimes(i), leadId: leadIds.has(i.leadId as number) ? i.leadId : null, ownerName: vendorName(i.ownerVendorId as string | null) }));
  const duplicates = [];
  for (const d of r.duplicates) {
    const otherId = d.clientId === id ? d.otherClientId : d.clientId;
    if (!(await ctx.services.queries.clientVisible(otherId, scope))) continue;
    const other = await app.reads.clientRecord.summary(otherId);
    duplicates.push({ id: d.id, status: d.status, reason: d.reason, createdAt: iso(d.createdAt), decidedAt: iso(d.decidedAt), decidedBy: d.decidedBy, mergedAway: d.clientId === id, other: other ? summaryView(ctx, other) : null });
  }
  const c = r.client;
  const country = countryModule(app.config.country);
  const phones = [...new Set([c.phone, ...r.leads.map((l) => l.phone)].filter((p): p is string => Boolean(p)))];
  const stage = [...r.interactions].sort((a, b) => (b.at as number) - (a.at as number))[0];
  const contacts = r.leads.map((l) => l.lastContactAt).filter((x): x is number => x !== null);
  return {
    json: {
      client: {
        id: c.id, name: c.name, nationalId: c.nationalId, nationalIdType: c.nationalIdType, nationalIdDisplay: idDisplay(ctx, c.nationalId, c.nationalIdType), email: c.email, phone: c.phone, phones,
        country: { code: country.code, name: country.name, idLabel: country.idLabel },
        owner: c.ownerVendorId, ownerName: vendorName(c.ownerVendorId), ownerSince: iso(c.ownerSince), createdAt: iso(c.createdAt), lastActivityAt: iso(c.lastActivityAt),
      },
      leads,
      owners: { current: c.ownerVendorId, currentName: vendorName(c.ownerVendorId), byProject: [...byProject.values()], history: await ownerHistory(ctx.services, id) },
      history,
      interactions,
      followUps,
      duplicates,
      lastContactAt: contacts.length ? iso(Math.max(...contacts)) : null,
      lastInteraction: stage ? { type: stage.kind, at: iso(stage.at as number) } : null,
    },
  };
}

export const clientEditBody = z
  .strictObject({
    name: text(200).optional(),
    nationalId: text(100).optional(),
    email: text(254).optional(),
    phone: text(64).optional(),
    confirmMerge: z.boolean().optional(),
  })
  .refine((b) => b.name !== undefined || b.nationalId !== undefined || b.email !== undefined || b.phone !== undefined, 'indica al menos uno de nombre, documento, email o teléfono');

const MERGERS = new Set(['admin', 'gerente']);

/** The 409's words, in the company's language. */
const CONFLICT_TEXT = {
  es: {
    hidden: (what: string) => `El ${what} pertenece a otro cliente que no está a tu cargo; pide a un gerente que revise la ficha.`,
    named: (what: string, name: string) => `El ${what} pertenece a otro cliente: ${name}.`,
    ask: ' ¿Unir esta ficha con la suya? Se puede deshacer.',
    manager: ' Pide a un gerente que una las fichas.',
    noName: 'sin nombre',
  },
  pt: {
    hidden: (what: string) => `O ${what} pertence a outro cliente que não está sob sua responsabilidade; peça a um gerente que revise a ficha.`,
    named: (what: string, name: string) => `O ${what} pertence a outro cliente: ${name}.`,
    ask: ' Unir esta ficha com a dele? Pode ser desfeito.',
    manager: ' Peça a um gerente que una as fichas.',
    noName: 'sem nome',
  },
};
const summaryView = (ctx: RequestContext, s: ClientSummary) => ({ id: s.id, name: s.name, nationalId: s.nationalId, nationalIdDisplay: idDisplay(ctx, s.nationalId, null), email: s.email, phone: s.phone, leads: s.leads });

/**
 * POST /api/clients/:id/edit: corrects the ficha (name, national ID, email, phone). Invalid values
 * answer 400 with the reason and nothing is saved; the client's leads the caller sees take the
 * corrected values and are re-classified. A national ID or email of another client answers 409
 * describing it (if the caller sees it); `confirmMerge: true` then merges this record into that one
 * (admins and gerentes; undo with POST /api/duplicates/:duplicateId/unmerge). Audited with the person.
 */
export async function editClientRecord(ctx: RequestContext<unknown, z.output<typeof clientEditBody>>) {
  const id = await visibleClient(ctx);
  const caller = callerOf(ctx);
  const { app } = ctx.services;
  const { confirmMerge = false, ...edit } = ctx.body;
  const visibleLeads = new Set((await app.reads.clientRecord.record(id, caller.scope)).leads.map((l) => l.id));
  const canMerge = MERGERS.has(caller.role);
  let r: ClientEditResult;
  try {
    r = await auditedWork(
      ctx,
      function* (tx) {
        const result = yield* editClient(tx, actionContext(ctx.services), id, edit, { confirmMerge: false, actor: caller.actor, now: ctx.now, leadIds: visibleLeads });
        return result;
      },
      // A save that changed nothing leaves no entry.
      (x) => (x.changed.length || x.leads.length ? { action: 'client.edit', objectType: 'client', objectId: id, data: { changed: x.changed, before: x.before, after: x.after, leads: x.leads } } : []),
    );
  } catch (err) {
    if (!(err instanceof ClientConflict)) throw err;
    const seen = await ctx.services.queries.clientVisible(err.otherClientId, caller.scope);
    const what = err.key === 'nationalId' ? countryModule(app.config.country).idLabel : langOf(app.config.country) === 'pt' ? 'e-mail' : 'email';
    const words = CONFLICT_TEXT[langOf(app.config.country) === 'pt' ? 'pt' : 'es'];
    if (!seen) return { status: 409, json: { error: words.hidden(what), code: 'client.conflict', conflict: { key: err.key, canMerge: false } } };
    const other = await app.reads.clientRecord.summary(err.otherClientId);
    if (!confirmMerge || !canMerge) {
      const error = `${words.named(what, other?.name ?? words.noName)}${canMerge ? words.ask : words.manager}`;
      return { status: 409, json: { error, code: 'client.conflict', conflict: { key: err.key, canMerge, client: other ? summaryView(ctx, other) : null } } };
    }
    const otherId = err.otherClientId;
    r = await auditedWork(
      ctx,
      function* (tx) {
        // The merge moves every lead of this record: both must be wholly the caller's (403).
        yield* requireWholeClients(tx, caller.scope, id, otherId);
        return yield* editClient(tx, actionContext(ctx.services), id, edit, { confirmMerge: true, actor: caller.actor, now: ctx.now, leadIds: visibleLeads });
      },
      (x) => [
        { action: 'client.edit', objectType: 'client', objectId: id, data: { changed: x.changed, before: x.before, after: x.after, mergeInto: x.merged?.intoClientId } },
        { action: 'client.merge', objectType: 'client', objectId: x.merged?.intoClientId ?? null, data: { duplicateId: x.merged?.duplicateId, from: id, leads: x.merged?.movedLeads.length ?? 0 } },
      ],
    );
  }
  // Ids and field names only: the values are personal data (they are in the audit table).
  ctx.services.deps.log.info({ clientId: id, changed: r.changed, leads: r.leads.length, merged: r.merged ? r.merged.duplicateId : null }, 'client edited');
  return {
    json: {
      ok: true,
      clientId: r.merged ? r.merged.intoClientId : id,
      changed: r.changed,
      leads: r.leads.map((l) => ({ ...l, followUpAt: iso(l.followUpAt) })),
      merged: r.merged ? { duplicateId: r.merged.duplicateId, intoClientId: r.merged.intoClientId, movedLeads: r.merged.movedLeads.filter((l) => visibleLeads.has(l)) } : null,
    },
  };
}
