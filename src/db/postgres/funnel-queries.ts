import type pg from 'pg';
import { splitByBuckets, splitByDays, splitOverdue, type CounterRange } from '../day-split.ts';
import type { InteractionKind } from '../../funnel-vocabulary.ts';
import { DAY_MS, overdueSql, inTimeSql, type LeadFilter } from '../lead-filter.ts';
import { anyOf, bind, pgAndFollowUpScope, pgBuildWhere, pgScopeClause, pgSearchSubquery } from './lead-filter.ts';
import { firstOf, rowsOf } from './read-base.ts';
import type { Scope } from '../scope.ts';
import { interactionKey, type InteractionGroup, type LeadGroup, type FunnelReads } from '../funnel-reads.ts';

/** funnelDailyWhere of funnel-queries.ts: the filter on lead_funnel_daily `a`, its params appended. */
export function pgFunnelDailyWhere(f: LeadFilter, firstDay: number, endDay: number, params: unknown[]): string[] {
  return leadCounterWhere(f, { table: 'daily', first: firstDay, end: endDay }, params);
}

/** counterWhere of funnel-queries.ts: range, `own` clauses (bound in order), then the shared filters. */
function counterWhere(f: LeadFilter, r: CounterRange, params: unknown[], own: (params: unknown[]) => string[]): string[] {
  const column = r.table === 'daily' ? 'a.day' : 'a.bucket';
  const where = [`${column} >= ${bind(params, r.first)} AND ${column} < ${bind(params, r.end)}`, 'a.n > 0', ...own(params)];
  if (f.projectIds?.length) where.push(anyOf('a.project_id', f.projectIds, params));
  if (f.parsers?.length) where.push(anyOf('a.parser', f.parsers.map((p) => p ?? ''), params));
  if (f.medium?.length) where.push(anyOf('a.medium', f.medium, params));
  if (f.ownerVendorId !== undefined) where.push(`a.owner_vendor_id = ${bind(params, f.ownerVendorId)}`);
  const scoped = pgScopeClause(f.scope, params, 'a');
  if (scoped) where.push(scoped);
  return where;
}

const leadCounterWhere = (f: LeadFilter, r: CounterRange, params: unknown[]) =>
  counterWhere(f, r, params, (p) => [
    ...(f.quality?.length ? [anyOf('a.quality', f.quality, p)] : []),
    ...(f.contactState?.length ? [anyOf('a.contact_state', f.contactState, p)] : []),
  ]);

/** leadCountersSql of funnel-queries.ts: the lead counter rows of whole days as one UNION ALL. */
export function pgLeadCountersSql(f: LeadFilter, firstDay: number, endDay: number, params: unknown[]): string {
  return splitByBuckets(firstDay, endDay).map((r) => `SELECT a.project_id, a.parser, a.medium, a.owner_vendor_id, a.quality, a.contact_state, a.n
    FROM ${r.table === 'daily' ? 'lead_funnel_daily' : 'lead_funnel_16d'} a WHERE ${leadCounterWhere(f, r, params).join(' AND ')}`).join(' UNION ALL ');
}

const interactionCounterWhere = (f: LeadFilter, r: CounterRange, params: unknown[]) => counterWhere(f, r, params, () => ["a.kind <> 'lead'"]);

/**
 * FunnelQueries (src/db/sqlite/funnel-queries.ts) on PostgreSQL: lead_funnel_daily for whole UTC days
 * (kept by triggers, drizzle-pg/0001), the partial days scanned. Flags SQLite answers as 0/1
 * (overdue, reentry) are cast to int so both engines answer the same.
 */
export class PgFunnelQueries implements FunnelReads {
  constructor(private readonly db: pg.Pool) {}

