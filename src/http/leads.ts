import { overdueStatus } from '../vocabulary.ts';
import { currentProblemDetails, portalDisplayName, problemTexts } from '../leads/display.ts';
import { z } from 'zod';
import { langOf } from '../outbox/templates.ts';
import { CONTACT_STATES, MEDIUMS, NO_PARSER, QUALITIES, STATUSES, statusOf, wantsDiscarded, type LeadRow } from '../db/lead-filter.ts';
import { CONTACT_CHANNELS, DISCARD_REASONS, EXPECTATIONS } from '../vocabulary.ts';
import { HttpError } from './errors.ts';
import { decodeCursor, encodeCursor, filterQuery, leadIdParam, listQuery, toLeadFilter, type FilterQuery } from './params.ts';
import { callerOf, type RequestContext, type Services } from './types.ts';
import { seesVendor } from '../auth/scope.ts';
import { countryModule } from '../countries/index.ts';
import { ownerHistory as coreOwnerHistory } from '../leads/ownership.ts';
import { withQuarantine } from './parser-health.ts';

export const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** A list row as the API shows it. */
export function leadItem(r: LeadRow, now: number) {
  return {
    id: r.id,
    quality: r.quality,
    contactState: r.contactState,
    status: statusOf(r.contactState, r.deadlineAt, now),
    fields: { name: r.name, nationalId: r.nationalId, email: r.email, phone: r.phone, project: r.project, message: r.message },
    project: r.project,
    projectText: r.projectText,
    parser: r.parser,
    medium: r.medium,
    receivedAt: iso(r.receivedAt),
    followUpAt: iso(r.followUpAt),
    deadlineAt: iso(r.deadlineAt),
    lastContactAt: iso(r.lastContactAt),
    lastActionAt: iso(r.lastActionAt),
    clientId: r.clientId,
    owner: r.owner,
    contactType: r.contactType,
    problems: JSON.parse(r.problems) as string[],
  };
}

/** The request's filter, always narrowed to what the caller may see. */
export async function filterFrom(ctx: RequestContext<FilterQuery>) {
  const { queries, vendors, app } = ctx.services;
  const { scope } = callerOf(ctx);
  // A vendor outside the caller's scope is as unknown as one that does not exist.
  const filter = await toLeadFilter(ctx.query, app.config.country, queries, app.config.timezone, async (id) => seesVendor(scope, id) && (await vendors.exists(id)));
  return { ...filter, scope };
}

/** The list's substring search looks at the newest matches only (see LeadFilter.searchCap). */
export const SEARCH_CAP = 1000;

export async function listLeads(ctx: RequestContext<z.output<typeof listQuery>>) {
  const filter = await filterFrom(ctx);
  const cursor = ctx.query.cursor ? decodeCursor(ctx.query.cursor) : null;
  const page = await ctx.services.queries.list({ ...filter, searchCap: SEARCH_CAP }, ctx.query.limit ?? 50, cursor, ctx.now);
  // The "posible duplicado" badge: whether the lead's client has an open mark (never the other record's id).
  const marked = new Set(await ctx.services.duplicates.openAmong(page.rows.flatMap((r) => (r.clientId === null ? [] : [r.clientId]))));
  const items = page.rows.map((r) => ({ ...leadItem(r, ctx.now), possibleDuplicate: r.clientId !== null && marked.has(r.clientId) }));
  return { json: { items, nextCursor: page.next ? encodeCursor(page.next) : null } };
}

const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** The funnel: discarded leads count only in contactState.descartado and status.descartado. */
export async function stats(ctx: RequestContext<z.output<typeof filterQuery>>) {
  const filter = await filterFrom(ctx);
  const groups = await ctx.services.queries.statsGroups(filter, ctx.now);
  const includeDiscarded = wantsDiscarded(filter);
  const out = {
    total: 0,
    quality: zeros(QUALITIES),
    contactState: zeros(CONTACT_STATES),
    status: zeros(STATUSES),
    medium: zeros(MEDIUMS),
    byParser: {} as Record<string, number>,
  };
  for (const g of groups) {
    out.contactState[g.state] += g.n;
    const status = overdueStatus(g.state, g.overdue);
    out.status[status] += g.n;
    if (g.state === 'descartado') {
      if (includeDiscarded) out.total += g.n; // the list shows them only when asked, and total matches the list
      continue;
    }
    out.total += g.n;
    out.quality[g.quality] += g.n;
    out.medium[g.medium] += g.n;
    const parser = g.parser ?? NO_PARSER;
    out.byParser[parser] = (out.byParser[parser] ?? 0) + g.n;
  }
  // Parser health is about every portal's mail: managers only.
  const role = callerOf(ctx).role;
  return { json: { ...out, ...(role === 'admin' || role === 'gerente' ? { parserHealth: await parserHealth(ctx.services, ctx.now) } : {}) } };
}

