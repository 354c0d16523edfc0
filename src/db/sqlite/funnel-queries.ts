import type Database from 'better-sqlite3';
import { splitByBuckets, splitByDays, splitOverdue, type CounterRange } from '../day-split.ts';
import { DAY_MS, overdueSql, inTimeSql, type LeadFilter } from '../lead-filter.ts';
import type { InteractionKind } from '../../funnel-vocabulary.ts';
import { interactionKey, type InteractionGroup, type LeadGroup, type FunnelReads } from '../funnel-reads.ts';
import { andFollowUpScope, andScope, buildWhere, scopeClause, searchSubquery } from './lead-where.ts';
import type { Scope } from '../scope.ts';
import { inList } from '../sql-lists.ts';

/** The filter on lead_funnel_daily `a` for whole days [firstDay, endDay), its params appended. */
export function funnelDailyWhere(f: LeadFilter, firstDay: number, endDay: number, params: unknown[]): string[] {
  return leadCounterWhere(f, { table: 'daily', first: firstDay, end: endDay }, params);
}

/**
 * The filter on a counter table `a` (daily or 16-day buckets) for its range, params appended:
 * `own` adds the clauses only one kind of counter has (bound in order), then the filters both share.
 */
function counterWhere(f: LeadFilter, r: CounterRange, params: unknown[], own: (params: unknown[]) => string[]): string[] {
  params.push(r.first, r.end);
  const column = r.table === 'daily' ? 'a.day' : 'a.bucket';
  const where = [`${column} >= ? AND ${column} < ?`, 'a.n > 0', ...own(params)];
  if (f.projectIds?.length) where.push(inList('a.project_id', f.projectIds, params));
  if (f.parsers?.length) where.push(inList('a.parser', f.parsers.map((p) => p ?? ''), params));
  if (f.medium?.length) where.push(inList('a.medium', f.medium, params));
  if (f.ownerVendorId !== undefined) { where.push('a.owner_vendor_id = ?'); params.push(f.ownerVendorId); }
  const scoped = scopeClause(f.scope, params, 'a');
  if (scoped) where.push(scoped);
  return where;
}

/** Lead counters also filter on quality and contact state. */
const leadCounterWhere = (f: LeadFilter, r: CounterRange, params: unknown[]) =>
  counterWhere(f, r, params, (p) => [
    ...(f.quality?.length ? [inList('a.quality', f.quality, p)] : []),
    ...(f.contactState?.length ? [inList('a.contact_state', f.contactState, p)] : []),
  ]);

/**
 * Lead counter rows (project_id, parser, medium, owner_vendor_id, quality, contact_state, n) of
 * whole days [firstDay, endDay) for the filter: whole 16-day buckets from lead_funnel_16d, the odd
 * days from lead_funnel_daily, as one UNION ALL to group over. The funnel and the stats read it.
 */
export function leadCountersSql(f: LeadFilter, firstDay: number, endDay: number, params: unknown[]): string {
  return splitByBuckets(firstDay, endDay).map((r) => `SELECT a.project_id, a.parser, a.medium, a.owner_vendor_id, a.quality, a.contact_state, a.n
    FROM ${r.table === 'daily' ? 'lead_funnel_daily' : 'lead_funnel_16d'} a WHERE ${leadCounterWhere(f, r, params).join(' AND ')}`).join(' UNION ALL ');
}

/** Interaction counters leave out the lead stage (counted from lead counters). */
const interactionCounterWhere = (f: LeadFilter, r: CounterRange, params: unknown[]) => counterWhere(f, r, params, () => ["a.kind <> 'lead'"]);

/**
 * The funnel's read side. Leads come from lead_funnel_16d and lead_funnel_daily (whole UTC days, kept by triggers) with
 * the partial days at each end of the period scanned, and the few leads still inside their contact
 * deadline found through leads_state_deadline; interactions alike from interaction_funnel_daily.
 */
