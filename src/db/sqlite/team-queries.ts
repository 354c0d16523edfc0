import type Database from 'better-sqlite3';
import { splitByDays } from '../day-split.ts';
import { funnelDailyWhere } from './funnel-queries.ts';
import { type LeadFilter } from '../lead-filter.ts';
import type { Scope } from '../scope.ts';
import { HOUR_MS, type ContactSpeedRow, type OverdueRow, type WeekRow, type TeamReads } from '../people-reads.ts';
import { buildWhere, scopeClause } from './lead-where.ts';

/**
 * The team's pictures, read in SQL: leads per week (the daily counters for whole days, the ends
 * scanned), speed to first contact (leads.first_contact_at, kept by a trigger from the first follow_up action, minus the arrival; the
 * median by window functions, so both engines answer alike) and overdue follow-ups per vendor.
 * Everything carries the caller's scope.
 */
export class TeamQueries implements TeamReads {
  constructor(private readonly db: Database.Database) {}

  /** Per vendor (`all` false) or one row for the whole filter (`all` true). */
  async contactSpeed(filter: LeadFilter, now: number, all: boolean): Promise<ContactSpeedRow[]> {
    const w = buildWhere({ ...filter, status: undefined, contactState: undefined }, now, false);
    const group = all ? 'NULL' : 'l.owner_vendor_id';
    // The period's slice of leads_first_contact holds everything this reads (owner, state, project, first contact):
    // without the hint SQLite may walk a vendor's or a project's leads of all time instead.
    return this.db.prepare(`WITH first AS (
        SELECT ${group} AS vendor, l.first_contact_at - l.received_at AS delay
        FROM leads l${filter.q ? '' : ' INDEXED BY leads_first_contact'} WHERE l.owner_vendor_id IS NOT NULL AND ${w.sql}),
      ranked AS (SELECT vendor, delay, row_number() OVER (PARTITION BY vendor, delay IS NULL ORDER BY delay) AS rn, count(delay) OVER (PARTITION BY vendor) AS cnt FROM first)
      SELECT vendor, count(*) AS leads, count(delay) AS contacted, count(CASE WHEN delay <= ${HOUR_MS} THEN 1 END) AS within1h,
        count(CASE WHEN delay <= ${24 * HOUR_MS} THEN 1 END) AS within24h, max(CASE WHEN delay IS NOT NULL AND rn = (cnt + 1) / 2 THEN delay END) AS p50Ms
      FROM ranked GROUP BY vendor ORDER BY vendor`).all(...w.params) as ContactSpeedRow[];
  }

  /** Leads per week by portal (`parser`) or by quality, discarded ones left out. */
  async weekly(filter: LeadFilter, by: 'parser' | 'quality', now: number): Promise<WeekRow[]> {
    const f: LeadFilter = { ...filter, status: undefined, contactState: undefined };
    const days = f.q ? null : splitByDays(f);
    const scans = days ? days.ends : [f];
    const rows: WeekRow[] = [];
    if (days) {
      const params: unknown[] = [];
      const where = [...funnelDailyWhere(f, days.firstDay, days.endDay, params), "a.contact_state <> 'descartado'"];
      const key = by === 'parser' ? "nullif(a.parser, '')" : 'a.quality';
      rows.push(...(this.db.prepare(`SELECT (a.day + 3) / 7 * 7 - 3 AS week, ${key} AS key, sum(a.n) AS n FROM lead_funnel_daily a
        WHERE ${where.join(' AND ')} GROUP BY 1, 2`).all(...params) as WeekRow[]));
    }
    for (const s of scans) {
      const w = buildWhere(s, now, false);
      rows.push(...(this.db.prepare(`SELECT (l.received_at / 86400000 + 3) / 7 * 7 - 3 AS week, l.${by} AS key, count(*) AS n FROM leads l
        WHERE ${w.sql} GROUP BY 1, 2`).all(...w.params) as WeekRow[]));
    }
    return rows;
  }

  /** Open follow-ups past their date, per owner of their lead. */
  async overdueFollowUps(scope: Scope, now: number): Promise<OverdueRow[]> {
    const params: unknown[] = [now];
    const scoped = scopeClause(scope, params);
    return this.db.prepare(`SELECT l.owner_vendor_id AS vendor, count(*) AS n FROM follow_ups f JOIN leads l ON l.id = f.lead_id
      WHERE f.status = 'open' AND f.due_at < ? AND l.contact_state NOT IN ('abortado', 'descartado')${scoped ? ` AND ${scoped}` : ''}
      GROUP BY 1 ORDER BY 1`).all(...params) as OverdueRow[];
  }
}