/** A cached answer still good at `now`, within `ttl` ms of when it was made (a clock that went back refreshes it). */
function fresh<T extends { at: number }>(hit: T | undefined, now: number, ttl: number): hit is T {
  return hit !== undefined && now >= hit.at && now - hit.at < ttl;
}

/** Per-parser health changes slowly and costs a scan of the week's leads: computed at most once a minute. */
const PARSER_HEALTH_TTL_MS = 60_000;
const parserHealthCache = new WeakMap<Services, { at: number; value: Awaited<ReturnType<Services['parserHealth']['compute']>> }>();

export async function parserHealth(s: Services, now: number) {
  const hit = parserHealthCache.get(s);
  if (fresh(hit, now, s.deps.cacheMs === 0 ? 0 : PARSER_HEALTH_TTL_MS)) return withQuarantine(hit.value, s.app.quarantine.list());
  const configured = s.app.context().parsers.map((p) => p.config.id);
  const value = await s.parserHealth.compute(s.queries, configured, now);
  parserHealthCache.set(s, { at: now, value });
  return withQuarantine(value, s.app.quarantine.list());
}

/** Keys of a history entry that name other records (client, lead or mark ids): left out of what a person reads. */
const FOREIGN_KEYS = /(Id|Ids)$|^(alsoContacted|viaLead|leads|mergeInto|movedLeads)$/;

/** An action's or audit entry's data without the ids of other records (they may be outside the reader's scope). */
export function withoutForeignIds(data: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return data;
  return Object.fromEntries(Object.entries(data).filter(([k]) => !FOREIGN_KEYS.test(k)));
}

/** An action's stored data (JSON text), without the ids of other records. */
export const actionData = (data: string) => withoutForeignIds(JSON.parse(data || '{}')) as Record<string, unknown>;

/** Row keys to camelCase and `*_at` times to ISO, JSON columns parsed: the detail view's shape. */
function present(row: Record<string, unknown> | null | undefined, json: string[] = []) {
  if (!row) return null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const name = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (/(_at|At|_since)$/.test(key) && typeof value === 'number') out[name] = iso(value);
    else if (json.includes(key) && typeof value === 'string') out[name] = JSON.parse(value);
    else out[name] = value;
  }
  return out;
}

export async function leadDetail(ctx: RequestContext) {
  const id = leadIdParam(ctx.params.id);
  const d = await ctx.services.queries.detail(id, callerOf(ctx).scope);
  if (!d) throw new HttpError(404, `Lead no encontrado o fuera de su alcance (lead ${id})`);
  const lead = present(d.lead, ['problems', 'problem_details', 'from_fallback', 'raw_fields'])!;
  lead.problemDetails = currentProblemDetails(lead.problemDetails as Record<string, unknown> | null);
  lead.status = statusOf(d.lead.contact_state as never, d.lead.deadline_at as number, ctx.now);
  delete lead.searchName;
  const rawEmail = present(d.raw as Record<string, unknown> | null);
  if (rawEmail) rawEmail.hasBody = Boolean(rawEmail.hasBody);
  const client = present(d.client as Record<string, unknown> | null);
  if (client) client.ownerHistory = await ownerHistory(ctx.services, d.lead.client_id!);
  if (client) client.possibleDuplicate = (await ctx.services.duplicates.openAmong([d.lead.client_id!])).length > 0;
  return {
    json: {
      lead,
      client,
      followUps: await withActorNames(ctx.services, d.followUps.map((f) => present(f as Record<string, unknown>)!), 'createdBy', 'createdByName'),
      actions: await withActorNames(ctx.services, d.actions.map((a) => ({ ...present(a as Record<string, unknown>)!, data: actionData((a as { data: string }).data) }))),
      rawEmail,
    },
  };
}

