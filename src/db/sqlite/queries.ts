import type Database from 'better-sqlite3';
import type { Scope } from '../scope.ts';
import { CONTACT_STATES, OWNER_CHANGES, DAY_MS, overdueSql, inTimeSql, type ContactState, type Cursor, type LeadFilter, type LeadRow, type Status } from '../lead-filter.ts';

import { mergeCounts, splitByDays } from '../day-split.ts';
import { leadCountersSql } from './funnel-queries.ts';
import { statsKey, type ParserLeadActivity, type StatsGroup, type LeadReads } from '../lead-reads.ts';
import { andFollowUpScope, andScope, buildWhere, clientVisibleSql } from './lead-where.ts';
import { inList, marks } from '../sql-lists.ts';
import { hasBodySql, readRawBody } from './raw-body.ts';

const LIST_COLUMNS = `l.id, l.quality, l.contact_state AS contactState, l.deadline_at AS deadlineAt, l.name,
  l.national_id AS nationalId, l.email, l.phone, p.name AS project, l.project_text AS projectText,
  substr(l.message, 1, 500) AS message, l.parser, l.medium, l.received_at AS receivedAt,
  l.follow_up_at AS followUpAt, l.last_contact_at AS lastContactAt, l.client_id AS clientId, l.problems,
  l.owner_vendor_id AS owner, l.contact_type AS contactType,
  (SELECT max(a.at) FROM actions a WHERE a.lead_id = l.id AND a.actor <> 'centralizador') AS lastActionAt`;

/** Read-side SQL for the admin API. Prepared statements are cached by their text. */
export class LeadQueries implements LeadReads {
  private statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private prepare(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size > 300) this.statements.clear(); // IN-list lengths make variants; stay bounded
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** One page, newest first, keyset on (received_at, id) so deep pages cost the same as the first. */
  async list(f: LeadFilter, limit: number, cursor: Cursor | null, now: number): Promise<{ rows: LeadRow[]; next: Cursor | null }> {
    const w = buildWhere(f, now, false);
    const after = cursor ? ' AND (l.received_at, l.id) < (?, ?)' : '';
    // Leads still in time are few: find them by deadline and sort them ('+' stops SQLite from walking
    // the arrival index through every overdue lead, 600 ms at 1M leads when none is in time).
    const order = w.fewRows ? '+l.received_at DESC, l.id DESC' : 'l.received_at DESC, l.id DESC';
    const sql = `SELECT ${LIST_COLUMNS} FROM leads l LEFT JOIN projects p ON p.id = l.project_id
      WHERE ${w.sql}${after} ORDER BY ${order} LIMIT ?`;
    const params = [...w.params, ...(cursor ? [cursor.receivedAt, cursor.id] : []), limit + 1];
    const rows = this.prepare(sql).all(...params) as LeadRow[];
    const more = rows.length > limit;
    if (more) rows.pop();
    const last = rows[rows.length - 1];
    return { rows, next: more && last ? { receivedAt: last.receivedAt, id: last.id } : null };
  }

  /**
   * Funnel counts, discarded leads included (the caller sorts them out). Without a date range,
   * search or owner they come from the lead_counts aggregate (kept by triggers, no owner column);
   * otherwise from one grouped pass over leads (covering indexes leads_stats_received /
   * leads_stats_project, or leads_owner for one vendor's leads).
   */
  async statsGroups(f: LeadFilter, now: number): Promise<StatsGroup[]> {
    if (f.q || f.ownerVendorId !== undefined || (f.scope && f.scope.vendorIds !== null)) return this.statsScan(f, now);
    if (f.scope?.projectIds) {
      // A project scope narrows the aggregate's own project key.
      const allowed = new Set(f.scope.projectIds);
      const projectIds = f.projectIds ? f.projectIds.filter((id) => allowed.has(id)) : [...allowed];
      if (!projectIds.length) return [];
      f = { ...f, projectIds, scope: undefined };
    }
    if (f.from === undefined && f.to === undefined) return this.statsFromCounts(f, now);
    // A date range: whole UTC days from the daily aggregate, the partial days at each end scanned.
    const days = splitByDays(f);
    if (!days) return this.statsScan(f, now);
    const groups = this.statsFromCounts({ ...f, from: days.firstDay * DAY_MS, to: days.endDay * DAY_MS }, now, days);
    for (const end of days.ends) groups.push(...(await this.statsScan(end, now)));
    return mergeCounts(groups, statsKey);
  }

  async statsScan(f: LeadFilter, now: number): Promise<StatsGroup[]> {
    const w = buildWhere(f, now, true);
    const sql = `SELECT l.quality, l.contact_state AS state, l.medium, l.parser,
      ${overdueSql('l', '?')} AS overdue, count(*) AS n
      FROM leads l WHERE ${w.sql} GROUP BY 1, 2, 3, 4, 5`;
    return this.prepare(sql).all(now, ...w.params) as StatsGroup[];
  }

