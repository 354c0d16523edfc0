import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Logger } from '../../logger.ts';
import { SYSTEM_ACTOR } from '../../vocabulary.ts';
import type { Db } from './open.ts';
import { actions, clients, followUps, leads, projectVendors, projects, rawEmails, vendors } from '../schema.ts';
import { SqliteAreas } from './store-areas.ts';
import { rowWriter } from './statements.ts';
import type {
  ActionInput, ActionRow, ClientKey, ClientLookup, ClientPatch, ClientRow, EmailRecord, FollowUpsToClose, LeadPatch, LeadRow, NewClient, NewFollowUp, NewLead, PendingLeadRow,
  Storage, VendorInput, VendorRow,
} from '../port.ts';

export type { EmailRecord, ExistingEmail, RawEmailInput, Storage, StoreTx } from '../port.ts';

const CLIENT_COLS = 'id, national_id nationalId, national_id_type nationalIdType, email, phone, name, first_name firstName, last_name lastName, owner_vendor_id ownerVendorId, owner_since ownerSince, created_at createdAt, last_activity_at lastActivityAt';
const VENDOR_COLS = 'v.id, v.name, v.email, v.type, v.active, v.webhook, v.retired_at retiredAt';
const CLIENT_KEY_COLUMN: Record<ClientKey, string> = { nationalId: 'national_id', email: 'email', phone: 'phone' };

/**
 * The SQLite adapter of the storage port: SQL only, no business rule (those live in src/leads).
 * SQLite specifics (synchronous transactions, prepared statements, `is` for null-safe equality)
 * stay inside src/db.
 */
export class Store extends SqliteAreas implements Storage {
  private readonly leadRows = rowWriter(leads, this.q);
  private readonly clientRows = rowWriter(clients, this.q);
  private readonly followUpRows = rowWriter(followUps, this.q);
  /** Read on every lead's unit of work: prepared once (drizzle builds and prepares a query per call otherwise). */
  private readonly leadById = this.db.select().from(leads).where(eq(leads.id, sql.placeholder('id'))).prepare();

  constructor(db: Db, log?: Logger) {
    super(db, log);
  }

  /** The replay summary's rows: a raw email, its lead and project name. */
  emailRecord(rawEmailId: number): EmailRecord | null {
    const row = this.db
      .select({ raw: rawEmails, lead: leads, project: projects.name })
      .from(rawEmails)
      .leftJoin(leads, and(eq(leads.rawEmailId, rawEmails.id), eq(leads.partIndex, 0)))
      .leftJoin(projects, eq(projects.id, leads.projectId))
      .where(eq(rawEmails.id, rawEmailId))
      .get();
    return row ? { raw: row.raw, lead: row.lead, project: row.project } : null;
  }

  newestLeadIds(afterId: number, limit: number): number[] {
    return this.db.select({ id: leads.id }).from(leads).where(gt(leads.id, afterId)).orderBy(desc(leads.id)).limit(limit).all().map((r) => r.id);
  }

  leadsOfRaw(rawEmailId: number): { id: number; partIndex: number }[] {
    return this.db.select({ id: leads.id, partIndex: leads.partIndex }).from(leads).where(eq(leads.rawEmailId, rawEmailId)).orderBy(leads.partIndex).all();
  }

  leadIdForRaw(rawEmailId: number): number | null {
    return this.db.select({ id: leads.id }).from(leads).where(eq(leads.rawEmailId, rawEmailId)).orderBy(leads.partIndex).get()?.id ?? null;
  }

  threadLead(messageIds: string[], emails: string[]): { id: number; clientId: number | null } | null {
    const ids = [...new Set(messageIds.slice(0, 20).flatMap((m) => [m, m.replace(/^<|>$/g, '')]))];
    const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
    if (ids.length) {
      const row = this.q(`select l.id, l.client_id clientId from leads l join raw_emails r on r.id = l.raw_email_id where r.message_id in (${marks(ids.length)}) order by l.id desc limit 1`).get(...ids);
      if (row) return row as { id: number; clientId: number | null };
    }
    const mails = emails.slice(0, 20);
    if (!mails.length) return null;
    return (this.q(`select id, client_id clientId from leads where email in (${marks(mails.length)}) order by id desc limit 1`).get(...mails) as { id: number; clientId: number | null } | undefined) ?? null;
  }

