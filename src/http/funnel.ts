// The sales funnel over HTTP: counts, each stage's table, interactions in (one or a batch),
// walk-in clients, and a client's timeline (ficha). Everything scoped to the caller.
import { z } from 'zod';
import { isLimited, seesVendor, type Caller } from '../auth/scope.ts';
import { NO_PARSER, wantsDiscarded } from '../db/lead-filter.ts';
import { columnOf, type Cell, type Column, type SourceRecord } from '../funnel/columns.ts';
import { buildFunnel } from '../funnel/count.ts';
import { importRecords, rederive, runImport, type WrittenInteraction } from '../funnel/import.ts';
import { quoteStatus } from '../funnel/rules.ts';
import { funnelSettings } from '../funnel/service.ts';
import { WALK_IN_SENDER, walkInEmail } from '../funnel/walk-in.ts';
import { matchProject } from '../pipeline/project.ts';
import { QUOTE_STATUSES, SEPARATION_STATES, type QuoteContactState } from '../funnel/vocabulary.ts';
import { auditEntry } from './audit.ts';
import { io } from '../db/port.ts';
import { OTHER_VENDOR_NOTICE } from './actions.ts';
import { HttpError } from './errors.ts';
import { filterFrom, iso, withActorNames } from './leads.ts';
import { filterShape, leadIdParam, type FilterQuery } from './params.ts';
import { callerOf, type RequestContext } from './types.ts';

export const funnelQuery = z.strictObject(filterShape);

/** GET /api/funnel: Lead → Cotización → Separación → Minuta → Desembolso for the list's filters and period. */
export async function funnel(ctx: RequestContext<FilterQuery>) {
  const { app, vendors } = ctx.services;
  const filter = await filterFrom(ctx);
  const queries = app.reads.funnel;
  const names = await vendors.names();
  const projects = new Map<number, string>();
  for (const p of await ctx.services.queries.projectNamesById()) projects.set(p.id, p.name);
  const out = buildFunnel(await queries.leadGroups(filter, ctx.now), await queries.interactionGroups(filter, ctx.now), {
    status: filter.status, contactState: filter.contactState, includeDiscarded: wantsDiscarded(filter), noParser: NO_PARSER,
    projectName: (id) => projects.get(id) || null,
    vendorName: (id) => names.get(id) ?? null,
  });
  return { json: { period: { from: iso(filter.from), to: iso(filter.to) }, ...out } };
}

const STAGE_TABLES = ['cotizacion', 'separacion', 'minuta', 'desembolso'] as const;
const STATES = [...new Set<string>([...QUOTE_STATUSES, ...SEPARATION_STATES])];
export const itemsQuery = z.strictObject({
  ...filterShape,
  stage: z.enum(STAGE_TABLES),
  state: z.string().max(300).transform((s, c) => {
    const parts = [...new Set(s.split(',').map((p) => p.trim()).filter(Boolean))];
    for (const p of parts) if (!STATES.includes(p)) c.addIssue({ code: 'custom', message: `"${p.slice(0, 40)}" is not one of ${STATES.join(', ')}` });
    return parts;
  }).optional(),
  limit: z.string().regex(/^\d{1,3}$/, 'debe ser un número entero de 1 a 200').transform(Number).refine((n) => n >= 1 && n <= 200, 'debe ser de 1 a 200').optional(),
  cursor: z.string().regex(/^\d{1,16}\.\d{1,16}$/, 'not a cursor from this list').optional(),
});

/** GET /api/funnel/items?stage=…: one stage's table, with each row's state. */
export async function funnelItems(ctx: RequestContext<z.output<typeof itemsQuery>>) {
  const filter = await filterFrom(ctx as unknown as RequestContext<FilterQuery>);
  const queries = ctx.services.app.reads.funnel;
  const q = ctx.query;
  const before = q.cursor ? { at: Number(q.cursor.split('.')[0]), id: Number(q.cursor.split('.')[1]) } : null;
  const page = await queries.interactionList(q.stage, filter, q.state ?? null, ctx.now, q.limit ?? 50, before);
  const items = page.rows.map((r) => ({
    ...r,
    at: iso(r.at as number),
    deadlineAt: iso(r.deadlineAt as number | null),
    reentry: Boolean(r.reentry),
    status: r.kind === 'cotizacion' ? quoteStatus(r.contactState as QuoteContactState, r.deadlineAt as number, ctx.now) : r.state,
  }));
  return { json: { items, nextCursor: page.next ? `${page.next.at}.${page.next.id}` : null } };
}