/** Every owner a client had, oldest first, times as ISO. */
export async function ownerHistory(s: Services, clientId: number) {
  const history = await s.app.store.read((r) => coreOwnerHistory(r, clientId));
  return withActorNames(s, history.map((h) => ({ ...h, at: iso(h.at) })));
}

/** Histories show the person's name beside the recorded actor (an email, `token:admin`, `centralizador`). */
export async function withActorNames<T extends Record<string, unknown>>(s: Services, rows: T[], key = 'actor', as = 'actorName'): Promise<(T & Record<string, string>)[]> {
  const names = await s.users.namesByEmail([...new Set(rows.map((r) => String(r[key] ?? '')).filter((a) => a.includes('@')))]);
  return rows.map((r) => ({ ...r, [as]: names.get(String(r[key])) ?? String(r[key] ?? '') }) as T & Record<string, string>);
}

/** The original message as received; 410 once retention purged it (the lead stays). */
export async function leadRaw(ctx: RequestContext) {
  const id = leadIdParam(ctx.params.id);
  const row = await ctx.services.queries.rawBody(id, callerOf(ctx).scope);
  if (!row) throw new HttpError(404, `Lead no encontrado o fuera de su alcance (lead ${id})`);
  if (!row.raw) throw new HttpError(410, row.purgedAt ? 'el correo original fue eliminado por la política de retención' : 'el correo original no se guardó (supera el tamaño máximo)');
  return {
    body: row.raw,
    type: 'message/rfc822',
    headers: { 'Content-Disposition': `attachment; filename="lead-${id}.eml"` },
  };
}

/** Parser id -> the portal's display name, from today's parsers. */
export function portalNames(s: Services): Map<string, string> {
  return new Map(s.app.context().parsers.map((p) => [p.config.id, p.config.name]));
}

/** The vendors in scope with the projects each sells (the reassign picker offers only those who sell the client's project). */
async function vendorOptions(s: Services, scope: ReturnType<typeof callerOf>['scope']) {
  const { queries, vendors } = s;
  const names = new Map((await queries.projectNamesById()).map((p) => [p.id, p.name]));
  const sells = await vendors.projectIdsByVendor();
  return (await vendors.list(scope)).map((v) => ({
    id: v.id, name: v.name, type: v.type, active: v.active && v.retiredAt === null,
    projects: (sells.get(v.id) ?? []).map((id) => names.get(id)).filter((n): n is string => n !== undefined && (scope.projectIds === null || [...names].some(([pid, pn]) => pn === n && scope.projectIds!.includes(pid)))),
  }));
}

/** What the page's selects offer. */
export async function options(ctx: RequestContext) {
  const { app, queries, vendors } = ctx.services;
  const { scope } = callerOf(ctx);
  const projects = scope.projectIds === null ? await queries.projectNames() : await queries.projectNamesByIds(scope.projectIds);
  return {
    json: {
      country: app.config.country,
      lang: langOf(app.config.country),
      idLabel: countryModule(app.config.country).idLabel,
      followUpDays: app.config.followUpDays,
      timeZone: app.config.timezone,
      pollSeconds: app.config.admin.pollSeconds,
      // Display names and problem texts are declared once (parsers' `name:`, src/leads/display.ts): the page reads them here.
      portals: { ...Object.fromEntries(portalNames(ctx.services)), [NO_PARSER]: portalDisplayName(null, () => null, langOf(app.config.country)) },
      problemTexts: problemTexts(app.config.country, langOf(app.config.country)),
      projects,
      parsers: [...app.context().parsers.map((p) => p.config.id).sort(), NO_PARSER],
      qualities: QUALITIES,
      statuses: STATUSES,
      media: MEDIUMS,
      expectations: EXPECTATIONS,
      contactTypes: CONTACT_CHANNELS,
      discardReasons: DISCARD_REASONS,
      vendors: await vendorOptions(ctx.services, scope),
    },
  };
}

// `pending`: stored and not yet through the pipeline (one that stays there is stuck: visible here).
const EMAIL_STATUSES = ['error', 'timeout', 'too_large', 'ignored', 'pending'] as const;
export const emailsQuery = z.strictObject({
  status: z
    .string()
    .max(100)
    .transform((s) => [...new Set(s.split(',').map((p) => p.trim()).filter(Boolean))])
    .refine((list) => list.length > 0 && list.every((p) => (EMAIL_STATUSES as readonly string[]).includes(p)), `debe ser uno o más de ${EMAIL_STATUSES.join(', ')}`)
    .optional(),
  limit: z.string().regex(/^\d{1,3}$/, 'debe ser un número entero de 1 a 200').transform(Number).refine((n) => n >= 1 && n <= 200, 'debe ser de 1 a 200').optional(),
  before: z.string().regex(/^[1-9]\d{0,14}$/, 'debe ser un id de correo').transform(Number).optional(),
});

