import type Database from 'better-sqlite3';

export interface VendorRow {
  id: string;
  name: string;
  type: string;
  active: boolean;
  retiredAt: number | null;
  /** Leads assigned to the vendor with no registered contact yet (leads_owner index). */
  pending: number;
}

/** Read-side SQL about vendors for the admin API; ownership rules live in src/ownership. */
export class VendorQueries {
  private readonly one: Database.Statement;
  private readonly all: Database.Statement;
  private readonly projects: Database.Statement;
  private readonly client: Database.Statement;

  constructor(db: Database.Database) {
    this.one = db.prepare('SELECT id, name, type, active, retired_at AS retiredAt FROM vendors WHERE id = ?');
    this.all = db.prepare(`SELECT v.id, v.name, v.type, v.active, v.retired_at AS retiredAt,
      (SELECT count(*) FROM leads l WHERE l.owner_vendor_id = v.id AND l.contact_state = 'por_contactar') AS pending
      FROM vendors v ORDER BY v.name, v.id`);
    this.projects = db.prepare('SELECT id, name FROM projects');
    this.client = db.prepare('SELECT id, owner_vendor_id AS ownerVendorId, owner_since AS ownerSince, last_activity_at AS lastActivityAt FROM clients WHERE id = ?');
  }

  get(id: string): Omit<VendorRow, 'pending'> | null {
    const row = this.one.get(id) as (Omit<VendorRow, 'pending' | 'active'> & { active: number }) | undefined;
    return row ? { ...row, active: row.active === 1 } : null;
  }

  exists(id: string): boolean {
    return this.one.get(id) !== undefined;
  }

  /** Every vendor ever configured (retired and inactive ones too: their leads stay filterable). */
  list(): VendorRow[] {
    return (this.all.all() as (Omit<VendorRow, 'active'> & { active: number })[]).map((r) => ({ ...r, active: r.active === 1 }));
  }

  /** A client's current owner and the times its reassignment clock runs from; null when there is no such client. */
  clientOwner(clientId: number): { id: number; ownerVendorId: string | null; ownerSince: number | null; lastActivityAt: number | null } | null {
    return (this.client.get(clientId) as ReturnType<VendorQueries['clientOwner']> | undefined) ?? null;
  }

  projectNames(): Map<number, string> {
    return new Map((this.projects.all() as { id: number; name: string }[]).map((p) => [p.id, p.name]));
  }
}