  // Leads.

  getLead(id: number): LeadRow | null {
    return this.leadById.get({ id }) ?? null;
  }

  insertLead(row: NewLead): number {
    this.writing();
    return this.leadRows.insert(row);
  }

  updateLead(id: number, patch: LeadPatch): void {
    this.writing();
    this.leadRows.update(id, patch);
  }

  leadWasActedOn(leadId: number): boolean {
    return this.db.select({ id: actions.id }).from(actions).where(and(eq(actions.leadId, leadId), sql`${actions.actor} <> ${SYSTEM_ACTOR}`)).limit(1).get() !== undefined;
  }

  pendingLeads(vendorId: string): PendingLeadRow[] {
    return this.db
      .select({ id: leads.id, clientId: leads.clientId, name: leads.name, phone: leads.phone, email: leads.email, projectId: leads.projectId, contactType: leads.contactType, receivedAt: leads.receivedAt, deadlineAt: leads.deadlineAt })
      .from(leads)
      .where(and(eq(leads.ownerVendorId, vendorId), eq(leads.contactState, 'por_contactar')))
      .orderBy(asc(leads.receivedAt), asc(leads.id))
      .all();
  }

  moveWaitingLeads(clientId: number, toVendor: string, now: number, fromVendor?: string): void {
    this.writing();
    this.db
      .update(leads)
      .set({ ownerVendorId: toVendor, updatedAt: now })
      .where(and(eq(leads.clientId, clientId), eq(leads.contactState, 'por_contactar'), fromVendor === undefined ? undefined : eq(leads.ownerVendorId, fromVendor)))
      .run();
  }

  // Clients.

  getClient(id: number): ClientRow | null {
    return (this.q(`select ${CLIENT_COLS} from clients where id = ?`).get(id) as ClientRow | undefined) ?? null;
  }

  clientBy(key: ClientKey, value: string, nationalId: string | null, samePerson: readonly string[] = []): ClientRow | null {
    const col = CLIENT_KEY_COLUMN[key];
    return (this.q(`select ${CLIENT_COLS} from clients where ${col} = ? and (national_id is null or ? is null or national_id = ? or national_id in (select value from json_each(?))) order by id limit 1`)
      .get(value, nationalId, nationalId, JSON.stringify(samePerson)) as ClientRow | undefined) ?? null;
  }

  clientsBy(lookups: readonly ClientLookup[]): (ClientRow | null)[] {
    return lookups.map((l) => this.clientBy(l.key, l.value, l.nationalId, l.samePerson));
  }

  clientIdsOwnedBy(vendorId: string): number[] {
    return this.db.select({ id: clients.id }).from(clients).where(eq(clients.ownerVendorId, vendorId)).orderBy(clients.id).all().map((c) => c.id);
  }

  insertClient(row: NewClient): number {
    this.writing();
    return this.clientRows.insert(row);
  }

  updateClient(id: number, patch: ClientPatch): void {
    this.writing();
    this.clientRows.update(id, patch);
  }

  touchClient(clientId: number, at: number): void {
    this.writing();
    this.q('update clients set last_activity_at = max(coalesce(last_activity_at, 0), ?) where id = ?').run(at, clientId);
  }

  // Follow-ups and the action log.

  openFollowUp(clientId: number, projectId: number | null): { id: number; dueAt: number } | null {
    return (this.q("select id, due_at dueAt from follow_ups where client_id = ? and project_id is ? and status = 'open' limit 1").get(clientId, projectId) as { id: number; dueAt: number } | undefined) ?? null;
  }

  insertFollowUp(row: NewFollowUp): void {
    this.writing();
    this.followUpRows.insert(row);
  }

  moveFollowUp(id: number, dueAt: number, leadId: number): void {
    this.writing();
    this.q('update follow_ups set due_at = ?, lead_id = ? where id = ?').run(dueAt, leadId, id);
  }

  closeFollowUps(which: FollowUpsToClose, status: 'done' | 'aborted'): void {
    this.writing();
    if ('leadId' in which) this.q("update follow_ups set status = ? where lead_id = ? and status = 'open'").run(status, which.leadId);
    else {
      this.q(`update follow_ups set status = ? where client_id = ? and project_id is ? and status = 'open'
        and (lead_id is null or lead_id in (select id from leads where owner_vendor_id is ?))`).run(status, which.clientId, which.projectId, which.ownerVendorId);
    }
  }

