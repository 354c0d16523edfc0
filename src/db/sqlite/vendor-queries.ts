import type Database from 'better-sqlite3';
import { isLimited, type Scope } from '../scope.ts';
import { leadStatus } from '../../vocabulary.ts';
import type { VendorRow, VendorReads } from '../people-reads.ts';
import { andScope, scopeClause } from './lead-where.ts';
import { marks } from '../sql-lists.ts';

/** Read-side SQL about vendors for the admin API; ownership rules live in src/ownership. */
export class VendorQueries implements VendorReads {
  private readonly one: Database.Statement;
  private readonly all: Database.Statement;
  private readonly projects: Database.Statement;
  private readonly client: Database.Statement;
  private readonly nameRows: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.one = db.prepare('SELECT id, name, type, active, retired_at AS retiredAt FROM vendors WHERE id = ?');
    this.all = db.prepare(`SELECT v.id, v.name, v.type, v.active, v.retired_at AS retiredAt,
      (SELECT count(*) FROM leads l WHERE l.owner_vendor_id = v.id AND l.contact_state = 'por_contactar') AS pending
      FROM vendors v ORDER BY v.name, v.id`);
    this.projects = db.prepare('SELECT id, name FROM projects');
    this.nameRows = db.prepare('SELECT id, name FROM vendors');
    this.client = db.prepare('SELECT id, owner_vendor_id AS ownerVendorId, owner_since AS ownerSince, last_activity_at AS lastActivityAt FROM clients WHERE id = ?');
  }

  async get(id: string): Promise<Omit<VendorRow, 'pending'> | null> {
    const row = this.one.get(id) as (Omit<VendorRow, 'pending' | 'active'> & { active: number }) | undefined;
    return row ? { ...row, active: row.active === 1 } : null;
  }

  async exists(id: string): Promise<boolean> {
    return this.one.get(id) !== undefined;
  }

  /** Every vendor's display name by id (retired ones too), without list()'s pending counts. */
  async names(): Promise<Map<string, string>> {
    return new Map((this.nameRows.all() as { id: string; name: string }[]).map((r) => [r.id, r.name]));
  }

  /**
   * Every vendor ever configured (retired and inactive ones too: their leads stay filterable), or
   * only the caller's own vendors; pending counts only the leads the caller may see.
   */
  async list(scope?: Scope): Promise<VendorRow[]> {
    if (!scope || !isLimited(scope)) {
      return (this.all.all() as (Omit<VendorRow, 'active'> & { active: number })[]).map((r) => ({ ...r, active: r.active === 1 }));
    }
    const params: unknown[] = [];
    const leadScope = scopeClause(scope, params) ?? '1';
    const own = scope.vendorIds !== null ? (scope.vendorIds.length ? `WHERE v.id IN (${marks(scope.vendorIds.length)})` : 'WHERE 0') : '';
    const rows = this.db.prepare(`SELECT v.id, v.name, v.type, v.active, v.retired_at AS retiredAt,
      (SELECT count(*) FROM leads l WHERE l.owner_vendor_id = v.id AND l.contact_state = 'por_contactar' AND ${leadScope}) AS pending
      FROM vendors v ${own} ORDER BY v.name, v.id`).all(...params, ...(scope.vendorIds ?? [])) as (Omit<VendorRow, 'active'> & { active: number })[];
    return rows.map((r) => ({ ...r, active: r.active === 1 }));
  }

  /** A vendor's leads with no registered contact yet, oldest first, limited to what the caller may see. */
  async pending(vendorId: string, scope: Scope | undefined, now: number) {
    const params: unknown[] = [vendorId];
    const rows = this.db.prepare(`SELECT l.id, l.client_id AS clientId, l.name, l.phone, l.email, l.project_id AS projectId, l.contact_type AS contactType,
      l.received_at AS receivedAt, l.deadline_at AS deadlineAt FROM leads l
      WHERE l.owner_vendor_id = ? AND l.contact_state = 'por_contactar'${andScope(scope, params)} ORDER BY l.received_at, l.id`).all(...params) as {
      id: number; clientId: number | null; name: string | null; phone: string | null; email: string | null; projectId: number | null;
      contactType: string | null; receivedAt: number; deadlineAt: number;
    }[];
    return rows.map((l) => ({ ...l, status: leadStatus('por_contactar', l.deadlineAt, now) }));
  }

  /** A client's current owner and the times its reassignment clock runs from; null when there is no such client. */
  async clientOwner(clientId: number): Promise<{ id: number; ownerVendorId: string | null; ownerSince: number | null; lastActivityAt: number | null } | null> {
    return (this.client.get(clientId) as ReturnType<VendorQueries['clientOwner']> | undefined) ?? null;
  }

  /** The projects a vendor sells (project_vendors). */
  async projectIds(vendorId: string): Promise<number[]> {
    return this.db.prepare('SELECT project_id FROM project_vendors WHERE vendor_id = ? ORDER BY project_id').pluck().all(vendorId) as number[];
  }

  /** Every vendor's projects (project_vendors), for rules that ask of many vendors inside one unit of work. */
  async projectIdsByVendor(): Promise<Map<string, number[]>> {
    const rows = this.db.prepare('SELECT vendor_id vendorId, project_id projectId FROM project_vendors ORDER BY vendor_id, project_id').all() as { vendorId: string; projectId: number }[];
    const out = new Map<string, number[]>();
    for (const r of rows) out.set(r.vendorId, [...(out.get(r.vendorId) ?? []), r.projectId]);
    return out;
  }

  /** The projects of a client's leads. */
  async clientProjectIds(clientId: number): Promise<number[]> {
    return this.db.prepare('SELECT DISTINCT project_id FROM leads WHERE client_id = ? AND project_id IS NOT NULL ORDER BY project_id').pluck().all(clientId) as number[];
  }

  /**
   * The vendor's clients that belong only to these projects: at least one lead, and every lead and
   * interaction of theirs in one of them. A manager of those projects moves these and no other.
   */
  async clientsWithin(vendorId: string, projectIds: number[]): Promise<number[]> {
    if (!projectIds.length) return [];
    const m = marks(projectIds.length);
    return this.db.prepare(`SELECT c.id FROM clients c WHERE c.owner_vendor_id = ?
      AND EXISTS (SELECT 1 FROM leads l WHERE l.client_id = c.id)
      AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.client_id = c.id AND (l.project_id IS NULL OR l.project_id NOT IN (${m})))
      AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.client_id = c.id AND (i.project_id IS NULL OR i.project_id NOT IN (${m})))
      ORDER BY c.id`).pluck().all(vendorId, ...projectIds, ...projectIds) as number[];
  }

  async projectNames(): Promise<Map<number, string>> {
    return new Map((this.projects.all() as { id: number; name: string }[]).map((p) => [p.id, p.name]));
  }
}
