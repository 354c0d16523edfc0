import type pg from 'pg';
import { splitByDays } from '../day-split.ts';
import type { LeadFilter } from '../lead-filter.ts';
import type { Scope } from '../scope.ts';
import { pgBuildWhere, pgScopeClause } from './lead-filter.ts';
import { rowsOf } from './read-base.ts';
import { pgFunnelDailyWhere } from './funnel-queries.ts';
import { HOUR_MS, type ContactSpeedRow, type OverdueRow, type WeekRow, type TeamReads } from '../people-reads.ts';

/** TeamQueries (src/db/sqlite/team-queries.ts) on PostgreSQL: the same statements, counts cast to int. */
export class PgTeamQueries implements TeamReads {
  constructor(private readonly db: pg.Pool) {}

  async contactSpeed(filter: LeadFilter, now: number, all: boolean): Promise<ContactSpeedRow[]> {
    const w = pgBuildWhere({ ...filter, status: undefined, contactState: undefined }, now, false);
    const group = all ? 'NULL::text' : 'l.owner_vendor_id';
    return rowsOf(this.db, `WITH first AS (
        SELECT ${group} AS vendor, l.first_contact_at - l.received_at AS delay
        FROM leads l WHERE l.owner_vendor_id IS NOT NULL AND ${w.sql}),
      ranked AS (SELECT vendor, delay, row_number() OVER (PARTITION BY vendor, delay IS NULL ORDER BY delay) AS rn, count(delay) OVER (PARTITION BY vendor) AS cnt FROM first)
      SELECT vendor, count(*)::int AS leads, count(delay)::int AS contacted, count(CASE WHEN delay <= ${HOUR_MS} THEN 1 END)::int AS within1h,
        count(CASE WHEN delay <= ${24 * HOUR_MS} THEN 1 END)::int AS within24h,
        max(CASE WHEN delay IS NOT NULL AND rn = (cnt + 1) / 2 THEN delay END)::float8 AS "p50Ms"
      FROM ranked GROUP BY vendor ORDER BY vendor`, w.params);
  }

  async weekly(filter: LeadFilter, by: 'parser' | 'quality', now: number): Promise<WeekRow[]> {
    const f: LeadFilter = { ...filter, status: undefined, contactState: undefined };
    const days = f.q ? null : splitByDays(f);
    const scans = days ? days.ends : [f];
    const rows: WeekRow[] = [];
    if (days) {
      const params: unknown[] = [];
      const where = [...pgFunnelDailyWhere(f, days.firstDay, days.endDay, params), "a.contact_state <> 'descartado'"];
      const key = by === 'parser' ? "nullif(a.parser, '')" : 'a.quality';
      rows.push(...(await rowsOf<WeekRow>(this.db, `SELECT ((a.day + 3) / 7 * 7 - 3)::int AS week, ${key} AS key, sum(a.n)::int AS n FROM lead_funnel_daily a
        WHERE ${where.join(' AND ')} GROUP BY 1, 2`, params)));
    }
    for (const s of scans) {
      const w = pgBuildWhere(s, now, false);
      rows.push(...(await rowsOf<WeekRow>(this.db, `SELECT ((l.received_at / 86400000 + 3) / 7 * 7 - 3)::int AS week, l.${by} AS key, count(*)::int AS n FROM leads l
        WHERE ${w.sql} GROUP BY 1, 2`, w.params)));
    }
    return rows;
  }

  async overdueFollowUps(scope: Scope, now: number): Promise<OverdueRow[]> {
    const params: unknown[] = [now];
    const scoped = pgScopeClause(scope, params);
    return rowsOf(this.db, `SELECT l.owner_vendor_id AS vendor, count(*)::int AS n FROM follow_ups f JOIN leads l ON l.id = f.lead_id
      WHERE f.status = 'open' AND f.due_at < $1 AND l.contact_state NOT IN ('abortado', 'descartado')${scoped ? ` AND ${scoped}` : ''}
      GROUP BY 1 ORDER BY 1`, params);
  }
}
