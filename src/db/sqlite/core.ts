import { and, eq, inArray, sql } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { Logger } from '../../logger.ts';
import type { Db } from './open.ts';
import { preparedCache, type Prepared } from './prepared.ts';
import { writeTransaction } from './write-path.ts';
import { mailboxCursors, projects, rawEmails } from '../schema.ts';
import { bodyChunks } from '../raw-body.ts';
import { hasBodySql, readRawBody } from './raw-body.ts';
import { RECORDED_STATUSES } from '../lead-filter.ts';
import { runSync, type ExistingEmail, type RawEmailInput, type RawOutcome, type StoredRaw, type StoreTx, type Work } from '../port.ts';
import { dbHealth, type DbHealth } from './health.ts';

/**
 * The SQLite connection and its one write path, plus the raw-email, cursor and project statements.
 * SqliteConnection (base.ts) adds the outbox, mailbox tokens and leases; Store (store.ts)
 * leads, clients, follow-ups and vendors.
 */
export class SqliteCore {
  readonly engine = 'sqlite' as const;
  protected readonly q: Prepared;
  private projectIds = new Map<string, number>();

  constructor(
    protected readonly db: Db,
    protected readonly log?: Logger,
  ) {
    this.q = preparedCache(db.$client);
    this.loadProjectIds();
  }

  /** The database file, for messages. */
  get name(): string {
    return this.db.$client.name;
  }

  /** The driver, for db/ modules (queries) and tests; nothing outside src/db may use it. */
  get sqlite(): Database.Database {
    return this.db.$client;
  }

  /** The one write path (write-path.ts): BEGIN IMMEDIATE, bounded and reported lock waits. */
  transaction<T>(fn: () => T): T {
    return writeTransaction(this.db.$client, fn, this.log);
  }

  /** A unit of work: the whole generator runs inside one transaction (a nested one joins it). */
  async unitOfWork<T>(work: (tx: StoreTx) => Work<T>): Promise<T> {
    return this.transaction(() => runSync(work(this as unknown as StoreTx)));
  }

  async read<T>(work: (r: StoreTx) => Work<T>): Promise<T> {
    return runSync(work(this as unknown as StoreTx));
  }

  /** Every write checks it runs inside the write path. */
  protected writing(): void {
    if (!this.db.$client.inTransaction) throw new Error('a write outside a unit of work: use store.unitOfWork');
  }

  /** quick_check in a worker, the write probe and the storage errors this connection met. */
  health(): DbHealth {
    return dbHealth(this.db.$client);
  }

  close(): void {
    this.db.$client.close();
  }

  // Raw emails and the mailbox cursor.

  findExisting(messageId: string | null, sha256: string): ExistingEmail | null {
    const select = 'select r.id, r.status, l.id lead_id, l.client_id, l.follow_up_at from raw_emails r left join leads l on l.raw_email_id = r.id and l.part_index = 0';
    const row = (messageId
      ? this.q(`${select} where r.message_id = ? order by r.id limit 1`).get(messageId)
      : this.q(`${select} where r.message_id is null and r.sha256 = ? order by r.id limit 1`).get(sha256)) as
      | { id: number; status: string; lead_id: number | null; client_id: number | null; follow_up_at: number | null }
      | undefined;
    return row ? { rawEmailId: row.id, leadId: row.lead_id, clientId: row.client_id, followUpAt: row.follow_up_at, status: row.status } : null;
  }

  /** Nothing to hold: a unit of work is BEGIN IMMEDIATE, one writer at a time. */
  lockRawKeys(_keys: readonly Pick<RawEmailInput, 'messageId' | 'sha256'>[]): void {}

  storedAlready(keys: readonly Pick<RawEmailInput, 'messageId' | 'sha256'>[]): boolean[] {
    // In process: a lookup each costs no round trip.
    return keys.map((k) => this.findExisting(k.messageId, k.sha256) !== null);
  }

  insertRaw(input: RawEmailInput, now = Date.now()): number {
    return this.insertRaws([input], now)[0];
  }

