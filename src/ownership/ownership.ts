import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import { actions, clients, leads, projectVendors, projects, vendors, webhookDeliveries } from '../db/schema.ts';
import type { ProjectConfig } from '../config.ts';
import { DAY_MS } from '../db/store.ts';
import { preparedCache, type Prepared } from '../db/prepared.ts';

export type ContactType = 'nuevo' | 'retorno' | 'transferencia' | 'regla';

export interface Assignment {
  ownerVendorId: string | null;
  contactType: ContactType;
}

type Vendor = typeof vendors.$inferSelect;

/**
 * Who owns a client, from the seeds: the first registrant keeps it while they show activity;
 * after `reassignAfterDays` without any it may go to another vendor; an inactive owner's leads are
 * handled by another vendor meanwhile ("regla"); a leaving vendor's clients move to vendors of the
 * same type. Round-robin positions live in the database, so they are fair across restarts.
 */
export class Ownership {
  private readonly q: Prepared;

  constructor(
    private readonly db: Db,
    private readonly settings: () => { reassignAfterDays: number },
  ) {
    this.q = preparedCache(db.$client);
  }

  /** Vendors from config become rows; a retired vendor stays retired; vendors gone from config are inactive. */
  syncVendors(list: ProjectConfig[]): void {
    this.db.transaction((tx) => {
      const seen = new Set<string>();
      tx.delete(projectVendors).run();
      for (const p of list) {
        const projectId = tx.select({ id: projects.id }).from(projects).where(eq(projects.name, p.name)).get()?.id;
        for (const [position, v] of p.vendors.entries()) {
          if (!seen.has(v.id)) {
            seen.add(v.id);
            const values = { name: v.name, email: v.email ?? null, type: v.type, webhook: v.webhook ?? null };
            tx.insert(vendors).values({ id: v.id, ...values, active: v.active }).onConflictDoUpdate({
              target: vendors.id,
              set: { ...values, active: sql`case when ${vendors.retiredAt} is null then ${v.active ? 1 : 0} else 0 end` },
            }).run();
          }
          if (projectId !== undefined) tx.insert(projectVendors).values({ projectId, vendorId: v.id, position }).onConflictDoNothing().run();
        }
      }
      const ids = [...seen];
      tx.update(vendors).set({ active: false }).where(ids.length ? sql`${vendors.id} not in ${ids}` : undefined).run();
    });
  }

  private candidates(projectId: number | null, type?: string): Vendor[] {
    const cols = 'v.id, v.name, v.email, v.type, v.active, v.webhook, v.retired_at retiredAt';
    if (projectId !== null && type === undefined) {
      const rows = this.q(`select ${cols} from project_vendors pv join vendors v on v.id = pv.vendor_id where pv.project_id = ? and v.active = 1 and v.retired_at is null order by pv.position`).all(projectId) as Vendor[];
      if (rows.length) return rows;
    }
    return type === undefined
      ? (this.q(`select ${cols} from vendors v where v.active = 1 and v.retired_at is null order by v.id`).all() as Vendor[])
      : (this.q(`select ${cols} from vendors v where v.active = 1 and v.retired_at is null and v.type = ? order by v.id`).all(type) as Vendor[]);
  }

  /** Next vendor in a persistent round-robin; `exclude` is skipped when someone else is available. */
  private roundRobin(key: string, list: Vendor[], exclude: string | null = null): Vendor | null {
    const pool = list.filter((v) => v.id !== exclude);
    const choices = pool.length ? pool : list;
    if (!choices.length) return null;
    const row = this.q('insert into counters (name, value) values (?, 1) on conflict (name) do update set value = value + 1 returning value').get(key) as { value: number };
    return choices[(row.value - 1) % choices.length];
  }

