import type Database from 'better-sqlite3';
import type { Scope } from '../scope.ts';
import type { CardRow, DueRow, DayReads } from '../lead-reads.ts';
import { andScope } from './lead-where.ts';

const CARD = `l.id, l.client_id AS clientId, l.name, l.phone, l.email, p.name AS project, l.project_text AS projectText, l.parser,
  l.owner_vendor_id AS owner, l.contact_type AS contactType, l.received_at AS receivedAt, l.deadline_at AS deadlineAt`;

/** The vendor's day: what waits for a contact, what is due, what is new. Scoped in SQL like every read. */
export class DayQueries implements DayReads {
  constructor(private readonly db: Database.Database) {}

  /** Leads waiting for a first contact, earliest deadline first (overdue ones lead). */
  async pending(scope: Scope, limit: number): Promise<CardRow[]> {
    const params: unknown[] = [];
    const scoped = andScope(scope, params);
    return this.db.prepare(`SELECT ${CARD} FROM leads l INDEXED BY leads_state_deadline LEFT JOIN projects p ON p.id = l.project_id
      WHERE l.contact_state = 'por_contactar'${scoped} ORDER BY l.deadline_at, l.id LIMIT ?`).all(...params, limit) as CardRow[];
  }

  /** Open follow-ups due before `until` (the end of today), with their lead. */
  async due(scope: Scope, until: number, limit: number): Promise<DueRow[]> {
    const params: unknown[] = [until];
    const scoped = andScope(scope, params);
    return this.db.prepare(`SELECT ${CARD}, f.id AS followUpId, f.due_at AS dueAt, f.expectation FROM follow_ups f
      JOIN leads l ON l.id = f.lead_id LEFT JOIN projects p ON p.id = l.project_id
      WHERE f.status = 'open' AND f.due_at < ?${scoped} AND l.contact_state NOT IN ('abortado', 'descartado')
      ORDER BY f.due_at, f.id LIMIT ?`).all(...params, limit) as DueRow[];
  }

  /** How many leads in scope arrived since `since` (ms), and after lead `afterId`; the newest id (the page polls it). */
  async arrivals(scope: Scope, since: number, afterId: number): Promise<{ since: number; after: number; latestId: number | null }> {
    const params: unknown[] = [since, afterId];
    const scoped = andScope(scope, params);
    return this.db.prepare(`SELECT count(CASE WHEN l.created_at >= ? THEN 1 END) AS since, count(CASE WHEN l.id > ? THEN 1 END) AS after, max(l.id) AS latestId
      FROM leads l WHERE 1${scoped}`).get(...params) as { since: number; after: number; latestId: number | null };
  }
}