/** Emails that did not become leads, with their error, for admins to look into. */
export async function emails(ctx: RequestContext<z.output<typeof emailsQuery>>) {
  const q = ctx.query;
  const page = await ctx.services.queries.emails(q.status ?? ['error', 'timeout', 'too_large'], q.limit ?? 50, q.before ?? null);
  return { json: { items: page.rows.map((r) => present(r as Record<string, unknown>)), nextBefore: page.nextBeforeId } };
}

/** Open health: process, database and every mailbox; 503 when a mailbox is stale or cannot log in. */
/** Everything the daemon knows of its health, errors included (mailbox user names, SMTP errors). */
function healthReport(ctx: RequestContext) {
  const { app, deps, startedAt } = ctx.services;
  // Cached quick_check verdict, storage errors seen by the app, and a ping (src/db/health.ts).
  const db = app.store.health().status();
  const mailboxes = deps.health.mailboxes().map((m) => ({ ...m, lastSuccessAt: iso(m.lastSuccessAt), nextRetryAt: iso(m.nextRetryAt) }));
  const ok = db.ok && !mailboxes.some((m) => m.stale || m.state === 'auth_failed');
  const webhooks = deps.health.webhooks?.() ?? null;
  const notifications = deps.health.notifications?.() ?? null;
  return { ok, uptimeSeconds: Math.round(process.uptime()), serverUptimeSeconds: Math.round((ctx.now - startedAt) / 1000), db, mailboxes, webhooks, notifications };
}

/** Public health is answered from a one-second cache: a flood of probes costs ingestion nothing. */
const HEALTH_TTL_MS = 1000;
const healthCache = new WeakMap<Services, { at: number; reply: { status: number; json: unknown } }>();

/**
 * Open health: states and times only. Error texts (which can name an IMAP user or an SMTP host)
 * stay behind sign-in, at /api/health. 503 when a mailbox is stale or cannot log in.
 */
export function healthz(ctx: RequestContext) {
  const ttl = ctx.services.deps.cacheMs ?? HEALTH_TTL_MS;
  const hit = healthCache.get(ctx.services);
  if (fresh(hit, ctx.now, ttl)) return hit.reply;
  const r = healthReport(ctx);
  const redact = <T extends { lastError?: string | null } | null>(x: T) => (x ? { ...x, lastError: x.lastError ? 'error (ver /api/health)' : null } : x);
  const mailboxes = r.mailboxes.map((m) => {
    const { lastError, authError, ...rest } = m as typeof m & { authError?: { code: string } | null };
    return { ...rest, lastError: lastError ? 'error (ver /api/health)' : null, ...(authError !== undefined ? { authError: authError ? { code: authError.code } : null } : {}) };
  });
  const notifications = r.notifications ? { ...redact(r.notifications), smtp: r.notifications.smtp ? { ok: r.notifications.smtp.ok, error: r.notifications.smtp.error ? 'error' : null } : null } : null;
  const reply = { status: r.ok ? 200 : 503, json: { ...r, mailboxes, webhooks: redact(r.webhooks), notifications } };
  healthCache.set(ctx.services, { at: ctx.now, reply });
  return reply;
}

/** The same health with every error's text, for managers. */
export function healthDetail(ctx: RequestContext) {
  const r = healthReport(ctx);
  return { status: r.ok ? 200 : 503, json: r };
}

/** Scrapes share one rendering per second: counting costs the same for one scraper or fifty. */
const metricsCache = new WeakMap<Services, { at: number; body: Promise<string> }>();

export async function metrics(ctx: RequestContext) {
  const registry = ctx.services.deps.metrics.registry;
  let hit = metricsCache.get(ctx.services);
  if (!fresh(hit, ctx.now, ctx.services.deps.cacheMs ?? HEALTH_TTL_MS)) {
    hit = { at: ctx.now, body: registry.metrics() };
    metricsCache.set(ctx.services, hit);
  }
  return { body: await hit.body, type: registry.contentType };
}
