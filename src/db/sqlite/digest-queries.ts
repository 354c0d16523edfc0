import type Database from 'better-sqlite3';
import type { DigestLead, DigestReads } from '../lead-reads.ts';

// Read-only queries for the daily digest (src/outbox/digest.ts). Times are epoch ms; the caller
// computes the day's bounds in the company's time zone.

export class DigestQueries implements DigestReads {
  constructor(private readonly db: Database.Database) {}

  async vendorsWithEmail(): Promise<{ id: string; name: string; email: string }[]> {
    return this.db.prepare("SELECT id, name, email FROM vendors WHERE active = 1 AND retired_at IS NULL AND email IS NOT NULL AND email <> '' ORDER BY id").all() as never;
  }

  /** Open follow-ups of the vendor's clients due in [from, to). */
  async followUpsDue(vendorId: string, from: number, to: number): Promise<DigestLead[]> {
    return this.db
      .prepare(`SELECT coalesce(f.lead_id, 0) id, c.name name, p.name project, f.due_at at FROM follow_ups f JOIN clients c ON c.id = f.client_id LEFT JOIN projects p ON p.id = f.project_id
        WHERE f.status = 'open' AND c.owner_vendor_id = ? AND f.due_at >= ? AND f.due_at < ? ORDER BY f.due_at, f.id`)
      .all(vendorId, from, to) as DigestLead[];
  }

  /** The vendor's leads still waiting for contact whose deadline falls in [from, to). */
  async waitingByDeadline(vendorId: string, from: number, to: number): Promise<DigestLead[]> {
    return this.db
      .prepare(`SELECT l.id id, l.name name, p.name project, l.deadline_at at FROM leads l LEFT JOIN projects p ON p.id = l.project_id
        WHERE l.owner_vendor_id = ? AND l.contact_state = 'por_contactar' AND l.deadline_at >= ? AND l.deadline_at < ? ORDER BY l.deadline_at, l.id`)
      .all(vendorId, from, to) as DigestLead[];
  }

  /** Leads received in [from, to) in these projects (all when null), counted by a column. */
  async countsBy(column: 'quality' | 'parser' | 'owner_vendor_id', projects: number[] | null, from: number, to: number): Promise<{ key: string | null; n: number }[]> {
    const inProjects = projects ? `AND project_id IN (${projects.map(() => '?').join(',') || 'NULL'})` : '';
    return this.db
      .prepare(`SELECT ${column} key, count(*) n FROM leads WHERE received_at >= ? AND received_at < ? ${inProjects} GROUP BY ${column} ORDER BY n DESC`)
      .all(from, to, ...(projects ?? [])) as never;
  }

  /** Leads past their deadline with no contact (no_contactado), in these projects (all when null). */
  async notContacted(projects: number[] | null, now: number, limit = 200): Promise<(DigestLead & { vendor: string | null })[]> {
    const inProjects = projects ? `AND l.project_id IN (${projects.map(() => '?').join(',') || 'NULL'})` : '';
    return this.db
      .prepare(`SELECT l.id id, l.name name, p.name project, l.deadline_at at, l.owner_vendor_id vendor FROM leads l LEFT JOIN projects p ON p.id = l.project_id
        WHERE l.contact_state = 'por_contactar' AND l.deadline_at < ? ${inProjects} ORDER BY l.deadline_at, l.id LIMIT ${Math.floor(limit)}`)
      .all(now, ...(projects ?? [])) as never;
  }
}