  async leadGroups(filter: LeadFilter, now: number): Promise<LeadGroup[]> {
    const f: LeadFilter = { ...filter, status: undefined, contactState: undefined };
    if (f.q) return this.leadScan(f, now);
    const days = splitByDays(f);
    if (!days) return this.leadScan(f, now);
    const groups = await this.leadDays(f, now, days.firstDay, days.endDay);
    for (const end of days.ends) groups.push(...(await this.leadScan(end, now)));
    return groups;
  }

  private leadScan(f: LeadFilter, now: number): Promise<LeadGroup[]> {
    const params: unknown[] = [now];
    const w = pgBuildWhere(f, now, true, params);
    return rowsOf(this.db, `SELECT l.project_id AS "projectId", l.parser, l.medium, l.owner_vendor_id AS owner, l.quality, l.contact_state AS state,
      ${overdueSql('l', '$1')}::int AS overdue, count(*) AS n FROM leads l WHERE ${w.sql} GROUP BY 1, 2, 3, 4, 5, 6, 7`, params);
  }

  private async leadDays(f: LeadFilter, now: number, firstDay: number, endDay: number): Promise<LeadGroup[]> {
    const params: unknown[] = [];
    const rows = await rowsOf<Omit<LeadGroup, 'overdue'>>(this.db, `SELECT nullif(project_id, -1) AS "projectId", nullif(parser, '') AS parser, medium,
      nullif(owner_vendor_id, '') AS owner, quality, contact_state AS state, sum(n) AS n FROM (${pgLeadCountersSql(f, firstDay, endDay, params)}) c GROUP BY 1, 2, 3, 4, 5, 6`, params);
    const freshParams: unknown[] = [now];
    const w = pgBuildWhere({ ...f, from: firstDay * DAY_MS, to: endDay * DAY_MS }, now, true, freshParams);
    const fresh = await rowsOf<Omit<LeadGroup, 'overdue' | 'state'>>(this.db, `SELECT l.project_id AS "projectId", l.parser, l.medium, l.owner_vendor_id AS owner, l.quality, count(*) AS n
      FROM leads l WHERE ${inTimeSql('l', '$1')} AND ${w.sql} GROUP BY 1, 2, 3, 4, 5`, freshParams);
    const key = (g: { projectId: number | null; parser: string | null; medium: string; owner: string | null; quality: string }) => `${g.projectId}|${g.parser}|${g.medium}|${g.owner}|${g.quality}`;
    const inTime = new Map(fresh.map((g) => [key(g), g.n]));
    return splitOverdue(rows, (r) => inTime.get(key(r)) ?? 0);
  }

  private interactionWhere(f: LeadFilter, params: unknown[]): string[] {
    const where = ["i.kind <> 'lead'"];
    if (f.from !== undefined) where.push(`i.at >= ${bind(params, f.from)}`);
    if (f.to !== undefined) where.push(`i.at < ${bind(params, f.to)}`);
    if (f.projectIds?.length) where.push(anyOf('i.project_id', f.projectIds, params));
    if (f.parsers?.length) {
      const named = f.parsers.filter((p): p is string => p !== null);
      const terms = named.length ? [anyOf('i.parser', named, params)] : [];
      if (named.length < f.parsers.length) terms.push('i.parser IS NULL');
      where.push(`(${terms.join(' OR ')})`);
    }
    if (f.medium?.length) where.push(anyOf('i.medium', f.medium, params));
    if (f.ownerVendorId !== undefined) where.push(`i.owner_vendor_id = ${bind(params, f.ownerVendorId)}`);
    if (f.q) where.push(`i.client_id IN (SELECT client_id FROM leads WHERE id IN (${pgSearchSubquery(f.q, params)}))`);
    const scoped = pgScopeClause(f.scope, params, 'i');
    if (scoped) where.push(scoped);
    return where;
  }

  /** As SQLite: interaction_funnel_daily for whole days (drizzle-pg/0005), the ends scanned, a search scans. */
  async interactionGroups(f: LeadFilter, now: number): Promise<InteractionGroup[]> {
    if (f.q) return this.interactionScan(f, now);
    const days = splitByDays(f);
    if (!days) return this.interactionScan(f, now);
    const groups = await this.interactionDays(f, now, days.firstDay, days.endDay);
    for (const end of days.ends) groups.push(...(await this.interactionScan(end, now)));
    return groups;
  }