const cell = z.union([z.string().max(300), z.number(), z.null()]);
const item = z.record(z.string().max(60), cell).refine((o) => Object.keys(o).length <= 30, 'at most 30 fields');
export const interactionsBody = z.union([z.array(item).min(1).max(500), z.strictObject({ items: z.array(item).min(1).max(500) }), item]);

/** POST /api/interactions: one item or a batch; any bad item answers 400 naming each, and nothing is stored. */
export async function postInteractions(ctx: RequestContext<unknown, z.output<typeof interactionsBody>>) {
  const body = ctx.body;
  const list = Array.isArray(body) ? body : 'items' in body && Array.isArray(body.items) ? body.items : [body as Record<string, Cell>];
  const unknown: { item: number; reason: string }[] = [];
  const records: SourceRecord[] = list.map((raw, i) => {
    const values: Partial<Record<Column, Cell>> = {};
    for (const [k, v] of Object.entries(raw)) {
      const col = columnOf(k);
      if (col) values[col] = v;
      else unknown.push({ item: i, reason: `campo "${k.slice(0, 40)}" desconocido` });
    }
    return { line: i, values };
  });
  const caller = callerOf(ctx);
  const settings = funnelSettings(ctx.services.app);
  const limited = isLimited(caller.scope);
  // The interactions and their audit entries in one unit of work (a dry run keeps neither).
  const report = await runImport(ctx.services.app.store, function* (tx) {
    const written: WrittenInteraction[] = [];
    const r = yield* importRecords(tx, records, settings, {
      actor: caller.actor, defaultSource: 'api', createClients: !limited, now: ctx.now, dryRun: unknown.length > 0,
      clientScope: limited ? caller.scope : undefined,
      seesProject: caller.scope.projectIds ? (id) => caller.scope.projectIds!.includes(id) : undefined,
      // A vendedor's writes name themselves; a supervisor names their team; a gerente of some projects, their vendors.
      defaultVendorId: caller.role === 'vendedor' ? caller.vendorId : null,
      vendorRefusal: (vendorId, projectId, sells) => vendorRefusal(caller, vendorId, projectId, sells),
      onWritten: (w) => written.push(w),
    });
    for (const w of r.imported ? written : []) {
      yield* io(tx.audit(auditEntry(ctx, `interaction.${w.outcome === 'created' ? 'create' : 'update'}`, 'interaction', w.id,
        { kind: w.kind, externalId: w.externalId, clientId: w.clientId, projectId: w.projectId, ...(w.before ? { before: w.before } : {}) })));
    }
    return r;
  });
  const errors = [...unknown, ...report.errors.map((e) => ({ item: e.line, reason: e.reason }))].sort((a, b) => a.item - b.item);
  if (errors.length) {
    return { status: 400, json: { error: errors.map((e) => `items[${e.item}]: ${e.reason}`).join('; ').slice(0, 2000), errors } };
  }
  return { json: { created: report.created, updated: report.updated, unchanged: report.unchanged, clientsCreated: report.clientsCreated, ids: report.ids } };
}

/** Why a limited caller may not record an interaction in this vendor's name (null: they may). */
function vendorRefusal(caller: Caller, vendorId: string, projectId: number | null, sells: number[]): string | null {
  if (caller.role === 'vendedor') return vendorId === caller.vendorId ? null : `vendedor "${vendorId.slice(0, 40)}": un vendedor registra solo a su propio nombre`;
  if (!seesVendor(caller.scope, vendorId)) return `vendedor "${vendorId.slice(0, 40)}" fuera de tu equipo`;
  if (caller.scope.projectIds && projectId !== null && !sells.includes(projectId)) return `vendedor "${vendorId.slice(0, 40)}" no vende ese proyecto`;
  return null;
}

const field = (max: number) => z.string().max(max).optional();
export const walkInBody = z.strictObject({ name: field(200), nationalId: field(100), email: field(254), phone: field(64), project: field(300), message: field(2000) });

/**
 * POST /api/walk-ins: a client registered by hand in the sales room, through the email pipeline's
 * rules. A person known already is the same client (the first to register them keeps them): when
 * that client, or the new lead, is outside the caller's scope the answer carries neither id and
 * says the client belongs to another vendor; the visit stays on the client's record.
 */
