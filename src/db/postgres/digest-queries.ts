import type pg from 'pg';
import { rowsOf } from './read-base.ts';
import type { DigestLead, DigestReads } from '../lead-reads.ts';

/** DigestQueries (src/db/sqlite/digest-queries.ts) on PostgreSQL. Aliases take AS: `at` and `key` are keywords here. */
export class PgDigestQueries implements DigestReads {
  constructor(private readonly db: pg.Pool) {}

  vendorsWithEmail(): Promise<{ id: string; name: string; email: string }[]> {
    return rowsOf(this.db, "SELECT id, name, email FROM vendors WHERE active AND retired_at IS NULL AND email IS NOT NULL AND email <> '' ORDER BY id COLLATE \"C\"");
  }

  followUpsDue(vendorId: string, from: number, to: number): Promise<DigestLead[]> {
    return rowsOf(this.db, `SELECT coalesce(f.lead_id, 0) AS id, c.name AS name, p.name AS project, f.due_at AS at FROM follow_ups f JOIN clients c ON c.id = f.client_id
      LEFT JOIN projects p ON p.id = f.project_id WHERE f.status = 'open' AND c.owner_vendor_id = $1 AND f.due_at >= $2 AND f.due_at < $3 ORDER BY f.due_at, f.id`, [vendorId, from, to]);
  }

  waitingByDeadline(vendorId: string, from: number, to: number): Promise<DigestLead[]> {
    return rowsOf(this.db, `SELECT l.id AS id, l.name AS name, p.name AS project, l.deadline_at AS at FROM leads l LEFT JOIN projects p ON p.id = l.project_id
      WHERE l.owner_vendor_id = $1 AND l.contact_state = 'por_contactar' AND l.deadline_at >= $2 AND l.deadline_at < $3 ORDER BY l.deadline_at, l.id`, [vendorId, from, to]);
  }

  countsBy(column: 'quality' | 'parser' | 'owner_vendor_id', projects: number[] | null, from: number, to: number): Promise<{ key: string | null; n: number }[]> {
    const col = ({ quality: 'quality', parser: 'parser', owner_vendor_id: 'owner_vendor_id' } as const)[column];
    return rowsOf(this.db, `SELECT ${col} AS "key", count(*) AS n FROM leads WHERE received_at >= $1 AND received_at < $2
      ${projects ? 'AND project_id = any($3)' : ''} GROUP BY ${col} ORDER BY n DESC`, projects ? [from, to, projects] : [from, to]);
  }

  notContacted(projects: number[] | null, now: number, limit = 200): Promise<(DigestLead & { vendor: string | null })[]> {
    return rowsOf(this.db, `SELECT l.id AS id, l.name AS name, p.name AS project, l.deadline_at AS at, l.owner_vendor_id AS vendor FROM leads l LEFT JOIN projects p ON p.id = l.project_id
      WHERE l.contact_state = 'por_contactar' AND l.deadline_at < $1 ${projects ? 'AND l.project_id = any($2)' : ''} ORDER BY l.deadline_at, l.id LIMIT ${Math.floor(limit)}`,
      projects ? [now, projects] : [now]);
  }
}
