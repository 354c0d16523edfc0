import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './open.ts';
import { actions, clients, leads, mailboxCursors, projects, rawEmails } from './schema.ts';
import type { LeadOutcome, PipelineOutcome } from '../pipeline/index.ts';
import { fold } from '../pipeline/text.ts';
import { preparedCache, type Prepared } from './prepared.ts';

export const DAY_MS = 86_400_000;

export interface RawEmailInput {
  source: 'imap' | 'file';
  mailbox?: string | null;
  uidValidity?: number | null;
  uid?: number | null;
  file?: string | null;
  messageId: string | null;
  sha256: string;
  size: number;
  /** Null when the message is stored by reference only (too large). */
  raw: Buffer | null;
  headers?: string | null;
  receivedAt: number;
  status?: 'pending' | 'too_large';
  error?: string | null;
}

export interface ExistingEmail {
  rawEmailId: number;
  leadId: number | null;
  clientId: number | null;
  followUpAt: number | null;
  status: string;
}

export interface LeadRecordResult {
  leadId: number | null;
  clientId: number | null;
  followUpAt: number | null;
  contactType: string | null;
}

export interface EmailSummary {
  messageId: string | null;
  status: string;
  parser: string | null;
  quality: string | null;
  ignored: string | null;
  error: string | null;
  fields: { name: string | null; nationalId: string | null; email: string | null; phone: string | null; project: string | null; message: string | null };
  problems: string[];
  leadId: number | null;
  clientId: number | null;
  followUpAt: number | null;
  contactType: string | null;
  ownerVendorId: string | null;
}

export interface PersistRules {
  followUpDays: number;
  /** Hook for ownership rules: chooses the owner of a new or returning client inside the transaction. */
  assignOwner?: (ctx: { clientId: number; leadId: number; created: boolean; projectId: number | null; now: number }) => { ownerVendorId: string | null; contactType: 'nuevo' | 'retorno' | 'transferencia' | 'regla' } | null;
}

/**
 * The storage module: every SQL statement of the ingest path lives here, behind methods a
 * PostgreSQL implementation could fill. SQLite specifics (sync transactions) stay inside.
 */
export class Store {
  private projectIds = new Map<string, number>();
  readonly q: Prepared;

  constructor(readonly db: Db) {
    this.q = preparedCache(db.$client);
    for (const p of db.select().from(projects).all()) this.projectIds.set(p.name, p.id);
  }

  /**
   * Runs `fn` in one write transaction (nested calls become savepoints). IMMEDIATE takes the write
   * lock up front, so a second writer (replay beside the daemon) waits busy_timeout instead of
   * failing at once on a lock upgrade.
   */
  transaction<T>(fn: () => T): T {
    return this.db.$client.transaction(fn).immediate();
  }

  get sqlite() {
    return this.db.$client;
  }

  close(): void {
    this.db.$client.close();
  }

  /** Projects from config become rows (new names added, aliases refreshed, missing ones deactivated). */
  syncProjects(list: { name: string; aliases: string[] }[]): void {
    this.db.transaction((tx) => {
      const names = list.map((p) => p.name);
      for (const p of list) {
        tx.insert(projects)
          .values({ name: p.name, aliases: JSON.stringify(p.aliases), active: true })
          .onConflictDoUpdate({ target: projects.name, set: { aliases: JSON.stringify(p.aliases), active: true } })
          .run();
      }
      if (names.length) tx.update(projects).set({ active: false }).where(sql`${projects.name} not in ${names}`).run();
      else tx.update(projects).set({ active: false }).run();
    });
    this.projectIds.clear();
    for (const p of this.db.select().from(projects).all()) this.projectIds.set(p.name, p.id);
  }

  projectId(name: string | null): number | null {
    return name ? this.projectIds.get(name) ?? null : null;
  }