  private setOwner(clientId: number, vendorId: string | null, at: number, actor: string, action: string, reason: string, from: string | null): void {
    this.q('update clients set owner_vendor_id = ?, owner_since = ? where id = ?').run(vendorId, at, clientId);
    this.q('insert into actions (client_id, actor, action, data, at) values (?, ?, ?, ?, ?)').run(clientId, actor, action, JSON.stringify({ from, to: vendorId, reason }), at);
  }

  /**
   * The owner and contact type for a lead of a client, decided at the lead's arrival `now`.
   * Runs inside the ingest transaction.
   */
  assign(ctx: { clientId: number; created: boolean; projectId: number | null; now: number }): Assignment {
    const client = this.q('select id, owner_vendor_id ownerVendorId, owner_since ownerSince, created_at createdAt, last_activity_at lastActivityAt from clients where id = ?').get(ctx.clientId) as
      | { id: number; ownerVendorId: string | null; ownerSince: number | null; createdAt: number; lastActivityAt: number | null }
      | undefined;
    if (!client) return { ownerVendorId: null, contactType: 'nuevo' };
    const rrKey = ctx.projectId === null ? 'rr:all' : `rr:project:${ctx.projectId}`;
    const pick = (exclude: string | null = null) => this.roundRobin(rrKey, this.candidates(ctx.projectId), exclude);
    if (ctx.created || !client.ownerVendorId) {
      const v = pick();
      if (v) this.setOwner(client.id, v.id, ctx.now, 'centralizador', 'assign', ctx.created ? 'new client' : 'client without owner', null);
      return { ownerVendorId: v?.id ?? null, contactType: ctx.created ? 'nuevo' : 'retorno' };
    }
    const owner = this.q('select active, retired_at retiredAt from vendors where id = ?').get(client.ownerVendorId) as { active: number; retiredAt: number | null } | undefined;
    const since = Math.max(client.lastActivityAt ?? 0, client.ownerSince ?? client.createdAt);
    const idle = ctx.now - since > this.settings().reassignAfterDays * DAY_MS;
    if (idle) {
      const v = pick(client.ownerVendorId);
      if (v && v.id !== client.ownerVendorId) {
        this.setOwner(client.id, v.id, ctx.now, 'centralizador', 'reassign', `no activity for ${this.settings().reassignAfterDays} days`, client.ownerVendorId);
        return { ownerVendorId: v.id, contactType: 'transferencia' };
      }
    }
    if (owner && (!owner.active || owner.retiredAt)) {
      // The owner keeps the client; another vendor attends this lead meanwhile.
      const v = pick(client.ownerVendorId);
      if (v && v.id !== client.ownerVendorId) return { ownerVendorId: v.id, contactType: 'regla' };
    }
    return { ownerVendorId: client.ownerVendorId, contactType: 'retorno' };
  }

  /** Activity by the owner (follow-up, contact, note, edit) restarts the reassignment clock. */
  registerActivity(clientId: number, at: number): void {
    this.db.update(clients).set({ lastActivityAt: sql`max(coalesce(${clients.lastActivityAt}, 0), ${at})` }).where(eq(clients.id, clientId)).run();
  }

  /** A vendor leaves: their clients move round-robin to active vendors of the same type. */
  retire(vendorId: string, actor: string, now: number): { moved: number; to: Record<string, number> } {
    return this.db.transaction(() => {
      const vendor = this.db.select().from(vendors).where(eq(vendors.id, vendorId)).get();
      if (!vendor) throw new OwnershipError('NotFound', `no vendor with id "${vendorId}"`);
      this.db.update(vendors).set({ active: false, retiredAt: now }).where(eq(vendors.id, vendorId)).run();
      const heirs = this.candidates(null, vendor.type).filter((v) => v.id !== vendorId);
      const owned = this.db.select({ id: clients.id }).from(clients).where(eq(clients.ownerVendorId, vendorId)).orderBy(clients.id).all();
      if (owned.length && !heirs.length) throw new OwnershipError('NoHeir', `no active vendor of type "${vendor.type}" to take ${owned.length} clients`);
      const to: Record<string, number> = {};
      for (const c of owned) {
        const v = this.roundRobin(`rr:type:${vendor.type}`, heirs)!;
        this.setOwner(c.id, v.id, now, actor, 'retire-move', `vendor ${vendorId} retired`, vendorId);
        this.db.update(leads).set({ ownerVendorId: v.id, updatedAt: now }).where(and(eq(leads.clientId, c.id), eq(leads.ownerVendorId, vendorId), eq(leads.contactState, 'por_contactar'))).run();
        to[v.id] = (to[v.id] ?? 0) + 1;
      }
      return { moved: owned.length, to };
    });
  }

