import type pg from 'pg';
import { isLimited, type Scope } from '../scope.ts';
import { leadStatus } from '../../vocabulary.ts';
import { anyOf, pgAndScope, pgScopeClause } from './lead-filter.ts';
import { firstOf, rowsOf } from './read-base.ts';
import type { VendorRow, VendorReads } from '../people-reads.ts';

// Names sort by bytes (COLLATE "C"), as SQLite's BINARY collation does.
const VENDOR = 'v.id, v.name, v.type, v.active, v.retired_at AS "retiredAt"';

/** VendorQueries (src/db/sqlite/vendor-queries.ts) on PostgreSQL; `active` is a boolean column here already. */
export class PgVendorQueries implements VendorReads {
  constructor(private readonly db: pg.Pool) {}

  get(id: string): Promise<Omit<VendorRow, 'pending'> | null> {
    return firstOf(this.db, `SELECT ${VENDOR} FROM vendors v WHERE v.id = $1`, [id]);
  }

  async exists(id: string): Promise<boolean> {
    return (await firstOf(this.db, 'SELECT 1 FROM vendors WHERE id = $1', [id])) !== null;
  }

  async names(): Promise<Map<string, string>> {
    return new Map((await rowsOf<{ id: string; name: string }>(this.db, 'SELECT id, name FROM vendors')).map((r) => [r.id, r.name]));
  }

  list(scope?: Scope): Promise<VendorRow[]> {
    const params: unknown[] = [];
    let leadScope = 'true';
    let own = '';
    if (scope && isLimited(scope)) {
      leadScope = pgScopeClause(scope, params) ?? 'true';
      if (scope.vendorIds !== null) own = scope.vendorIds.length ? `WHERE ${anyOf('v.id', scope.vendorIds, params)}` : 'WHERE false';
    }
    return rowsOf(this.db, `SELECT ${VENDOR},
      (SELECT count(*) FROM leads l WHERE l.owner_vendor_id = v.id AND l.contact_state = 'por_contactar' AND ${leadScope}) AS pending
      FROM vendors v ${own} ORDER BY v.name COLLATE "C", v.id COLLATE "C"`, params);
  }

  async pending(vendorId: string, scope: Scope | undefined, now: number) {
    const params: unknown[] = [vendorId];
    const rows = await rowsOf<{
      id: number; clientId: number | null; name: string | null; phone: string | null; email: string | null; projectId: number | null;
      contactType: string | null; receivedAt: number; deadlineAt: number;
    }>(this.db, `SELECT l.id, l.client_id AS "clientId", l.name, l.phone, l.email, l.project_id AS "projectId", l.contact_type AS "contactType",
      l.received_at AS "receivedAt", l.deadline_at AS "deadlineAt" FROM leads l
      WHERE l.owner_vendor_id = $1 AND l.contact_state = 'por_contactar'${pgAndScope(scope, params)} ORDER BY l.received_at, l.id`, params);
    return rows.map((l) => ({ ...l, status: leadStatus('por_contactar', l.deadlineAt, now) }));
  }

  clientOwner(clientId: number): Promise<{ id: number; ownerVendorId: string | null; ownerSince: number | null; lastActivityAt: number | null } | null> {
    return firstOf(this.db, 'SELECT id, owner_vendor_id AS "ownerVendorId", owner_since AS "ownerSince", last_activity_at AS "lastActivityAt" FROM clients WHERE id = $1', [clientId]);
  }

  async projectIds(vendorId: string): Promise<number[]> {
    return (await rowsOf<{ id: number }>(this.db, 'SELECT project_id AS id FROM project_vendors WHERE vendor_id = $1 ORDER BY project_id', [vendorId])).map((r) => r.id);
  }

  async projectIdsByVendor(): Promise<Map<string, number[]>> {
    const rows = await rowsOf<{ vendorId: string; projectId: number }>(this.db, 'SELECT vendor_id AS "vendorId", project_id AS "projectId" FROM project_vendors ORDER BY vendor_id COLLATE "C", project_id');
    const out = new Map<string, number[]>();
    for (const r of rows) out.set(r.vendorId, [...(out.get(r.vendorId) ?? []), r.projectId]);
    return out;
  }

  async clientProjectIds(clientId: number): Promise<number[]> {
    return (await rowsOf<{ id: number }>(this.db, 'SELECT DISTINCT project_id AS id FROM leads WHERE client_id = $1 AND project_id IS NOT NULL ORDER BY project_id', [clientId])).map((r) => r.id);
  }

  async clientsWithin(vendorId: string, projectIds: number[]): Promise<number[]> {
    if (!projectIds.length) return [];
    return (await rowsOf<{ id: number }>(this.db, `SELECT c.id FROM clients c WHERE c.owner_vendor_id = $1
      AND EXISTS (SELECT 1 FROM leads l WHERE l.client_id = c.id)
      AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.client_id = c.id AND (l.project_id IS NULL OR NOT l.project_id = any($2)))
      AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.client_id = c.id AND (i.project_id IS NULL OR NOT i.project_id = any($2)))
      ORDER BY c.id`, [vendorId, projectIds])).map((r) => r.id);
  }

  async projectNames(): Promise<Map<number, string>> {
    return new Map((await rowsOf<{ id: number; name: string }>(this.db, 'SELECT id, name FROM projects')).map((p) => [p.id, p.name]));
  }
}