  private interactionScan(f: LeadFilter, now: number): Promise<InteractionGroup[]> {
    const params: unknown[] = [now];
    const where = this.interactionWhere(f, params);
    return rowsOf(this.db, `SELECT i.kind, i.project_id AS "projectId", i.parser, i.medium, i.owner_vendor_id AS owner, i.reentry::int AS reentry, i.state,
      i.contact_state AS "contactState", ${overdueSql('i', '$1')}::int AS overdue, count(*) AS n
      FROM interactions i WHERE ${where.join(' AND ')} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`, params);
  }

  private async interactionDays(f: LeadFilter, now: number, firstDay: number, endDay: number): Promise<InteractionGroup[]> {
    const params: unknown[] = [];
    const parts = splitByBuckets(firstDay, endDay).map((r) => `SELECT a.kind, a.project_id, a.parser, a.medium, a.owner_vendor_id, a.reentry, a.state, a.contact_state, a.n
      FROM ${r.table === 'daily' ? 'interaction_funnel_daily' : 'interaction_funnel_16d'} a WHERE ${interactionCounterWhere(f, r, params).join(' AND ')}`);
    const rows = await rowsOf<Omit<InteractionGroup, 'overdue'>>(this.db, `SELECT kind, nullif(project_id, -1) AS "projectId", nullif(parser, '') AS parser, medium,
      nullif(owner_vendor_id, '') AS owner, reentry::int AS reentry, nullif(state, '') AS state, nullif(contact_state, '') AS "contactState", sum(n) AS n
      FROM (${parts.join(' UNION ALL ')}) c GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`, params);
    const freshParams: unknown[] = [now];
    const w = this.interactionWhere({ ...f, from: firstDay * DAY_MS, to: endDay * DAY_MS }, freshParams);
    const fresh = await rowsOf<Omit<InteractionGroup, 'overdue' | 'contactState'>>(this.db, `SELECT i.kind, i.project_id AS "projectId", i.parser, i.medium,
      i.owner_vendor_id AS owner, i.reentry::int AS reentry, i.state, count(*) AS n FROM interactions i
      WHERE ${inTimeSql('i', '$1')} AND ${w.join(' AND ')} GROUP BY 1, 2, 3, 4, 5, 6, 7`, freshParams);
    const inTime = new Map(fresh.map((g) => [interactionKey(g), g.n]));
    return splitOverdue(rows, (r) => inTime.get(interactionKey(r)) ?? 0, (r) => r.contactState);
  }

  async interactionList(kind: InteractionKind, f: LeadFilter, states: string[] | null, now: number, limit: number, before: { at: number; id: number } | null) {
    const params: unknown[] = [];
    const where = [...this.interactionWhere(f, params), `i.kind = ${bind(params, kind)}`];
    if (states?.length) {
      const terms: string[] = [];
      const plain = states.filter((s) => s !== 'por_contactar' && s !== 'no_contactado');
      if (plain.length) terms.push(kind === 'cotizacion' ? anyOf('i.contact_state', plain, params) : anyOf('i.state', plain, params));
      if (states.includes('por_contactar')) terms.push(inTimeSql('i', bind(params, now)));
      if (states.includes('no_contactado')) terms.push(overdueSql('i', bind(params, now)));
      where.push(`(${terms.join(' OR ')})`);
    }
    if (before) where.push(`(i.at, i.id) < (${bind(params, before.at)}, ${bind(params, before.id)})`);
    const rows = await rowsOf<{ id: number; at: number } & Record<string, unknown>>(this.db, `SELECT i.id, i.kind, i.at, i.product, i.model, i.amount, i.source, i.state,
      i.contact_state AS "contactState", i.deadline_at AS "deadlineAt", i.parser, i.medium, i.owner_vendor_id AS owner, i.reentry::int AS reentry,
      i.external_id AS "externalId", p.name AS project, c.id AS "clientId", c.name, c.national_id AS "nationalId", c.email, c.phone
      FROM interactions i JOIN clients c ON c.id = i.client_id LEFT JOIN projects p ON p.id = i.project_id
      WHERE ${where.join(' AND ')} ORDER BY i.at DESC, i.id DESC LIMIT ${bind(params, limit + 1)}`, params);
    const more = rows.length > limit;
    if (more) rows.pop();
    const last = rows[rows.length - 1];
    return { rows, next: more && last ? { at: last.at, id: last.id } : null };
  }

