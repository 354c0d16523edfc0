import type pg from 'pg';
import type { Scope } from '../scope.ts';
import { bind, pgAndScope } from './lead-filter.ts';
import { firstOf, rowsOf } from './read-base.ts';
import type { CardRow, DueRow, DayReads } from '../lead-reads.ts';

const CARD = `l.id, l.client_id AS "clientId", l.name, l.phone, l.email, p.name AS project, l.project_text AS "projectText", l.parser,
  l.owner_vendor_id AS owner, l.contact_type AS "contactType", l.received_at AS "receivedAt", l.deadline_at AS "deadlineAt"`;

/** DayQueries (src/db/sqlite/day-queries.ts) on PostgreSQL. */
export class PgDayQueries implements DayReads {
  constructor(private readonly db: pg.Pool) {}

  pending(scope: Scope, limit: number): Promise<CardRow[]> {
    const params: unknown[] = [];
    const scoped = pgAndScope(scope, params);
    return rowsOf(this.db, `SELECT ${CARD} FROM leads l LEFT JOIN projects p ON p.id = l.project_id
      WHERE l.contact_state = 'por_contactar'${scoped} ORDER BY l.deadline_at, l.id LIMIT ${bind(params, limit)}`, params);
  }

  due(scope: Scope, until: number, limit: number): Promise<DueRow[]> {
    const params: unknown[] = [until];
    const scoped = pgAndScope(scope, params);
    return rowsOf(this.db, `SELECT ${CARD}, f.id AS "followUpId", f.due_at AS "dueAt", f.expectation FROM follow_ups f
      JOIN leads l ON l.id = f.lead_id LEFT JOIN projects p ON p.id = l.project_id
      WHERE f.status = 'open' AND f.due_at < $1${scoped} AND l.contact_state NOT IN ('abortado', 'descartado')
      ORDER BY f.due_at, f.id LIMIT ${bind(params, limit)}`, params);
  }

  async arrivals(scope: Scope, since: number, afterId: number): Promise<{ since: number; after: number; latestId: number | null }> {
    const params: unknown[] = [since, afterId];
    const scoped = pgAndScope(scope, params);
    return (await firstOf<{ since: number; after: number; latestId: number | null }>(this.db, `SELECT count(CASE WHEN l.created_at >= $1 THEN 1 END) AS since,
      count(CASE WHEN l.id > $2 THEN 1 END) AS after, max(l.id) AS "latestId" FROM leads l WHERE true${scoped}`, params))!;
  }
}
