import type pg from 'pg';
import type { Scope } from '../scope.ts';
import { mergeCounts, splitByDays } from '../day-split.ts';
import { CONTACT_STATES, DAY_MS, OWNER_CHANGES, overdueSql, inTimeSql, type ContactState, type Cursor, type LeadFilter, type LeadRow, type Status } from '../lead-filter.ts';
import { pgLeadCountersSql } from './funnel-queries.ts';
import { anyOf, bind, pgAndFollowUpScope, pgAndScope, pgBuildWhere, pgClientVisibleSql } from './lead-filter.ts';
import { firstOf, rowsOf } from './read-base.ts';
import { HAS_BODY_PG, readRawBody } from './raw-body.ts';
import { statsKey, type ParserLeadActivity, type StatsGroup, type LeadReads } from '../lead-reads.ts';

// Quoted aliases: PostgreSQL folds unquoted ones to lower case.
const LIST_COLUMNS = `l.id, l.quality, l.contact_state AS "contactState", l.deadline_at AS "deadlineAt", l.name,
  l.national_id AS "nationalId", l.email, l.phone, p.name AS project, l.project_text AS "projectText",
  substr(l.message, 1, 500) AS message, l.parser, l.medium, l.received_at AS "receivedAt",
  l.follow_up_at AS "followUpAt", l.last_contact_at AS "lastContactAt", l.client_id AS "clientId", l.problems,
  l.owner_vendor_id AS owner, l.contact_type AS "contactType",
  (SELECT max(a.at) FROM actions a WHERE a.lead_id = l.id AND a.actor <> 'centralizador') AS "lastActionAt"`;

/** LeadQueries (src/db/sqlite/queries.ts) on PostgreSQL: the same answers, the aggregates kept by triggers (drizzle-pg/0001). */
export class PgLeadQueries implements LeadReads {
  constructor(private readonly db: pg.Pool) {}

  async list(f: LeadFilter, limit: number, cursor: Cursor | null, now: number): Promise<{ rows: LeadRow[]; next: Cursor | null }> {
    const w = pgBuildWhere(f, now, false);
    const after = cursor ? ` AND (l.received_at, l.id) < (${bind(w.params, cursor.receivedAt)}, ${bind(w.params, cursor.id)})` : '';
    const rows = await rowsOf<LeadRow>(this.db, `SELECT ${LIST_COLUMNS} FROM leads l LEFT JOIN projects p ON p.id = l.project_id
      WHERE ${w.sql}${after} ORDER BY l.received_at DESC, l.id DESC LIMIT ${bind(w.params, limit + 1)}`, w.params);
    const more = rows.length > limit;
    if (more) rows.pop();
    const last = rows[rows.length - 1];
    return { rows, next: more && last ? { receivedAt: last.receivedAt, id: last.id } : null };
  }

  /** The same paths as SQLite's statsGroups: the lead_counts aggregates, or a grouped scan. */
  async statsGroups(f: LeadFilter, now: number): Promise<StatsGroup[]> {
    if (f.q || f.ownerVendorId !== undefined || (f.scope && f.scope.vendorIds !== null)) return this.statsScan(f, now);
    if (f.scope?.projectIds) {
      const allowed = new Set(f.scope.projectIds);
      const projectIds = f.projectIds ? f.projectIds.filter((id) => allowed.has(id)) : [...allowed];
      if (!projectIds.length) return [];
      f = { ...f, projectIds, scope: undefined };
    }
    if (f.from === undefined && f.to === undefined) return this.statsFromCounts(f, now);
    const days = splitByDays(f);
    if (!days) return this.statsScan(f, now);
    const groups = await this.statsFromCounts({ ...f, from: days.firstDay * DAY_MS, to: days.endDay * DAY_MS }, now, days);
    for (const end of days.ends) groups.push(...(await this.statsScan(end, now)));
    return mergeCounts(groups, statsKey);
  }

  async statsScan(f: LeadFilter, now: number): Promise<StatsGroup[]> {
    const params: unknown[] = [now];
    const w = pgBuildWhere(f, now, true, params);
    return rowsOf(this.db, `SELECT l.quality, l.contact_state AS state, l.medium, l.parser,
      ${overdueSql('l', '$1')}::int AS overdue, count(*) AS n
      FROM leads l WHERE ${w.sql} GROUP BY 1, 2, 3, 4, 5`, params);
  }