  /** An email already stored: same Message-ID, or same content when it has none. */
  findExisting(messageId: string | null, sha256: string): ExistingEmail | null {
    const select = 'select r.id, r.status, l.id lead_id, l.client_id, l.follow_up_at from raw_emails r left join leads l on l.raw_email_id = r.id';
    const row = (messageId
      ? this.q(`${select} where r.message_id = ? order by r.id limit 1`).get(messageId)
      : this.q(`${select} where r.message_id is null and r.sha256 = ? order by r.id limit 1`).get(sha256)) as
      | { id: number; status: string; lead_id: number | null; client_id: number | null; follow_up_at: number | null }
      | undefined;
    return row ? { rawEmailId: row.id, leadId: row.lead_id, clientId: row.client_id, followUpAt: row.follow_up_at, status: row.status } : null;
  }

  insertRaw(input: RawEmailInput, now = Date.now()): number {
    const r = this.q(
      `insert into raw_emails (source, mailbox, uid_validity, uid, file, message_id, sha256, size, raw, headers, received_at, stored_at, status, error)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(input.source, input.mailbox ?? null, input.uidValidity ?? null, input.uid ?? null, input.file ?? null, input.messageId, input.sha256, input.size, input.raw, input.headers ?? null, input.receivedAt, now, input.status ?? 'pending', input.error ?? null);
    return Number(r.lastInsertRowid);
  }

  getRaw(id: number): { id: number; raw: Buffer | null; size: number; receivedAt: number; messageId: string | null; status: string } | null {
    return (this.q('select id, raw, size, received_at receivedAt, message_id messageId, status from raw_emails where id = ?').get(id) as ReturnType<Store['getRaw']>) ?? null;
  }

  /** Raw emails waiting for the pipeline (stored, then the process stopped before processing). */
  pendingRawIds(limit = 1000, storedBefore = Number.MAX_SAFE_INTEGER): number[] {
    return this.db
      .select({ id: rawEmails.id })
      .from(rawEmails)
      .where(and(eq(rawEmails.status, 'pending'), sql`${rawEmails.storedAt} < ${storedBefore}`))
      .orderBy(rawEmails.id)
      .limit(limit)
      .all()
      .map((r) => r.id);
  }

  markError(rawEmailId: number, error: string, now = Date.now()): void {
    this.db.update(rawEmails).set({ status: 'error', error: error.slice(0, 4000), processedAt: now }).where(eq(rawEmails.id, rawEmailId)).run();
  }

  markTooLarge(rawEmailId: number, error: string, now = Date.now()): void {
    this.db.update(rawEmails).set({ status: 'too_large', error, processedAt: now }).where(eq(rawEmails.id, rawEmailId)).run();
  }

  getCursor(mailbox: string): { uidValidity: number; lastUid: number } | null {
    return this.db.select().from(mailboxCursors).where(eq(mailboxCursors.mailbox, mailbox)).get() ?? null;
  }

  /**
   * Stores a fetched batch and advances the mailbox cursor in one transaction. Messages already
   * stored (same Message-ID or content) are skipped, so a rescan after a UIDVALIDITY change
   * creates nothing twice. Returns the ids of the new raw rows.
   */
  storeBatch(mailbox: string, uidValidity: number, lastUid: number, batch: RawEmailInput[], now = Date.now()): number[] {
    return this.transaction(() => {
      const ids: number[] = [];
      for (const m of batch) {
        if (this.findExisting(m.messageId, m.sha256)) continue;
        ids.push(this.insertRaw(m, now));
      }
      this.db
        .insert(mailboxCursors)
        .values({ mailbox, uidValidity, lastUid, updatedAt: now })
        .onConflictDoUpdate({ target: mailboxCursors.mailbox, set: { uidValidity, lastUid, updatedAt: now } })
        .run();
      return ids;
    });
  }

  /** Client matching: national ID, then email, then phone; never a person with another ID. */
  private findClient(f: { nationalId: string | null; email: string | null; phone: string | null }): typeof clients.$inferSelect | null {
    const cols = 'id, national_id nationalId, national_id_type nationalIdType, email, phone, name, first_name firstName, last_name lastName, owner_vendor_id ownerVendorId, owner_since ownerSince, created_at createdAt, last_activity_at lastActivityAt';
    type Row = typeof clients.$inferSelect;
    if (f.nationalId) {
      const c = this.q(`select ${cols} from clients where national_id = ?`).get(f.nationalId) as Row | undefined;
      if (c) return c;
    }
    const id = f.nationalId ?? null;
    if (f.email) {
      const c = this.q(`select ${cols} from clients where email = ? and (national_id is null or ? is null or national_id = ?) order by id limit 1`).get(f.email, id, id) as Row | undefined;
      if (c) return c;
    }
    if (f.phone) {
      const c = this.q(`select ${cols} from clients where phone = ? and (national_id is null or ? is null or national_id = ?) order by id limit 1`).get(f.phone, id, id) as Row | undefined;
      if (c) return c;
    }
    return null;
  }

  /**
   * Persists a pipeline outcome for a stored raw email, in one transaction: the lead, the client
   * (created or reused), the follow-up, and the raw email's status.
   */
  recordOutcome(rawEmailId: number, outcome: PipelineOutcome, receivedAt: number, rules: PersistRules, now = Date.now()): LeadRecordResult {
    return this.transaction(() => {
      // Processed meanwhile (the worker and the pending retry may meet): keep what is there.
      const current = this.q('select r.status, l.id lead_id, l.client_id, l.follow_up_at, l.contact_type from raw_emails r left join leads l on l.raw_email_id = r.id where r.id = ?').get(rawEmailId) as
        | { status: string; lead_id: number | null; client_id: number | null; follow_up_at: number | null; contact_type: string | null }
        | undefined;
      if (current && (current.status === 'lead' || current.status === 'ignored')) {
        return { leadId: current.lead_id, clientId: current.client_id, followUpAt: current.follow_up_at, contactType: current.contact_type };
      }
      const setStatus = this.q('update raw_emails set status = ?, ignored_reason = ?, parser = ?, processed_at = ?, error = null where id = ?');
      if (outcome.kind === 'ignored') {
        setStatus.run('ignored', outcome.reason, outcome.parser, now, rawEmailId);
        return { leadId: null, clientId: null, followUpAt: null, contactType: null };
      }
      const result = this.insertLead(rawEmailId, outcome, receivedAt, rules, now);
      setStatus.run('lead', null, outcome.parser, now, rawEmailId);
      return result;
    });
  }

  private insertLead(rawEmailId: number, o: LeadOutcome, receivedAt: number, rules: PersistRules, now: number): LeadRecordResult {
    const f = o.fields;
    const projectId = this.projectId(f.project);
    const r = this.q(
      `insert into leads (raw_email_id, parser, medium, quality, problems, problem_details, from_fallback, name, first_name, last_name, national_id, national_id_type,
         email, phone, project_id, project_text, message, raw_fields, search_name, contact_state, received_at, deadline_at, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'por_contactar', ?, ?, ?, ?)`,
    ).run(
      rawEmailId, o.parser, o.medium, o.quality, JSON.stringify(o.problems), JSON.stringify(o.problemDetails), JSON.stringify(o.fromFallback),
      f.name, f.firstName, f.lastName, f.nationalId, f.nationalIdType, f.email, f.phone, projectId, f.projectText, f.message,
      JSON.stringify(o.rawFields), f.name ? fold(f.name) : null, receivedAt, receivedAt + rules.followUpDays * DAY_MS, now, now,
    );
    const leadId = Number(r.lastInsertRowid);
    const linked = this.linkClient(leadId, o, receivedAt, projectId, rules, now);
    return { leadId, ...linked };
  }

  /**
   * Links a lead to its client (creating one when the rules say so) and opens the follow-up of a
   * bueno lead. Shared by ingest and by an admin's edit that upgrades a lead.
   */
  linkClient(
    leadId: number,
    o: Pick<LeadOutcome, 'fields' | 'createsClient' | 'createsFollowUp'>,
    receivedAt: number,
    projectId: number | null,
    rules: PersistRules,
    now: number,
    actor = 'centralizador',
    /** When the follow-up's days count from: the arrival at ingest, the moment of an upgrade later. */
    followUpFrom = receivedAt,
  ): Omit<LeadRecordResult, 'leadId'> {
    const f = o.fields;
    let client = this.findClient(f);
    let created = false;
    if (!client && o.createsClient) {
      const r = this.q('insert into clients (national_id, national_id_type, email, phone, name, first_name, last_name, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(f.nationalId, f.nationalIdType, f.email, f.phone, f.name, f.firstName, f.lastName, now);
      client = { id: Number(r.lastInsertRowid), nationalId: f.nationalId, nationalIdType: f.nationalIdType, email: f.email, phone: f.phone, name: f.name, firstName: f.firstName, lastName: f.lastName, ownerVendorId: null, ownerSince: null, createdAt: now, lastActivityAt: null };
      created = true;
    } else if (client) {
      // A returning client may bring data the record lacks; never overwrite what it has.
      const fill: Partial<typeof clients.$inferInsert> = {};
      if (!client.nationalId && f.nationalId) Object.assign(fill, { nationalId: f.nationalId, nationalIdType: f.nationalIdType });
      if (!client.email && f.email) fill.email = f.email;
      if (!client.phone && f.phone) fill.phone = f.phone;
      if (!client.name && f.name) Object.assign(fill, { name: f.name, firstName: f.firstName, lastName: f.lastName });
      if (Object.keys(fill).length) this.db.update(clients).set(fill).where(eq(clients.id, client.id)).run();
    }
    if (!client) return { clientId: null, followUpAt: null, contactType: null };
    // Ownership rules run on the lead's own clock (its arrival), so a replay decides as live mail did.
    const owner = rules.assignOwner?.({ clientId: client.id, leadId, created, projectId, now: receivedAt }) ?? null;
    const contactType = owner?.contactType ?? (created ? 'nuevo' : 'retorno');
    let followUpAt: number | null = null;
    if (o.createsFollowUp) {
      followUpAt = followUpFrom + rules.followUpDays * DAY_MS;
      this.openFollowUp(client.id, leadId, projectId, followUpAt, actor, now);
    }
    this.q('update leads set client_id = ?, follow_up_at = ?, contact_type = ?, owner_vendor_id = ?, updated_at = ? where id = ?')
      .run(client.id, followUpAt, contactType, owner?.ownerVendorId ?? client.ownerVendorId, now, leadId);
    return { clientId: client.id, followUpAt, contactType };
  }

  /** At most one open follow-up per client and project: a returning lead moves its date instead. */
  private openFollowUp(clientId: number, leadId: number, projectId: number | null, dueAt: number, actor: string, now: number): void {
    const open = this.q("select id, due_at from follow_ups where client_id = ? and project_id is ? and status = 'open' limit 1").get(clientId, projectId) as { id: number; due_at: number } | undefined;
    if (open) {
      if (dueAt > open.due_at) this.q('update follow_ups set due_at = ?, lead_id = ? where id = ?').run(dueAt, leadId, open.id);
      return;
    }
    this.q("insert into follow_ups (client_id, lead_id, project_id, action, status, due_at, created_by, created_at) values (?, ?, ?, 'continuar', 'open', ?, ?, ?)")
      .run(clientId, leadId, projectId, dueAt, actor, now);
  }

  getLead(leadId: number) {
    return this.db.select().from(leads).where(eq(leads.id, leadId)).get() ?? null;
  }

  /** Did a person act on this lead (contact, edit, abort, discard)? Such a lead is never downgraded. */
  leadWasActedOn(leadId: number): boolean {
    return this.db.select({ id: actions.id }).from(actions).where(and(eq(actions.leadId, leadId), sql`${actions.actor} <> 'centralizador'`)).limit(1).get() !== undefined;
  }

  /**
   * Re-classified data for an existing lead (reprocess, or an admin's edit): the lead row is
   * updated and, when the new verdict asks for them, the client and follow-up are created.
   */
  updateLeadOutcome(
    leadId: number,
    o: Pick<LeadOutcome, 'fields' | 'quality' | 'problems' | 'problemDetails' | 'createsClient' | 'createsFollowUp'> & { parser?: string | null; rawFields?: unknown },
    rules: PersistRules,
    actor: string,
    now = Date.now(),
  ): LeadRecordResult {
    return this.transaction(() => {
      const lead = this.getLead(leadId);
      if (!lead) throw new Error(`lead ${leadId} not found`);
      const f = o.fields;
      const projectId = this.projectId(f.project);
      this.db
        .update(leads)
        .set({
          quality: o.quality,
          problems: JSON.stringify(o.problems),
          problemDetails: JSON.stringify(o.problemDetails),
          name: f.name,
          firstName: f.firstName,
          lastName: f.lastName,
          nationalId: f.nationalId,
          nationalIdType: f.nationalIdType,
          email: f.email,
          phone: f.phone,
          projectId,
          projectText: f.projectText,
          message: f.message,
          searchName: f.name ? fold(f.name) : null,
          ...(o.parser !== undefined ? { parser: o.parser } : {}),
          ...(o.rawFields !== undefined ? { rawFields: JSON.stringify(o.rawFields) } : {}),
          updatedAt: now,
        })
        .where(eq(leads.id, leadId))
        .run();
      if (!lead.clientId) return { leadId, ...this.linkClient(leadId, o, lead.receivedAt, projectId, rules, now, actor, now) };
      // Already linked (complete data, only the project failed): keep its client, owner and contact
      // type; an upgrade to bueno opens the follow-up from now.
      let followUpAt = lead.followUpAt;
      if (o.createsFollowUp && !followUpAt) {
        followUpAt = now + rules.followUpDays * DAY_MS;
        this.openFollowUp(lead.clientId, leadId, projectId, followUpAt, actor, now);
        this.q('update leads set follow_up_at = ?, updated_at = ? where id = ?').run(followUpAt, now, leadId);
      }
      return { leadId, clientId: lead.clientId, followUpAt, contactType: lead.contactType };
    });
  }

  /** Drops raw bodies received before `before`; leads and metadata stay. */
  purgeRawBefore(before: number, now = Date.now()): number {
    return this.db
      .update(rawEmails)
      .set({ raw: null, purgedAt: now })
      .where(and(sql`${rawEmails.receivedAt} < ${before}`, sql`${rawEmails.raw} is not null`))
      .run().changes;
  }

  recordAction(a: { leadId?: number | null; clientId?: number | null; actor: string; action: string; data?: unknown; at: number }): void {
    this.q('insert into actions (lead_id, client_id, actor, action, data, at) values (?, ?, ?, ?, ?, ?)').run(a.leadId ?? null, a.clientId ?? null, a.actor, a.action, JSON.stringify(a.data ?? {}), a.at);
  }

  /** What replay reports for a stored email, read back from the database. */
  summary(rawEmailId: number): EmailSummary | null {
    const row = this.db
      .select({ raw: rawEmails, lead: leads, project: projects.name })
      .from(rawEmails)
      .leftJoin(leads, eq(leads.rawEmailId, rawEmails.id))
      .leftJoin(projects, eq(projects.id, leads.projectId))
      .where(eq(rawEmails.id, rawEmailId))
      .get();
    if (!row) return null;
    const { raw, lead } = row;
    return {
      messageId: raw.messageId,
      status: raw.status,
      parser: lead?.parser ?? raw.parser ?? null,
      quality: lead?.quality ?? null,
      ignored: raw.status === 'ignored' ? raw.ignoredReason : null,
      error: raw.error,
      fields: {
        name: lead?.name ?? null,
        nationalId: lead?.nationalId ?? null,
        email: lead?.email ?? null,
        phone: lead?.phone ?? null,
        project: row.project ?? null,
        message: lead?.message ?? null,
      },
      problems: lead ? (JSON.parse(lead.problems) as string[]) : [],
      leadId: lead?.id ?? null,
      clientId: lead?.clientId ?? null,
      followUpAt: lead?.followUpAt ?? null,
      contactType: lead?.contactType ?? null,
      ownerVendorId: lead?.ownerVendorId ?? null,
    };
  }

  leadIdForRaw(rawEmailId: number): number | null {
    return this.db.select({ id: leads.id }).from(leads).where(eq(leads.rawEmailId, rawEmailId)).get()?.id ?? null;
  }

  rawIdsByStatus(statuses: string[], since: number | null): number[] {
    const rows = this.db
      .select({ id: rawEmails.id })
      .from(rawEmails)
      .where(and(inArray(rawEmails.status, statuses as ('lead' | 'error')[]), since ? sql`${rawEmails.receivedAt} >= ${since}` : undefined))
      .orderBy(rawEmails.id)
      .all();
    return rows.map((r) => r.id);
  }
}