  /** A manager moves a client to another vendor; the reason is required and recorded. */
  reassign(clientId: number, vendorId: string, reason: string, actor: string, now: number): void {
    this.db.transaction(() => {
      const client = this.db.select().from(clients).where(eq(clients.id, clientId)).get();
      if (!client) throw new OwnershipError('NotFound', `no client ${clientId}`);
      const v = this.db.select().from(vendors).where(eq(vendors.id, vendorId)).get();
      if (!v || !v.active || v.retiredAt) throw new OwnershipError('Conflict', `vendor "${vendorId}" is not an active vendor`);
      if (client.ownerVendorId === vendorId) throw new OwnershipError('Conflict', `client ${clientId} already belongs to ${vendorId}`);
      this.setOwner(clientId, vendorId, now, actor, 'manual-reassign', reason, client.ownerVendorId);
      this.db.update(leads).set({ ownerVendorId: vendorId, updatedAt: now }).where(and(eq(leads.clientId, clientId), eq(leads.contactState, 'por_contactar'))).run();
    });
  }

  /** Every owner a client had, oldest first. */
  ownerHistory(clientId: number) {
    return this.db
      .select()
      .from(actions)
      .where(and(eq(actions.clientId, clientId), inArray(actions.action, ['assign', 'reassign', 'retire-move', 'manual-reassign'])))
      .orderBy(asc(actions.at), asc(actions.id))
      .all()
      .map((a) => ({ at: a.at, action: a.action, actor: a.actor, ...(JSON.parse(a.data) as { from: string | null; to: string; reason: string }) }));
  }

  /** A vendor's leads with no registered contact yet, oldest first, with their deadline. */
  pending(vendorId: string, now: number) {
    return this.db
      .select({ id: leads.id, clientId: leads.clientId, name: leads.name, phone: leads.phone, email: leads.email, projectId: leads.projectId, contactType: leads.contactType, receivedAt: leads.receivedAt, deadlineAt: leads.deadlineAt })
      .from(leads)
      .where(and(eq(leads.ownerVendorId, vendorId), eq(leads.contactState, 'por_contactar')))
      .orderBy(asc(leads.receivedAt), asc(leads.id))
      .all()
      .map((l) => ({ ...l, status: l.deadlineAt < now ? 'no_contactado' : 'por_contactar' }));
  }

  /** Queues a webhook in the lead's transaction (the outbox); a sender delivers and retries it. */
  enqueueWebhook(url: string, body: unknown, now: number): void {
    this.db.insert(webhookDeliveries).values({ url, body: JSON.stringify(body), status: 'pending', nextAttemptAt: now, createdAt: now }).run();
  }

  webhookTargets(vendorId: string | null, projectId: number | null, projectWebhooks: Map<number, string>): string[] {
    const urls: string[] = [];
    if (vendorId) {
      const v = this.q('select webhook from vendors where id = ?').get(vendorId) as { webhook: string | null } | undefined;
      if (v?.webhook) urls.push(v.webhook);
    }
    const p = projectId !== null ? projectWebhooks.get(projectId) : undefined;
    if (p && !urls.includes(p)) urls.push(p);
    return urls;
  }
}

export class OwnershipError extends Error {
  constructor(readonly code: 'NotFound' | 'Conflict' | 'NoHeir', message: string) {
    super(message);
  }
}