export async function walkIn(ctx: RequestContext<unknown, z.output<typeof walkInBody>>) {
  const { app, queries } = ctx.services;
  const caller = callerOf(ctx);
  const b = ctx.body;
  if (!b.email && !b.phone) throw new HttpError(400, 'email o teléfono: se necesita al menos uno para contactar al cliente');
  // A gerente of some projects registers visits to those projects only.
  if (caller.scope.projectIds) {
    const project = b.project ? matchProject(b.project, app.context().projects).project : null;
    const projectId = app.store.projectId(project);
    if (projectId === null || !caller.scope.projectIds.includes(projectId)) throw new HttpError(400, 'proyecto: indica uno de tus proyectos');
  }
  // The lead, its client and follow-up (named after the person), the visit's interaction and the
  // audit row commit in one unit of work: never a walk-in lead without its person.
  const r = await app.ingestor.ingest(walkInEmail(b, caller.actor, ctx.now), { source: 'file', file: WALK_IN_SENDER }, {
    actor: caller.actor,
    *alsoRecord(tx, [rec]) {
      const { leadId, clientId } = rec.result;
      if (leadId === null) return;
      const o = rec.outcome.kind === 'lead' ? rec.outcome : null;
      const projectId = tx.projectId(o ? o.fields.project : null);
      if (clientId !== null) {
        const owner = (yield* io(tx.getClient(clientId)))?.ownerVendorId ?? null;
        yield* io(tx.upsertInteraction({ key: `lead:${leadId}`, externalId: null, kind: 'lead', clientId, projectId, at: rec.receivedAt, product: null, model: null, amount: null,
          source: 'sala_de_ventas', state: null, deadlineAt: null, leadId, ownerVendorId: owner, actor: caller.actor }, ctx.now));
        yield* rederive(tx, clientId, ctx.now);
      }
      yield* io(tx.audit(auditEntry(ctx, 'lead.walk_in', 'lead', leadId, { clientId, projectId, quality: o?.quality ?? null })));
    },
  });
  if (r.error || !r.leadId) throw new HttpError(500, 'no se pudo registrar el contacto');
  const leadId = r.leadId;
  const o = r.outcome?.kind === 'lead' ? r.outcome : null;
  const leadSeen = await queries.leadVisible(leadId, caller.scope);
  const clientSeen = r.clientId !== null && (await queries.clientVisible(r.clientId, caller.scope));
  const base = { quality: o?.quality ?? null, problems: o?.problems ?? [] };
  if (!leadSeen || (r.clientId !== null && !clientSeen)) {
    // A new client goes round-robin among the project's vendors, as every lead does; a known one stays with its owner.
    const isNew = (await app.store.getLead(leadId))?.contactType === 'nuevo';
    const notice = isNew ? 'El cliente quedó asignado a otro vendedor del proyecto (reparto por turnos): la visita quedó en su ficha.' : OTHER_VENDOR_NOTICE;
    return { status: 201, json: { leadId: null, clientId: null, ...base, followUpAt: null, clientOfAnotherVendor: true, notice } };
  }
  return { status: 201, json: { leadId, clientId: r.clientId, ...base, followUpAt: iso(r.followUpAt) } };
}

/** GET /api/clients/:id/timeline: the caller's part of the client's leads, interactions and follow-ups, newest first. */
export async function timeline(ctx: RequestContext) {
  const id = leadIdParam(ctx.params.id);
  const { queries, app } = ctx.services;
  const { scope } = callerOf(ctx);
  if (!(await queries.clientVisible(id, scope))) throw new HttpError(404, `no existe el cliente ${id}`);
  const t = await app.reads.funnel.timeline(id, scope);
  if (!t.client) throw new HttpError(404, `no existe el cliente ${id}`);
  // A hand-registered lead's record only says where it came in: shown on the lead's own row.
  const intake = new Map(t.items.filter((i) => i.kind === 'lead').map((i) => [i.leadId, i.source]));
  const rows: (Record<string, unknown> & { type: string; at: unknown })[] = [
    ...t.leads.map((l) => ({ type: 'lead', at: l.at, ...l, source: intake.get(l.id) ?? 'centralizador' })),
    ...t.items.filter((i) => i.kind !== 'lead').map((i) => ({ type: i.kind as string, at: i.at, ...i, reentry: Boolean(i.reentry) })),
    ...(await withActorNames(ctx.services, t.followUps, 'createdBy', 'createdByName')).map((f) => ({ type: 'seguimiento', at: f.at, ...f })),
  ].sort((a, b) => (b.at as number) - (a.at as number));
  const stageRows = rows.filter((r) => r.type !== 'seguimiento');
  const contacts = t.leads.map((l) => l.lastContactAt as number | null).filter((x): x is number => x !== null);
  const present = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, /At$/.test(k) && typeof v === 'number' ? iso(v) : k === 'at' ? iso(v as number) : v]));
  return {
    json: {
      client: present(t.client),
      lastInteraction: stageRows[0] ? { type: stageRows[0].type, at: iso(stageRows[0].at as number) } : null,
      lastContactAt: contacts.length ? iso(Math.max(...contacts)) : null,
      timeline: rows.map(present),
    },
  };
}