  /**
   * SQLite answers a bare `kind` beside max(at) from the row holding the max; PostgreSQL has no
   * bare columns, so DISTINCT ON picks that row. On a tie SQLite keeps the first row it met on
   * interactions_client (client_id, at), the lowest id: so does this.
   */
  async lastInteractions(clientIds: number[]): Promise<Map<number, { kind: string; at: number }>> {
    if (!clientIds.length) return new Map();
    const rows = await rowsOf<{ clientId: number; kind: string; at: number }>(this.db, `SELECT DISTINCT ON (client_id) client_id AS "clientId", kind, at FROM interactions
      WHERE client_id = any($1) AND kind <> 'lead' ORDER BY client_id, at DESC, id`, [clientIds]);
    return new Map(rows.map((r) => [r.clientId, { kind: r.kind, at: r.at }]));
  }

  async timeline(clientId: number, scope: Scope) {
    const lp: unknown[] = [clientId];
    const ls = pgScopeClause(scope, lp);
    const leads = await rowsOf<Record<string, unknown>>(this.db, `SELECT l.id, l.received_at AS at, p.name AS project, l.parser, l.medium, l.quality, l.contact_state AS "contactState",
      l.deadline_at AS "deadlineAt", l.contact_type AS "contactType", l.last_contact_at AS "lastContactAt", l.owner_vendor_id AS owner FROM leads l
      LEFT JOIN projects p ON p.id = l.project_id WHERE l.client_id = $1${ls ? ` AND ${ls}` : ''} ORDER BY l.received_at DESC, l.id DESC LIMIT 500`, lp);
    const ip: unknown[] = [clientId];
    const is = pgScopeClause(scope, ip, 'i');
    const items = await rowsOf<Record<string, unknown>>(this.db, `SELECT i.id, i.kind, i.at, p.name AS project, i.product, i.model, i.amount, i.source, i.state,
      i.contact_state AS "contactState", i.deadline_at AS "deadlineAt", i.parser, i.medium, i.external_id AS "externalId", i.owner_vendor_id AS owner,
      i.reentry::int AS reentry, i.lead_id AS "leadId" FROM interactions i LEFT JOIN projects p ON p.id = i.project_id
      WHERE i.client_id = $1${is ? ` AND ${is}` : ''} ORDER BY i.at DESC, i.id DESC LIMIT 500`, ip);
    const fp: unknown[] = [clientId];
    const fs = pgAndFollowUpScope(scope, fp);
    const followUps = await rowsOf<Record<string, unknown>>(this.db, `SELECT f.id, f.created_at AS at, p.name AS project, f.action, f.status, f.expectation,
      f.contact_type AS "contactType", f.due_at AS "dueAt", f.comment, f.created_by AS "createdBy" FROM follow_ups f LEFT JOIN projects p ON p.id = f.project_id
      WHERE f.client_id = $1${fs} ORDER BY f.created_at DESC, f.id DESC LIMIT 500`, fp);
    const client = await firstOf<Record<string, unknown>>(this.db, `SELECT id, name, national_id AS "nationalId", email, phone, owner_vendor_id AS owner, created_at AS "createdAt"
      FROM clients WHERE id = $1`, [clientId]);
    return { client, leads, items, followUps };
  }
}