  private async statsFromCounts(f: LeadFilter, now: number, days?: { firstDay: number; endDay: number }): Promise<StatsGroup[]> {
    let states = new Set<string>(f.contactState ?? CONTACT_STATES);
    const status = f.status?.length ? new Set(f.status) : null;
    if (status) states = new Set([...states].filter((s) => (s === 'por_contactar' ? status.has('por_contactar') || status.has('no_contactado') : status.has(s as Status))));
    if (!states.size) return [];
    const params: unknown[] = [];
    let source: string;
    if (days) {
      // A period: the funnel's counters (16-day buckets and odd days), as on SQLite.
      source = `(${pgLeadCountersSql({ ...f, contactState: [...states] as ContactState[], scope: undefined, ownerVendorId: undefined }, days.firstDay, days.endDay, params)}) c`;
    } else {
      const where = [anyOf('contact_state', [...states], params), 'n > 0'];
      if (f.quality?.length) where.push(anyOf('quality', f.quality, params));
      if (f.projectIds?.length) where.push(anyOf('project_id', f.projectIds, params));
      if (f.parsers?.length) where.push(anyOf('parser', f.parsers.map((p) => p ?? ''), params));
      if (f.medium?.length) where.push(anyOf('medium', f.medium, params));
      source = `lead_counts WHERE ${where.join(' AND ')}`;
    }
    const rows = await rowsOf<Omit<StatsGroup, 'overdue'>>(this.db, `SELECT quality, contact_state AS state, medium, nullif(parser, '') AS parser, sum(n) AS n
      FROM ${source} GROUP BY 1, 2, 3, 4`, params);
    if (!states.has('por_contactar')) return rows.map((r) => ({ ...r, overdue: 0 }));
    // Leads still inside their deadline are few (leads_state_deadline); every other por_contactar one is overdue.
    const freshParams: unknown[] = [now];
    const w = pgBuildWhere({ ...f, contactState: undefined, status: undefined }, now, true, freshParams);
    const fresh = await rowsOf<Omit<StatsGroup, 'overdue' | 'state'>>(this.db, `SELECT l.quality, l.medium, l.parser, count(*) AS n FROM leads l
      WHERE ${inTimeSql('l', '$1')} AND ${w.sql} GROUP BY 1, 2, 3`, freshParams);
    const key = (g: { quality: string; medium: string; parser: string | null }) => `${g.quality}|${g.medium}|${g.parser ?? ''}`;
    const freshBy = new Map(fresh.map((g) => [key(g), g.n]));
    const out: StatsGroup[] = [];
    for (const r of rows) {
      if (r.state !== 'por_contactar') { out.push({ ...r, overdue: 0 }); continue; }
      const inTime = freshBy.get(key(r)) ?? 0;
      if (!status || status.has('por_contactar')) out.push({ ...r, overdue: 0, n: inTime });
      if (!status || status.has('no_contactado')) out.push({ ...r, overdue: 1, n: r.n - inTime });
    }
    return out.filter((g) => g.n > 0);
  }

  async projectIds(names: string[]): Promise<Map<string, number>> {
    if (!names.length) return new Map();
    const rows = await rowsOf<{ id: number; name: string }>(this.db, 'SELECT id, name FROM projects WHERE name = any($1)', [names]);
    return new Map(rows.map((r) => [r.name, r.id]));
  }

  // Names sort as SQLite's BINARY collation does, whatever the database's collation.
  async projectNamesByIds(ids: number[]): Promise<string[]> {
    if (!ids.length) return [];
    return (await rowsOf<{ name: string }>(this.db, 'SELECT name FROM projects WHERE id = any($1) ORDER BY name COLLATE "C"', [ids])).map((r) => r.name);
  }

  async projectNamesById(): Promise<{ id: number; name: string }[]> {
    return rowsOf(this.db, 'SELECT id, name FROM projects ORDER BY id');
  }

  async projectNames(): Promise<string[]> {
    return (await rowsOf<{ name: string }>(this.db, 'SELECT name FROM projects WHERE active ORDER BY name COLLATE "C"')).map((r) => r.name);
  }

