import type { Scope } from '../scope.ts';
import { funnelReads, funnelWrites } from './funnel.ts';
import { firstOf, inTransaction, type PgHandle } from './read-base.ts';
import type { ClientEvent, Derived, LeadTouch, NewInteraction, UpsertOutcome } from '../funnel-reads.ts';

/**
 * FunnelStore (src/db/sqlite/funnel-store.ts) on PostgreSQL, over the port's funnel statements
 * (funnel.ts). SQLite's upsert and setDerived refuse to run outside the caller's transaction; here
 * each is its own transaction over a pool, or joins the caller's when built over its client.
 */
export class PgFunnelStore {
  constructor(private readonly db: PgHandle) {}

  clientVisible(clientId: number, scope: Scope): Promise<boolean> {
    return funnelReads(this.db).clientVisible(clientId, scope);
  }

  upsert(r: NewInteraction, now: number): Promise<{ id: number; outcome: UpsertOutcome; before?: Record<string, unknown> }> {
    return inTransaction(this.db, async (c) => funnelWrites(c).upsertInteraction(r, now));
  }

  byKey(key: string): Promise<{ id: number; clientId: number; ownerVendorId: string | null } | null> {
    return funnelReads(this.db).interactionByKey(key);
  }

  vendorProjects(vendorId: string): Promise<number[]> {
    return funnelReads(this.db).vendorProjectIds(vendorId);
  }

  clientHistory(clientId: number): Promise<{ leads: LeadTouch[]; events: ClientEvent[] }> {
    return funnelReads(this.db).clientHistory(clientId);
  }

  setDerived(id: number, d: Derived, noLead: string, now: number): Promise<void> {
    return inTransaction(this.db, async (c) => funnelWrites(c).setInteractionDerived(id, d, noLead, now));
  }

  vendorId(text: string): Promise<string | null> {
    return funnelReads(this.db).vendorIdFor(text);
  }

  async clientOwner(clientId: number): Promise<string | null> {
    return (await firstOf<{ o: string | null }>(this.db, 'SELECT owner_vendor_id AS o FROM clients WHERE id = $1', [clientId]))?.o ?? null;
  }
}
