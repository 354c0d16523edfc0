import type Database from 'better-sqlite3';
import type { Scope } from '../scope.ts';
import { preparedCache, type Prepared } from './prepared.ts';
import type { QuoteContactState } from '../../funnel-vocabulary.ts';
import { CONTENT, type ClientEvent, type Derived, type LeadTouch, type NewInteraction, type UpsertOutcome } from '../funnel-reads.ts';
import { clientVisibleSql, clientWithinSql, interactionInScopeSql } from './lead-where.ts';

/**
 * Interaction writes and the per-client reads the funnel rules need. Writes run inside the app's
 * write path (the caller's `store.transaction`); this class only checks that one is open.
 */
export class FunnelStore {
  private readonly q: Prepared;

  constructor(private readonly db: Database.Database) {
    this.q = preparedCache(db);
  }

  /** LeadQueries.clientVisible for the funnel's synchronous write path (same SQL). */
  clientVisible(clientId: number, scope: Scope): boolean {
    const q = clientVisibleSql(clientId, scope);
    return this.q(q.sql).get(...q.params) !== undefined;
  }

  clientWithin(clientId: number, scope: Scope): boolean {
    const q = clientWithinSql(clientId, scope);
    return !q || this.q(q.sql).get(...q.params) !== undefined;
  }

  interactionInScope(key: string, scope: Scope): boolean {
    const q = interactionInScopeSql(key, scope);
    return this.q(q.sql).get(...q.params) !== undefined;
  }

  private writing(): void {
    if (!this.db.inTransaction) throw new Error('a write outside a unit of work: use store.transaction');
  }

  /** Inserts, or updates the content of the row with the same key; the same content changes nothing. An update names its writer (`actor`) and answers what it replaced. */
  upsert(r: NewInteraction, now: number): { id: number; outcome: UpsertOutcome; before?: Record<string, unknown> } {
    this.writing();
    const old = this.q(`SELECT id, ${CONTENT.join(', ')}, actor FROM interactions WHERE key = ?`).get(r.key) as Record<string, unknown> & { id: number } | undefined;
    const content: Record<(typeof CONTENT)[number], unknown> = { client_id: r.clientId, project_id: r.projectId, at: r.at, product: r.product, model: r.model, amount: r.amount, source: r.source, state: r.state };
    if (old) {
      if (CONTENT.every((c) => old[c] === content[c])) return { id: old.id, outcome: 'unchanged' };
      this.q(`UPDATE interactions SET ${CONTENT.map((c) => `${c} = ?`).join(', ')}, actor = ?, updated_at = ? WHERE id = ?`).run(...CONTENT.map((c) => content[c]), r.actor, now, old.id);
      const { id: _id, ...before } = old;
      return { id: old.id, outcome: 'updated', before };
    }
    // A quote made before a contact the client already has on record starts contacted (or aborted).
    const contactState = r.kind === 'cotizacion' ? this.contactAfter(r.clientId, r.at) ?? 'por_contactar' : null;
    const res = this.q(`INSERT INTO interactions (key, external_id, kind, client_id, project_id, at, product, model, amount, source, state, contact_state, deadline_at,
      lead_id, parser, medium, owner_vendor_id, reentry, actor, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 'otros', ?, 0, ?, ?, ?)`)
      .run(r.key, r.externalId, r.kind, r.clientId, r.projectId, r.at, r.product, r.model, r.amount, r.source, r.state, contactState, r.kind === 'cotizacion' ? r.deadlineAt : null, r.ownerVendorId, r.actor, now, now);
    return { id: Number(res.lastInsertRowid), outcome: 'created' };
  }

  /** The stored row with this idempotency key (an external id is the company's: one row per kind and id). */
  byKey(key: string): { id: number; clientId: number; ownerVendorId: string | null } | null {
    return (this.q('SELECT id, client_id AS clientId, owner_vendor_id AS ownerVendorId FROM interactions WHERE key = ?').get(key) as { id: number; clientId: number; ownerVendorId: string | null } | undefined) ?? null;
  }

  /** The projects a vendor sells (project_vendors). */
  vendorProjects(vendorId: string): number[] {
    return this.q('SELECT project_id FROM project_vendors WHERE vendor_id = ?').pluck().all(vendorId) as number[];
  }

  private contactAfter(clientId: number, at: number): QuoteContactState | null {
    const row = this.q("SELECT action FROM actions WHERE client_id = ? AND action IN ('follow_up', 'abort') AND at >= ? ORDER BY at LIMIT 1").get(clientId, at) as { action: string } | undefined;
    return row ? (row.action === 'abort' ? 'abortado' : 'contactado') : null;
  }

  /** A client's leads and interactions, for the attribution and counting rules. */
  clientHistory(clientId: number): { leads: LeadTouch[]; events: ClientEvent[] } {
    const leads = this.q('SELECT id, received_at AS at, project_id AS projectId, parser, medium FROM leads WHERE client_id = ?').all(clientId) as LeadTouch[];
    const events = this.q('SELECT id, kind, at, project_id AS projectId, source FROM interactions WHERE client_id = ?').all(clientId) as ClientEvent[];
    return { leads, events };
  }

  /** Writes what the rules derived; rows already right are left alone. `noLead` is the portal key of rows without a lead. */
  setDerived(id: number, d: Derived, noLead: string, now: number): void {
    this.writing();
    this.q(`UPDATE interactions SET lead_id = ?, parser = ?, medium = ?, reentry = ?, updated_at = ?
      WHERE id = ? AND (lead_id IS NOT ? OR parser IS NOT ? OR medium IS NOT ? OR reentry IS NOT ?)`)
      .run(d.leadId, d.leadId === null ? noLead : d.parser, d.medium, d.reentry ? 1 : 0, now, id, d.leadId, d.leadId === null ? noLead : d.parser, d.medium, d.reentry ? 1 : 0);
  }

  /** A vendor by id, email or name (case-insensitive), as an ERP file writes the responsable. */
  vendorId(text: string): string | null {
    const row = this.q('SELECT id FROM vendors WHERE id = @t OR lower(email) = lower(@t) OR lower(name) = lower(@t) ORDER BY id = @t DESC LIMIT 1').get({ t: text }) as { id: string } | undefined;
    return row?.id ?? null;
  }

  clientOwner(clientId: number): string | null {
    return (this.q('SELECT owner_vendor_id AS o FROM clients WHERE id = ?').get(clientId) as { o: string | null } | undefined)?.o ?? null;
  }

}