  waitingLeadIds(clientId: number, projectId: number | null, ownerVendorId: string | null): number[] {
    return this.q("select id from leads where client_id = ? and project_id is ? and owner_vendor_id is ? and contact_state = 'por_contactar' order by id").pluck().all(clientId, projectId, ownerVendorId) as number[];
  }

  clientLeadIds(clientId: number): number[] {
    return this.q('select id from leads where client_id = ? order by id').pluck().all(clientId) as number[];
  }

  markPossibleDuplicate(d: { clientId: number; otherClientId: number; leadId: number | null; reason: string; at: number }): number {
    this.writing();
    return Number(this.q("insert into client_duplicates (client_id, other_client_id, lead_id, reason, status, created_at) values (?, ?, ?, ?, 'open', ?)").run(d.clientId, d.otherClientId, d.leadId, d.reason, d.at).lastInsertRowid);
  }

  recordAction(a: ActionInput): void {
    this.writing();
    this.q('insert into actions (lead_id, client_id, actor, action, data, at) values (?, ?, ?, ?, ?, ?)').run(a.leadId ?? null, a.clientId ?? null, a.actor, a.action, JSON.stringify(a.data ?? {}), a.at);
  }

  actionsOf(clientId: number, names: readonly string[]): ActionRow[] {
    return this.db
      .select({ id: actions.id, at: actions.at, action: actions.action, actor: actions.actor, data: actions.data })
      .from(actions)
      .where(and(eq(actions.clientId, clientId), inArray(actions.action, [...names])))
      .orderBy(asc(actions.at), asc(actions.id))
      .all();
  }

  // Vendors.

  /** Vendors from config become rows; a retired vendor stays retired; vendors gone from config are inactive. */
  syncVendors(list: { name: string; vendors: VendorInput[] }[]): void {
    this.transaction(() => {
      const seen = new Set<string>();
      this.db.delete(projectVendors).run();
      for (const p of list) {
        const projectId = this.projectId(p.name);
        for (const [position, v] of p.vendors.entries()) {
          if (!seen.has(v.id)) {
            seen.add(v.id);
            const values = { name: v.name, email: v.email ?? null, type: v.type, webhook: v.webhook ?? null };
            this.db.insert(vendors).values({ id: v.id, ...values, active: v.active }).onConflictDoUpdate({
              target: vendors.id,
              set: { ...values, active: sql`case when ${vendors.retiredAt} is null then ${v.active ? 1 : 0} else 0 end` },
            }).run();
          }
          if (projectId !== null) this.db.insert(projectVendors).values({ projectId, vendorId: v.id, position }).onConflictDoNothing().run();
        }
      }
      const ids = [...seen];
      this.db.update(vendors).set({ active: false }).where(ids.length ? sql`${vendors.id} not in ${ids}` : undefined).run();
    });
  }

  getVendor(id: string): VendorRow | null {
    return this.db.select().from(vendors).where(eq(vendors.id, id)).get() ?? null;
  }

  activeVendors(filter: { projectId: number } | { type: string } | Record<string, never>): VendorRow[] {
    const active = 'v.active = 1 and v.retired_at is null';
    const rows =
      'projectId' in filter
        ? this.q(`select ${VENDOR_COLS} from project_vendors pv join vendors v on v.id = pv.vendor_id where pv.project_id = ? and ${active} order by pv.position`).all(filter.projectId)
        : 'type' in filter
          ? this.q(`select ${VENDOR_COLS} from vendors v where ${active} and v.type = ? order by v.id`).all(filter.type)
          : this.q(`select ${VENDOR_COLS} from vendors v where ${active} order by v.id`).all();
    return (rows as (Omit<VendorRow, 'active'> & { active: number })[]).map((v) => ({ ...v, active: Boolean(v.active) }));
  }

  retireVendor(id: string, now: number): void {
    this.writing();
    this.db.update(vendors).set({ active: false, retiredAt: now }).where(eq(vendors.id, id)).run();
  }

  nextCounter(name: string): number {
    this.writing();
    return (this.q('insert into counters (name, value) values (?, 1) on conflict (name) do update set value = value + 1 returning value').get(name) as { value: number }).value;
  }
}