export class FunnelQueries implements FunnelReads {
  private statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private prepare(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size > 300) this.statements.clear();
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Lead groups for the filter (status and contact-state filters are the caller's, on the groups). */
  async leadGroups(filter: LeadFilter, now: number): Promise<LeadGroup[]> {
    const f: LeadFilter = { ...filter, status: undefined, contactState: undefined };
    if (f.q) return this.leadScan(f, now);
    const days = splitByDays(f);
    if (!days) return this.leadScan(f, now);
    const groups = this.leadDays(f, now, days.firstDay, days.endDay);
    for (const end of days.ends) groups.push(...(this.leadScan(end, now)));
    return groups;
  }

  private leadScan(f: LeadFilter, now: number): LeadGroup[] {
    const w = buildWhere(f, now, true);
    return this.prepare(`SELECT l.project_id AS projectId, l.parser, l.medium, l.owner_vendor_id AS owner, l.quality, l.contact_state AS state,
      ${overdueSql('l', '?')} AS overdue, count(*) AS n FROM leads l WHERE ${w.sql} GROUP BY 1, 2, 3, 4, 5, 6, 7`).all(now, ...w.params) as LeadGroup[];
  }

  private leadDays(f: LeadFilter, now: number, firstDay: number, endDay: number): LeadGroup[] {
    const params: unknown[] = [];
    const rows = this.prepare(`SELECT nullif(project_id, -1) AS projectId, nullif(parser, '') AS parser, medium, nullif(owner_vendor_id, '') AS owner, quality,
      contact_state AS state, sum(n) AS n FROM (${leadCountersSql(f, firstDay, endDay, params)}) GROUP BY 1, 2, 3, 4, 5, 6`).all(...params) as Omit<LeadGroup, 'overdue'>[];
    // Leads still in time are few (the last followUpDays of arrivals); every other por_contactar one is overdue.
    const w = buildWhere({ ...f, from: firstDay * DAY_MS, to: endDay * DAY_MS }, now, true);
    const fresh = this.prepare(`SELECT l.project_id AS projectId, l.parser, l.medium, l.owner_vendor_id AS owner, l.quality, count(*) AS n
      FROM leads l INDEXED BY leads_state_deadline WHERE ${inTimeSql('l', '?')} AND ${w.sql} GROUP BY 1, 2, 3, 4, 5`).all(now, ...w.params) as Omit<LeadGroup, 'overdue' | 'state'>[];
    const key = (g: { projectId: number | null; parser: string | null; medium: string; owner: string | null; quality: string }) => `${g.projectId}|${g.parser}|${g.medium}|${g.owner}|${g.quality}`;
    const inTime = new Map(fresh.map((g) => [key(g), g.n]));
    return splitOverdue(rows, (r) => inTime.get(key(r)) ?? 0);
  }

  /** The filter's clause on interactions `i` (period on the interaction's date). */
  private interactionWhere(f: LeadFilter, params: unknown[]): string[] {
    const where = ["i.kind <> 'lead'"];
    if (f.from !== undefined) { where.push('i.at >= ?'); params.push(f.from); }
    if (f.to !== undefined) { where.push('i.at < ?'); params.push(f.to); }
    if (f.projectIds?.length) where.push(inList('i.project_id', f.projectIds, params));
    if (f.parsers?.length) {
      const named = f.parsers.filter((p): p is string => p !== null);
      const terms = named.length ? [inList('i.parser', named, params)] : [];
      if (named.length < f.parsers.length) terms.push('i.parser IS NULL');
      where.push(`(${terms.join(' OR ')})`);
    }
    if (f.medium?.length) where.push(inList('i.medium', f.medium, params));
    if (f.ownerVendorId !== undefined) { where.push('i.owner_vendor_id = ?'); params.push(f.ownerVendorId); }
    if (f.q) {
      const sub = searchSubquery(f.q);
      where.push(`i.client_id IN (SELECT client_id FROM leads WHERE id IN (${sub.sql}))`);
      params.push(...sub.params);
    }
    const scoped = scopeClause(f.scope, params, 'i');
    if (scoped) where.push(scoped);
    return where;
  }

  /**
   * Interaction groups: whole UTC days from interaction_funnel_daily (kept by triggers), the
   * partial days at each end scanned, and the few quotes still inside their deadline found through
   * interactions_state_deadline; a free-text search scans.
   */
  async interactionGroups(f: LeadFilter, now: number): Promise<InteractionGroup[]> {
    if (f.q) return this.interactionScan(f, now);
    const days = splitByDays(f);
    if (!days) return this.interactionScan(f, now);
    const groups = this.interactionDays(f, now, days.firstDay, days.endDay);
    for (const end of days.ends) groups.push(...this.interactionScan(end, now));
    return groups;
  }

  private interactionScan(f: LeadFilter, now: number): InteractionGroup[] {
    const params: unknown[] = [now];
    const where = this.interactionWhere(f, params);
    return this.prepare(`SELECT i.kind, i.project_id AS projectId, i.parser, i.medium, i.owner_vendor_id AS owner, i.reentry, i.state, i.contact_state AS contactState,
      ${overdueSql('i', '?')} AS overdue, count(*) AS n FROM interactions i WHERE ${where.join(' AND ')}
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`).all(...params) as InteractionGroup[];
  }

  private interactionDays(f: LeadFilter, now: number, firstDay: number, endDay: number): InteractionGroup[] {
    const params: unknown[] = [];
    const parts = splitByBuckets(firstDay, endDay).map((r) => `SELECT a.kind, a.project_id, a.parser, a.medium, a.owner_vendor_id, a.reentry, a.state, a.contact_state, a.n
      FROM ${r.table === 'daily' ? 'interaction_funnel_daily' : 'interaction_funnel_16d'} a WHERE ${interactionCounterWhere(f, r, params).join(' AND ')}`);
    const rows = this.prepare(`SELECT kind, nullif(project_id, -1) AS projectId, nullif(parser, '') AS parser, medium, nullif(owner_vendor_id, '') AS owner,
      reentry, nullif(state, '') AS state, nullif(contact_state, '') AS contactState, sum(n) AS n FROM (${parts.join(' UNION ALL ')})
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`).all(...params) as Omit<InteractionGroup, 'overdue'>[];
    // Quotes still in time are few (the last days of quotes); every other por_contactar one is overdue.
    const freshParams: unknown[] = [now];
    const w = this.interactionWhere({ ...f, from: firstDay * DAY_MS, to: endDay * DAY_MS }, freshParams);
    const fresh = this.prepare(`SELECT i.kind, i.project_id AS projectId, i.parser, i.medium, i.owner_vendor_id AS owner, i.reentry, i.state, count(*) AS n
      FROM interactions i INDEXED BY interactions_state_deadline WHERE ${inTimeSql('i', '?')} AND ${w.join(' AND ')}
      GROUP BY 1, 2, 3, 4, 5, 6, 7`).all(...freshParams) as Omit<InteractionGroup, 'overdue' | 'contactState'>[];
    const inTime = new Map(fresh.map((g) => [interactionKey(g), g.n]));
    return splitOverdue(rows, (r) => inTime.get(interactionKey(r)) ?? 0, (r) => r.contactState);
  }

  /** One stage's table, newest first, keyset on (at, id); `states` narrows by a separación state or a quote status. */
  async interactionList(kind: InteractionKind, f: LeadFilter, states: string[] | null, now: number, limit: number, before: { at: number; id: number } | null) {
    const params: unknown[] = [];
    const where = [...this.interactionWhere(f, params), 'i.kind = ?'];
    params.push(kind);
    if (states?.length) {
      const terms: string[] = [];
      const plain = states.filter((s) => s !== 'por_contactar' && s !== 'no_contactado');
      if (plain.length) terms.push(kind === 'cotizacion' ? inList('i.contact_state', plain, params) : inList('i.state', plain, params));
      if (states.includes('por_contactar')) { terms.push(inTimeSql('i', '?')); params.push(now); }
      if (states.includes('no_contactado')) { terms.push(overdueSql('i', '?')); params.push(now); }
      where.push(`(${terms.join(' OR ')})`);
    }
    if (before) { where.push('(i.at, i.id) < (?, ?)'); params.push(before.at, before.id); }
    const rows = this.prepare(`SELECT i.id, i.kind, i.at, i.product, i.model, i.amount, i.source, i.state, i.contact_state AS contactState, i.deadline_at AS deadlineAt,
      i.parser, i.medium, i.owner_vendor_id AS owner, i.reentry, i.external_id AS externalId, p.name AS project,
      c.id AS clientId, c.name, c.national_id AS nationalId, c.email, c.phone
      FROM interactions i JOIN clients c ON c.id = i.client_id LEFT JOIN projects p ON p.id = i.project_id
      WHERE ${where.join(' AND ')} ORDER BY i.at DESC, i.id DESC LIMIT ?`).all(...params, limit + 1) as ({ id: number; at: number } & Record<string, unknown>)[];
    const more = rows.length > limit;
    if (more) rows.pop();
    const last = rows[rows.length - 1];
    return { rows, next: more && last ? { at: last.at, id: last.id } : null };
  }

  /** "Última interacción" of clients: their latest stage and its date. */
  async lastInteractions(clientIds: number[]): Promise<Map<number, { kind: string; at: number }>> {
    if (!clientIds.length) return new Map();
    const params: unknown[] = [];
    const list = inList('client_id', clientIds, params);
    const rows = this.prepare(`SELECT client_id AS clientId, kind, max(at) AS at FROM interactions WHERE ${list} AND kind <> 'lead' GROUP BY client_id`).all(...params) as { clientId: number; kind: string; at: number }[];
    return new Map(rows.map((r) => [r.clientId, { kind: r.kind, at: r.at }]));
  }

  async timeline(clientId: number, scope: Scope) {
    const lp: unknown[] = [clientId];
    const ls = andScope(scope, lp);
    const leads = this.db.prepare(`SELECT l.id, l.received_at AS at, p.name AS project, l.parser, l.medium, l.quality, l.contact_state AS contactState, l.deadline_at AS deadlineAt,
      l.contact_type AS contactType, l.last_contact_at AS lastContactAt, l.owner_vendor_id AS owner FROM leads l LEFT JOIN projects p ON p.id = l.project_id
      WHERE l.client_id = ?${ls} ORDER BY l.received_at DESC, l.id DESC LIMIT 500`).all(...lp) as Record<string, unknown>[];
    const ip: unknown[] = [clientId];
    const is = andScope(scope, ip, 'i');
    const items = this.db.prepare(`SELECT i.id, i.kind, i.at, p.name AS project, i.product, i.model, i.amount, i.source, i.state, i.contact_state AS contactState, i.deadline_at AS deadlineAt,
      i.parser, i.medium, i.external_id AS externalId, i.owner_vendor_id AS owner, i.reentry, i.lead_id AS leadId FROM interactions i LEFT JOIN projects p ON p.id = i.project_id
      WHERE i.client_id = ?${is} ORDER BY i.at DESC, i.id DESC LIMIT 500`).all(...ip) as Record<string, unknown>[];
    // A follow-up is seen with its lead, as in the client record.
    const fp: unknown[] = [clientId];
    const fs = andFollowUpScope(scope, fp);
    const followUps = this.db.prepare(`SELECT f.id, f.created_at AS at, p.name AS project, f.action, f.status, f.expectation, f.contact_type AS contactType, f.due_at AS dueAt,
      f.comment, f.created_by AS createdBy FROM follow_ups f LEFT JOIN projects p ON p.id = f.project_id
      WHERE f.client_id = ?${fs} ORDER BY f.created_at DESC, f.id DESC LIMIT 500`).all(...fp) as Record<string, unknown>[];
    const client = this.db.prepare(`SELECT id, name, national_id AS nationalId, email, phone, owner_vendor_id AS owner, created_at AS createdAt FROM clients WHERE id = ?`).get(clientId) as Record<string, unknown> | undefined;
    return { client: client ?? null, leads, items, followUps };
  }
}