  private statsFromCounts(f: LeadFilter, now: number, days?: { firstDay: number; endDay: number }): StatsGroup[] {
    let states = new Set<string>(f.contactState ?? CONTACT_STATES);
    const status = f.status?.length ? new Set(f.status) : null;
    if (status) states = new Set([...states].filter((s) => (s === 'por_contactar' ? status.has('por_contactar') || status.has('no_contactado') : status.has(s as Status))));
    if (!states.size) return [];
    const params: unknown[] = [];
    let source: string;
    if (days) {
      // A period: the funnel's counters (16-day buckets and odd days, covering indexes) rather than
      // lead_counts_daily, whose rows each cost a lookup (1M leads, 90 days: 45 → 10 ms).
      source = `(${leadCountersSql({ ...f, contactState: [...states] as ContactState[], scope: undefined, ownerVendorId: undefined }, days.firstDay, days.endDay, params)})`;
    } else {
      const where = [inList('contact_state', [...states], params), 'n > 0'];
      if (f.quality?.length) where.push(inList('quality', f.quality, params));
      if (f.projectIds?.length) where.push(inList('project_id', f.projectIds, params));
      if (f.parsers?.length) where.push(inList('parser', f.parsers.map((p) => p ?? ''), params));
      if (f.medium?.length) where.push(inList('medium', f.medium, params));
      source = `lead_counts WHERE ${where.join(' AND ')}`;
    }
    const rows = this.prepare(`SELECT quality, contact_state AS state, medium, nullif(parser, '') AS parser, sum(n) AS n
      FROM ${source} GROUP BY 1, 2, 3, 4`).all(...params) as Omit<StatsGroup, 'overdue'>[];
    if (!states.has('por_contactar')) return rows.map((r) => ({ ...r, overdue: 0 }));
    // Leads still inside their contact deadline are few (the last followUpDays of arrivals), found
    // through leads_state_deadline; every other por_contactar lead is overdue.
    const w = buildWhere({ ...f, contactState: undefined, status: undefined }, now, true);
    // INDEXED BY: SQLite would otherwise walk a project's or a date range's leads (12 ms and up).
    const fresh = this.prepare(`SELECT l.quality, l.medium, l.parser, count(*) AS n FROM leads l INDEXED BY leads_state_deadline
      WHERE ${inTimeSql('l', '?')} AND ${w.sql} GROUP BY 1, 2, 3`).all(now, ...w.params) as Omit<StatsGroup, 'overdue' | 'state'>[];
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
    const rows = this.prepare(`SELECT id, name FROM projects WHERE name IN (${marks(names.length)})`).all(...names) as { id: number; name: string }[];
    return new Map(rows.map((r) => [r.name, r.id]));
  }

  async projectNamesByIds(ids: number[]): Promise<string[]> {
    if (!ids.length) return [];
    return (this.prepare(`SELECT name FROM projects WHERE id IN (${marks(ids.length)}) ORDER BY name`).all(...ids) as { name: string }[]).map((r) => r.name);
  }

  /** Every project's id and name (active or not): names for counts keyed by project id. */
  async projectNamesById(): Promise<{ id: number; name: string }[]> {
    return this.prepare('SELECT id, name FROM projects ORDER BY id').all() as { id: number; name: string }[];
  }