  async detail(leadId: number, scope?: Scope) {
    const params: unknown[] = [leadId];
    const lead = await firstOf<Record<string, unknown> & { client_id: number | null; raw_email_id: number }>(this.db,
      `SELECT l.*, p.name AS project FROM leads l LEFT JOIN projects p ON p.id = l.project_id WHERE l.id = $1${pgAndScope(scope, params)}`, params);
    if (!lead) return null;
    const client = lead.client_id === null ? null : await firstOf<object>(this.db, 'SELECT * FROM clients WHERE id = $1', [lead.client_id]);
    const fp: unknown[] = [leadId, lead.client_id];
    const fs = pgAndFollowUpScope(scope, fp);
    const followUps: unknown[] = lead.client_id === null
      ? await rowsOf(this.db, 'SELECT * FROM follow_ups WHERE lead_id = $1 ORDER BY created_at DESC, id DESC LIMIT 100', [leadId])
      : await rowsOf(this.db, `SELECT * FROM follow_ups f WHERE f.lead_id = $1 OR (f.client_id = $2${fs})
        ORDER BY f.created_at DESC, f.id DESC LIMIT 100`, fp);
    // The lead's own actions, and its client's changes of owner (as SQLite's detail).
    const actions: unknown[] = await rowsOf(this.db, `SELECT id, actor, action, data, at FROM actions WHERE lead_id = $1 OR (lead_id IS NULL AND client_id = $2 AND action IN (${OWNER_CHANGES}))
      ORDER BY at DESC, id DESC LIMIT 200`, [leadId, lead.client_id ?? -1]);
    // hasBody as SQLite answers it (0/1), not a boolean.
    const raw = await firstOf<object>(this.db, `SELECT id, message_id AS "messageId", size, received_at AS "receivedAt", stored_at AS "storedAt", status, error,
      ignored_reason AS "ignoredReason", mailbox, file, sha256, purged_at AS "purgedAt", (${HAS_BODY_PG})::int AS "hasBody",
      (SELECT count(*)::int FROM leads WHERE raw_email_id = raw_emails.id) AS "people"
      FROM raw_emails WHERE id = $1`, [lead.raw_email_id]);
    return { lead, client, followUps, actions, raw };
  }

  async rawBody(leadId: number, scope?: Scope): Promise<{ raw: Buffer | null; purgedAt: number | null; status: string } | null> {
    const params: unknown[] = [leadId];
    const row = await firstOf<{ id: number; size: number; purgedAt: number | null; status: string }>(this.db, `SELECT r.id, r.size, r.purged_at AS "purgedAt", r.status FROM leads l JOIN raw_emails r ON r.id = l.raw_email_id WHERE l.id = $1${pgAndScope(scope, params)}`, params);
    return row ? { raw: await readRawBody(this.db, row.id, row.size), purgedAt: row.purgedAt, status: row.status } : null;
  }

  async leadVisible(leadId: number, scope: Scope): Promise<boolean> {
    const params: unknown[] = [leadId];
    return (await firstOf(this.db, `SELECT 1 FROM leads l WHERE l.id = $1${pgAndScope(scope, params)}`, params)) !== null;
  }

  async clientVisible(clientId: number, scope: Scope): Promise<boolean> {
    const q = pgClientVisibleSql(clientId, scope);
    return (await firstOf(this.db, q.sql, q.params)) !== null;
  }

  async emails(statuses: string[], limit: number, beforeId: number | null) {
    const params: unknown[] = [];
    const where = anyOf('status', statuses, params);
    const rows = await rowsOf<{ id: number }>(this.db, `SELECT id, message_id AS "messageId", mailbox, file, size, received_at AS "receivedAt", status, error,
      ignored_reason AS "ignoredReason", parser FROM raw_emails WHERE ${where}${beforeId ? ` AND id < ${bind(params, beforeId)}` : ''} ORDER BY id DESC LIMIT ${bind(params, limit + 1)}`, params);
    const more = rows.length > limit;
    if (more) rows.pop();
    return { rows, nextBeforeId: more ? rows[rows.length - 1].id : null };
  }

  async parserActivity(now: number) {
    const day = now - 86_400_000;
    const week = now - 7 * 86_400_000;
    // sum(bool::int) as SQLite's sum(bool): a number per group.
    const leads = await rowsOf<ParserLeadActivity>(this.db, `SELECT parser, count(*) AS n7, sum((received_at >= $1)::int) AS n24,
      sum((quality = 'con_problemas')::int) AS "conProblemas7", sum((quality = 'malo')::int) AS malo7,
      sum((received_at >= $1 AND strpos(problems, '.missing"') > 0)::int) AS missing24,
      sum((received_at < $1 AND strpos(problems, '.missing"') > 0)::int) AS "missingBefore", sum((received_at < $1)::int) AS "nBefore"
      FROM leads WHERE received_at >= $2 GROUP BY parser`, [day, week]);
    const emails = await rowsOf<{ parser: string; n7: number; n24: number }>(this.db, `SELECT parser, count(*) AS n7, sum((received_at >= $1)::int) AS n24 FROM raw_emails
      WHERE received_at >= $2 AND parser IS NOT NULL GROUP BY parser`, [day, week]);
    return { leads, emails };
  }

  async lastSuccess(parser: string | null): Promise<number | null> {
    const row = parser === null
      ? await firstOf<{ at: number }>(this.db, "SELECT received_at AS at FROM leads WHERE parser IS NULL AND quality = 'bueno' ORDER BY received_at DESC LIMIT 1")
      : await firstOf<{ at: number }>(this.db, "SELECT received_at AS at FROM leads WHERE parser = $1 AND quality = 'bueno' ORDER BY received_at DESC LIMIT 1", [parser]);
    return row?.at ?? null;
  }
}