  insertRaws(inputs: readonly RawEmailInput[], now = Date.now()): number[] {
    this.writing();
    const row = this.q(
      `insert into raw_emails (source, mailbox, uid_validity, uid, file, message_id, sha256, size, headers, received_at, stored_at, status, error)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const piece = this.q('insert into raw_bodies (raw_email_id, seq, chunk) values (?, ?, ?)');
    return inputs.map((input) => {
      const r = row.run(input.source, input.mailbox ?? null, input.uidValidity ?? null, input.uid ?? null, input.file ?? null, input.messageId, input.sha256, input.size, input.headers ?? null, input.receivedAt, now, input.status ?? 'pending', input.error ?? null);
      const id = Number(r.lastInsertRowid);
      if (input.raw) for (const { seq, chunk } of bodyChunks(input.raw)) piece.run(id, seq, chunk);
      return id;
    });
  }

  getRaw(id: number): StoredRaw | null {
    const row = this.q('select id, size, received_at receivedAt, message_id messageId, status from raw_emails where id = ?').get(id) as Omit<StoredRaw, 'raw'> | undefined;
    return row ? { ...row, raw: readRawBody((q) => this.q(q), id, row.size) } : null;
  }

  imapUidsTaken(mailbox: string, uidValidity: number, uids: readonly number[]): Set<number> {
    if (!uids.length) return new Set();
    const rows = this.q('select uid from raw_emails where mailbox = ? and uid_validity = ? and uid in (select value from json_each(?))').all(mailbox, uidValidity, JSON.stringify(uids)) as { uid: number }[];
    return new Set(rows.map((r) => r.uid));
  }

  getCursor(mailbox: string): { uidValidity: number; lastUid: number } | null {
    return this.db.select({ uidValidity: mailboxCursors.uidValidity, lastUid: mailboxCursors.lastUid }).from(mailboxCursors).where(eq(mailboxCursors.mailbox, mailbox)).get() ?? null;
  }

  setCursor(mailbox: string, uidValidity: number, lastUid: number, now: number): void {
    this.writing();
    this.db.insert(mailboxCursors).values({ mailbox, uidValidity, lastUid, updatedAt: now }).onConflictDoUpdate({ target: mailboxCursors.mailbox, set: { uidValidity, lastUid, updatedAt: now } }).run();
  }

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

  rawIdsByStatus(statuses: string[], since: number | null): number[] {
    return this.db
      .select({ id: rawEmails.id })
      .from(rawEmails)
      .where(and(inArray(rawEmails.status, statuses as (typeof rawEmails.$inferSelect.status)[]), since ? sql`${rawEmails.receivedAt} >= ${since}` : undefined))
      .orderBy(rawEmails.id)
      .all()
      .map((r) => r.id);
  }

  rawOutcome(rawEmailId: number): RawOutcome | null {
    const row = this.q('select r.status, l.id lead_id, l.client_id, l.follow_up_at, l.contact_type from raw_emails r left join leads l on l.raw_email_id = r.id and l.part_index = 0 where r.id = ?').get(rawEmailId) as
      | { status: string; lead_id: number | null; client_id: number | null; follow_up_at: number | null; contact_type: string | null }
      | undefined;
    return row ? { status: row.status, leadId: row.lead_id, clientId: row.client_id, followUpAt: row.follow_up_at, contactType: row.contact_type } : null;
  }

  rawOutcomes(rawEmailIds: readonly number[]): Map<number, RawOutcome> {
    // In process: a lookup each costs no round trip.
    const out = new Map<number, RawOutcome>();
    for (const id of rawEmailIds) {
      const r = this.rawOutcome(id);
      if (r) out.set(id, r);
    }
    return out;
  }

  setRawOutcome(rawEmailId: number, status: 'lead' | 'ignored', ignoredReason: string | null, parser: string | null, now: number): void {
    this.writing();
    this.q('update raw_emails set status = ?, ignored_reason = ?, parser = ?, processed_at = ?, error = null where id = ?').run(status, ignoredReason, parser, now, rawEmailId);
  }

  setRawFailure(rawEmailId: number, status: 'error' | 'too_large' | 'timeout', error: string, now: number): void {
    this.writing();
    // Never over a recorded outcome: a late run (a retry that met the live one) must not turn a lead's email into a failure.
    this.q(`update raw_emails set status = ?, error = ?, processed_at = ? where id = ? and status not in ${RECORDED_STATUSES}`).run(status, error.slice(0, 4000), now, rawEmailId);
  }

  purgeRawBefore(before: number, now: number): number {
    this.writing();
    // Only processed emails: a pending one still needs its body, a failed one's is its only copy.
    const purged = this.q(`update raw_emails set purged_at = ? where received_at < ? and status in ${RECORDED_STATUSES} and ${hasBodySql('raw_emails')}`).run(now, before).changes;
    this.q(`delete from raw_bodies where raw_email_id in (select id from raw_emails where received_at < ? and status in ${RECORDED_STATUSES})`).run(before);
    return purged;
  }

  // Projects from config.

  private loadProjectIds(): void {
    this.projectIds.clear();
    for (const p of this.db.select({ id: projects.id, name: projects.name }).from(projects).all()) this.projectIds.set(p.name, p.id);
  }

  /** New names added, aliases refreshed, missing ones deactivated. */
  syncProjects(list: { name: string; aliases: string[] }[]): void {
    this.transaction(() => {
      const names = list.map((p) => p.name);
      for (const p of list) {
        const aliases = JSON.stringify(p.aliases);
        this.db.insert(projects).values({ name: p.name, aliases, active: true }).onConflictDoUpdate({ target: projects.name, set: { aliases, active: true } }).run();
      }
      this.db.update(projects).set({ active: false }).where(names.length ? sql`${projects.name} not in ${names}` : undefined).run();
    });
    this.loadProjectIds();
  }

  projectId(name: string | null): number | null {
    return name ? (this.projectIds.get(name) ?? null) : null;
  }

  private projectNameById: { get(p: { id: number }): { name: string } | undefined } | null = null;

  projectName(id: number): string | null {
    this.projectNameById ??= this.db.select({ name: projects.name }).from(projects).where(eq(projects.id, sql.placeholder('id'))).prepare();
    return this.projectNameById.get({ id })?.name ?? null;
  }
}