  async projectNames(): Promise<string[]> {
    return (this.prepare('SELECT name FROM projects WHERE active = 1 ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  }

  /** Everything the lead page shows; null when there is no such lead. */
  async detail(leadId: number, scope?: Scope) {
    const params: unknown[] = [leadId];
    const lead = this.prepare(`SELECT l.*, p.name AS project FROM leads l LEFT JOIN projects p ON p.id = l.project_id WHERE l.id = ?${andScope(scope, params)}`).get(...params) as
      | (Record<string, unknown> & { client_id: number | null; raw_email_id: number })
      | undefined;
    if (!lead) return null;
    const client = lead.client_id === null ? null : (this.prepare('SELECT * FROM clients WHERE id = ?').get(lead.client_id) ?? null);
    // The lead's follow-ups, and its client's on the leads the caller sees (as in the client record).
    const fp: unknown[] = [leadId, lead.client_id];
    const fs = andFollowUpScope(scope, fp);
    const followUps = lead.client_id === null
      ? this.prepare('SELECT * FROM follow_ups WHERE lead_id = ? ORDER BY created_at DESC, id DESC LIMIT 100').all(leadId)
      : this.prepare(`SELECT * FROM follow_ups f WHERE f.lead_id = ? OR (f.client_id = ?${fs})
        ORDER BY f.created_at DESC, f.id DESC LIMIT 100`).all(...fp);
    // The lead's own actions, and its client's changes of owner (a reassignment is the client's, and every lead of it shows it).
    const actions = this.prepare(`SELECT id, actor, action, data, at FROM actions WHERE lead_id = ? OR (lead_id IS NULL AND client_id = ? AND action IN (${OWNER_CHANGES}))
      ORDER BY at DESC, id DESC LIMIT 200`).all(leadId, lead.client_id ?? -1);
    const raw = this.prepare(`SELECT id, message_id AS messageId, size, received_at AS receivedAt, stored_at AS storedAt, status, error,
      ignored_reason AS ignoredReason, mailbox, file, sha256, purged_at AS purgedAt, ${hasBodySql('raw_emails')} AS hasBody,
      (SELECT count(*) FROM leads WHERE raw_email_id = raw_emails.id) AS people
      FROM raw_emails WHERE id = ?`).get(lead.raw_email_id) ?? null;
    return { lead, client, followUps, actions, raw };
  }

  async rawBody(leadId: number, scope?: Scope): Promise<{ raw: Buffer | null; purgedAt: number | null; status: string } | null> {
    const params: unknown[] = [leadId];
    const row = this.prepare(`SELECT r.id, r.size, r.purged_at AS purgedAt, r.status FROM leads l JOIN raw_emails r ON r.id = l.raw_email_id WHERE l.id = ?${andScope(scope, params)}`).get(...params) as
      | { id: number; size: number; purgedAt: number | null; status: string }
      | undefined;
    return row ? { raw: readRawBody((q) => this.prepare(q), row.id, row.size), purgedAt: row.purgedAt, status: row.status } : null;
  }

  /** Is the lead within the caller's scope? (Actions answer 404 otherwise.) */
  async leadVisible(leadId: number, scope: Scope): Promise<boolean> {
    const params: unknown[] = [leadId];
    return this.prepare(`SELECT 1 FROM leads l WHERE l.id = ?${andScope(scope, params)}`).get(...params) !== undefined;
  }

  /** A client is visible when one of its leads is, or (vendor scopes) when one of the caller's vendors owns it. */
  async clientVisible(clientId: number, scope: Scope): Promise<boolean> {
    const q = clientVisibleSql(clientId, scope);
    return this.prepare(q.sql).get(...q.params) !== undefined;
  }

  /** Emails that did not become leads, newest first (raw_emails_status index: status, then rowid). */
  async emails(statuses: string[], limit: number, beforeId: number | null) {
    const params: unknown[] = [];
    const where = inList('status', statuses, params);
    const sql = `SELECT id, message_id AS messageId, mailbox, file, size, received_at AS receivedAt, status, error,
      ignored_reason AS ignoredReason, parser FROM raw_emails WHERE ${where}${beforeId ? ' AND id < ?' : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.prepare(sql).all(...params, ...(beforeId ? [beforeId] : []), limit + 1) as { id: number }[];
    const more = rows.length > limit;
    if (more) rows.pop();
    return { rows, nextBeforeId: more ? rows[rows.length - 1].id : null };
  }

  /** Per-parser activity over the last 7 days (a range on leads_received), split at 24 h. */
  async parserActivity(now: number) {
    const day = now - 86_400_000;
    const week = now - 7 * 86_400_000;
    const leads = this.prepare(`SELECT parser, count(*) AS n7, sum(received_at >= ?) AS n24,
      sum(quality = 'con_problemas') AS conProblemas7, sum(quality = 'malo') AS malo7,
      sum(received_at >= ? AND instr(problems, '.missing"') > 0) AS missing24,
      sum(received_at < ? AND instr(problems, '.missing"') > 0) AS missingBefore, sum(received_at < ?) AS nBefore
      FROM leads INDEXED BY leads_received WHERE received_at >= ? GROUP BY parser`).all(day, day, day, day, week) as ParserLeadActivity[];
    const emails = this.prepare(`SELECT parser, count(*) AS n7, sum(received_at >= ?) AS n24 FROM raw_emails
      WHERE received_at >= ? AND parser IS NOT NULL GROUP BY parser`).all(day, week) as { parser: string; n7: number; n24: number }[];
    return { leads, emails };
  }

  /** Latest bueno lead of a parser: walks leads_parser_received backwards and stops at the first. */
  async lastSuccess(parser: string | null): Promise<number | null> {
    const sql = parser === null
      ? "SELECT received_at AS at FROM leads WHERE parser IS NULL AND quality = 'bueno' ORDER BY received_at DESC LIMIT 1"
      : "SELECT received_at AS at FROM leads WHERE parser = ? AND quality = 'bueno' ORDER BY received_at DESC LIMIT 1";
    const row = (parser === null ? this.prepare(sql).get() : this.prepare(sql).get(parser)) as { at: number } | undefined;
    return row?.at ?? null;
  }
}

