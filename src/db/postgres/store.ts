import { AsyncLocalStorage } from 'node:async_hooks';
import { getTableColumns } from 'drizzle-orm';
import type pg from 'pg';
import type { Logger } from '../../logger.ts';
import type { NewNotification, NotificationKind } from '../outbox-schema.ts';
import {
  runAsync, type ActionInput, type ActionRow, type ClientKey, type ClientPatch, type ClientRow, type EmailRecord, type ExistingEmail, type LeadPatch,
  type LeadRow, type NewClient, type NewFollowUp, type NewLead, type PendingLeadRow, type RawEmailInput, type RawOutcome, type Storage, type StoredRaw,
  type StoreReads, type StoreTx, type StoreWrites, type VendorInput, type VendorRow, type WebhookDelivery, type Work,
} from '../port.ts';
import { clients, leads } from './schema.ts';
import { MAILBOX_TOKEN_COLUMNS, type StoredMailboxToken } from '../mailbox-tokens.ts';
import { duplicateWrites, peopleWrites } from './people-writes.ts';
import { outboxWrites } from './outbox-writes.ts';
import { funnelReads, funnelWrites } from './funnel.ts';

type Queryable = Pick<pg.PoolClient, 'query'>;

const NUL = /\u0000/g;
/**
 * PostgreSQL text cannot hold NUL characters, which real mail carries (TNEF, broken encoders) and
 * SQLite stores: they are dropped from every text parameter on the way in.
 */
function nulSafe(c: Queryable): Queryable {
  const clean = (v: unknown) => (typeof v === 'string' && v.includes('\u0000') ? v.replace(NUL, '') : v);
  return { query: ((text: string, values?: unknown[]) => c.query(text, values?.map(clean))) as Queryable['query'] };
}

const CLIENT_COLS = 'id, national_id "nationalId", national_id_type "nationalIdType", email, phone, name, first_name "firstName", last_name "lastName", owner_vendor_id "ownerVendorId", owner_since "ownerSince", created_at "createdAt", last_activity_at "lastActivityAt"';
const VENDOR_COLS = 'v.id, v.name, v.email, v.type, v.active, v.webhook, v.retired_at "retiredAt"';
const CLIENT_KEY_COLUMN: Record<ClientKey, string> = { nationalId: 'national_id', email: 'email', phone: 'phone' };
const WEBHOOK_COLS = 'id, url, body, status, attempts, next_attempt_at "nextAttemptAt", last_error "lastError", created_at "createdAt"';

const columnsOf = (t: typeof leads) => getTableColumns(t) as Record<string, { name: string }>;

/** `select *` of leads with the port's property names. */
const LEAD_COLS = Object.entries(columnsOf(leads)).map(([key, col]) => `l.${col.name} "${key}"`).join(', ');

/** Insert and update by property name, with drizzle's column names (the SQLite rowWriter's twin). */
function rowSql(table: typeof leads | typeof clients, tableName: string) {
  const columns = new Map(Object.entries(columnsOf(table)).map(([key, col]) => [key, col.name]));
  const col = (key: string) => {
    const c = columns.get(key);
    if (!c) throw new Error(`${tableName}: no column for "${key}"`);
    return c;
  };
  return {
    insert(row: Record<string, unknown>): [string, unknown[]] {
      const keys = Object.keys(row).filter((k) => row[k] !== undefined);
      return [`insert into ${tableName} (${keys.map(col).join(', ')}) values (${keys.map((_, i) => `$${i + 1}`).join(', ')}) returning id`, keys.map((k) => row[k])];
    },
    update(id: number, patch: Record<string, unknown>): [string, unknown[]] | null {
      const keys = Object.keys(patch).filter((k) => patch[k] !== undefined);
      if (!keys.length) return null;
      return [`update ${tableName} set ${keys.map((k, i) => `${col(k)} = $${i + 1}`).join(', ')} where id = $${keys.length + 1}`, [...keys.map((k) => patch[k]), id]];
    },
  };
}
const leadSql = rowSql(leads, 'leads');
const clientSql = rowSql(clients, 'clients');

/** The project ids by name, shared by the store and its transactions (the port's synchronous projectId). */
class ProjectIds {
  private ids = new Map<string, number>();
  async load(c: Queryable): Promise<void> {
    const { rows } = await c.query<{ id: number; name: string }>('select id, name from projects');
    this.ids = new Map(rows.map((r) => [r.name, r.id]));
  }
  get(name: string | null): number | null {
    return name ? (this.ids.get(name) ?? null) : null;
  }
}

/** Every read of the port, over a pool (committed data) or a transaction's client. */
interface PgReads extends ReturnType<typeof funnelReads> {}
class PgReads implements StoreReads {
  constructor(
    protected readonly c: Queryable,
    protected readonly projects: ProjectIds,
  ) {
    // The funnel's reads live in funnel.ts (one module per area); same connection.
    Object.assign(this, funnelReads(c));
  }

  protected async one<T>(text: string, values: unknown[] = []): Promise<T | null> {
    const { rows } = await this.c.query(text, values);
    return (rows[0] as T | undefined) ?? null;
  }

  protected async all<T>(text: string, values: unknown[] = []): Promise<T[]> {
    return (await this.c.query(text, values)).rows as T[];
  }

  async findExisting(messageId: string | null, sha256: string): Promise<ExistingEmail | null> {
    const select = 'select r.id "rawEmailId", r.status, l.id "leadId", l.client_id "clientId", l.follow_up_at "followUpAt" from raw_emails r left join leads l on l.raw_email_id = r.id';
    return messageId
      ? this.one<ExistingEmail>(`${select} where r.message_id = $1 order by r.id limit 1`, [messageId])
      : this.one<ExistingEmail>(`${select} where r.message_id is null and r.sha256 = $1 order by r.id limit 1`, [sha256]);
  }

  getRaw(id: number): Promise<StoredRaw | null> {
    return this.one('select id, raw, size, received_at "receivedAt", message_id "messageId", status from raw_emails where id = $1', [id]);
  }

  async imapUidTaken(mailbox: string, uidValidity: number, uid: number): Promise<boolean> {
    return (await this.one('select 1 from raw_emails where mailbox = $1 and uid_validity = $2 and uid = $3', [mailbox, uidValidity, uid])) !== null;
  }

  getCursor(mailbox: string): Promise<{ uidValidity: number; lastUid: number } | null> {
    return this.one('select uid_validity "uidValidity", last_uid "lastUid" from mailbox_cursors where mailbox = $1', [mailbox]);
  }

  async pendingRawIds(limit = 1000, storedBefore = Number.MAX_SAFE_INTEGER): Promise<number[]> {
    const rows = await this.all<{ id: number }>("select id from raw_emails where status = 'pending' and stored_at < $1 order by id limit $2", [storedBefore, limit]);
    return rows.map((r) => r.id);
  }

  async rawIdsByStatus(statuses: string[], since: number | null): Promise<number[]> {
    const rows = await this.all<{ id: number }>('select id from raw_emails where status = any($1) and ($2::bigint is null or received_at >= $2) order by id', [statuses, since || null]);
    return rows.map((r) => r.id);
  }

  rawOutcome(rawEmailId: number): Promise<RawOutcome | null> {
    return this.one('select r.status, l.id "leadId", l.client_id "clientId", l.follow_up_at "followUpAt", l.contact_type "contactType" from raw_emails r left join leads l on l.raw_email_id = r.id where r.id = $1', [rawEmailId]);
  }

  async emailRecord(rawEmailId: number): Promise<EmailRecord | null> {
    const row = await this.one<Record<string, unknown>>(
      `select r.message_id "r_messageId", r.status "r_status", r.parser "r_parser", r.ignored_reason "r_ignoredReason", r.error "r_error", p.name "r_project", ${LEAD_COLS}
       from raw_emails r left join leads l on l.raw_email_id = r.id left join projects p on p.id = l.project_id where r.id = $1`,
      [rawEmailId],
    );
    if (!row) return null;
    const raw = { messageId: row.r_messageId, status: row.r_status, parser: row.r_parser, ignoredReason: row.r_ignoredReason, error: row.r_error } as EmailRecord['raw'];
    const lead = row.id === null ? null : (Object.fromEntries(Object.keys(columnsOf(leads)).map((k) => [k, row[k]])) as LeadRow);
    return { raw, lead, project: (row.r_project as string | null) ?? null };
  }

  async leadIdForRaw(rawEmailId: number): Promise<number | null> {
    return (await this.one<{ id: number }>('select id from leads where raw_email_id = $1', [rawEmailId]))?.id ?? null;
  }

  async threadLead(messageIds: string[], emails: string[]): Promise<{ id: number; clientId: number | null } | null> {
    const ids = [...new Set(messageIds.slice(0, 20).flatMap((m) => [m, m.replace(/^<|>$/g, '')]))];
    if (ids.length) {
      const row = await this.one<{ id: number; clientId: number | null }>('select l.id, l.client_id "clientId" from leads l join raw_emails r on r.id = l.raw_email_id where r.message_id = any($1) order by l.id desc limit 1', [ids]);
      if (row) return row;
    }
    const mails = emails.slice(0, 20);
    if (!mails.length) return null;
    return this.one('select id, client_id "clientId" from leads where email = any($1) order by id desc limit 1', [mails]);
  }

  projectId(name: string | null): number | null {
    return this.projects.get(name);
  }

  async projectName(id: number): Promise<string | null> {
    return (await this.one<{ name: string }>('select name from projects where id = $1', [id]))?.name ?? null;
  }

  getLead(id: number): Promise<LeadRow | null> {
    return this.one(`select ${LEAD_COLS} from leads l where l.id = $1`, [id]);
  }

  async leadWasActedOn(leadId: number): Promise<boolean> {
    return (await this.one("select 1 from actions where lead_id = $1 and actor <> 'centralizador' limit 1", [leadId])) !== null;
  }

  pendingLeads(vendorId: string): Promise<PendingLeadRow[]> {
    return this.all(
      `select id, client_id "clientId", name, phone, email, project_id "projectId", contact_type "contactType", received_at "receivedAt", deadline_at "deadlineAt"
       from leads where owner_vendor_id = $1 and contact_state = 'por_contactar' order by received_at, id`,
      [vendorId],
    );
  }

  getClient(id: number): Promise<ClientRow | null> {
    return this.one(`select ${CLIENT_COLS} from clients where id = $1`, [id]);
  }

  clientBy(key: ClientKey, value: string, nationalId: string | null): Promise<ClientRow | null> {
    const col = CLIENT_KEY_COLUMN[key];
    return this.one(`select ${CLIENT_COLS} from clients where ${col} = $1 and (national_id is null or $2::text is null or national_id = $2) order by id limit 1`, [value, nationalId]);
  }

  async clientIdsOwnedBy(vendorId: string): Promise<number[]> {
    return (await this.all<{ id: number }>('select id from clients where owner_vendor_id = $1 order by id', [vendorId])).map((r) => r.id);
  }

  openFollowUp(clientId: number, projectId: number | null): Promise<{ id: number; dueAt: number } | null> {
    return this.one("select id, due_at \"dueAt\" from follow_ups where client_id = $1 and project_id is not distinct from $2 and status = 'open' limit 1", [clientId, projectId]);
  }

  async waitingLeadIds(clientId: number, projectId: number | null): Promise<number[]> {
    const rows = await this.all<{ id: number }>("select id from leads where client_id = $1 and project_id is not distinct from $2 and contact_state = 'por_contactar' order by id", [clientId, projectId]);
    return rows.map((r) => r.id);
  }

  actionsOf(clientId: number, names: readonly string[]): Promise<ActionRow[]> {
    return this.all('select id, at, action, actor, data from actions where client_id = $1 and action = any($2) order by at, id', [clientId, [...names]]);
  }

  getVendor(id: string): Promise<VendorRow | null> {
    return this.one(`select ${VENDOR_COLS} from vendors v where v.id = $1`, [id]);
  }

  activeVendors(filter: { projectId: number } | { type: string } | Record<string, never>): Promise<VendorRow[]> {
    const active = 'v.active and v.retired_at is null';
    if ('projectId' in filter) return this.all(`select ${VENDOR_COLS} from project_vendors pv join vendors v on v.id = pv.vendor_id where pv.project_id = $1 and ${active} order by pv.position`, [filter.projectId]);
    if ('type' in filter) return this.all(`select ${VENDOR_COLS} from vendors v where ${active} and v.type = $1 order by v.id`, [filter.type]);
    return this.all(`select ${VENDOR_COLS} from vendors v where ${active} order by v.id`);
  }

  dueWebhooks(now: number, limit: number): Promise<WebhookDelivery[]> {
    return this.all(`select ${WEBHOOK_COLS} from webhook_deliveries where status = 'pending' and next_attempt_at <= $1 order by next_attempt_at limit $2`, [now, limit]);
  }

  webhookCounts(): Promise<{ status: string; n: number; lastError: string | null }[]> {
    return this.all("select status, count(*) n, max(last_error) \"lastError\" from webhook_deliveries where status <> 'sent' group by status");
  }

  getLease(name: string): Promise<{ owner: string; expiresAt: number } | null> {
    return this.one('select owner, expires_at "expiresAt" from leases where name = $1', [name]);
  }

  leasesLike(prefix: string): Promise<{ name: string; owner: string; expiresAt: number; epoch: number }[]> {
    return this.all('select name, owner, expires_at "expiresAt", epoch from leases where starts_with(name, $1) order by name', [prefix]);
  }

  mailboxToken(mailbox: string): Promise<StoredMailboxToken | null> {
    return this.one(`select ${MAILBOX_TOKEN_COLUMNS} from mailbox_tokens where mailbox = $1`, [mailbox]);
  }

  mailboxTokens(): Promise<StoredMailboxToken[]> {
    return this.all(`select ${MAILBOX_TOKEN_COLUMNS} from mailbox_tokens order by mailbox`);
  }

  async rawHeaders(rawEmailId: number): Promise<string | null> {
    return (await this.one<{ headers: string | null }>('select headers from raw_emails where id = $1', [rawEmailId]))?.headers ?? null;
  }

  async lastNotificationAt(kind: NotificationKind, clientId: number, projectId: number | null): Promise<number | null> {
    return (await this.one<{ at: number | null }>('select max(created_at) at from notifications where kind = $1 and client_id = $2 and project_id is not distinct from $3', [kind, clientId, projectId]))?.at ?? null;
  }
}

/** Reads and writes inside one transaction (one pooled client between BEGIN and COMMIT). */
interface PgTx extends ReturnType<typeof peopleWrites>, ReturnType<typeof duplicateWrites>, ReturnType<typeof outboxWrites>, ReturnType<typeof funnelWrites> {}
class PgTx extends PgReads implements StoreWrites {
  /** Locks the raw email's row: two daemons persisting the same pending email take turns, and the second sees the first's outcome. */
  override rawOutcome(rawEmailId: number): Promise<RawOutcome | null> {
    return this.one('select r.status, l.id "leadId", l.client_id "clientId", l.follow_up_at "followUpAt", l.contact_type "contactType" from raw_emails r left join leads l on l.raw_email_id = r.id where r.id = $1 for update of r', [rawEmailId]);
  }

  constructor(c: Queryable, projects: ProjectIds) {
    super(c, projects);
    // People and duplicate writes live in people-writes.ts (one module per area); same client.
    Object.assign(this, peopleWrites(c), duplicateWrites(c), outboxWrites(c), funnelWrites(c));
  }

  async insertRaw(input: RawEmailInput, now = Date.now()): Promise<number> {
    const row = await this.one<{ id: number }>(
      `insert into raw_emails (source, mailbox, uid_validity, uid, file, message_id, sha256, size, raw, headers, received_at, stored_at, status, error)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning id`,
      [input.source, input.mailbox ?? null, input.uidValidity ?? null, input.uid ?? null, input.file ?? null, input.messageId, input.sha256, input.size, input.raw, input.headers ?? null, input.receivedAt, now, input.status ?? 'pending', input.error ?? null],
    );
    return row!.id;
  }

  async setCursor(mailbox: string, uidValidity: number, lastUid: number, now: number): Promise<void> {
    await this.c.query(
      'insert into mailbox_cursors (mailbox, uid_validity, last_uid, updated_at) values ($1, $2, $3, $4) on conflict (mailbox) do update set uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at',
      [mailbox, uidValidity, lastUid, now],
    );
  }

  async setRawOutcome(rawEmailId: number, status: 'lead' | 'ignored', ignoredReason: string | null, parser: string | null, now: number): Promise<void> {
    await this.c.query('update raw_emails set status = $1, ignored_reason = $2, parser = $3, processed_at = $4, error = null where id = $5', [status, ignoredReason, parser, now, rawEmailId]);
  }

  async setRawFailure(rawEmailId: number, status: 'error' | 'too_large' | 'timeout', error: string, now: number): Promise<void> {
    await this.c.query('update raw_emails set status = $1, error = $2, processed_at = $3 where id = $4', [status, error.slice(0, 4000), now, rawEmailId]);
  }

  async purgeRawBefore(before: number, now: number): Promise<number> {
    return (await this.c.query('update raw_emails set raw = null, purged_at = $1 where received_at < $2 and raw is not null', [now, before])).rowCount ?? 0;
  }

  async syncProjects(list: { name: string; aliases: string[] }[]): Promise<void> {
    for (const p of list) {
      await this.c.query('insert into projects (name, aliases, active) values ($1, $2, true) on conflict (name) do update set aliases = excluded.aliases, active = true', [p.name, JSON.stringify(p.aliases)]);
    }
    await this.c.query('update projects set active = false where not (name = any($1))', [list.map((p) => p.name)]);
    await this.projects.load(this.c);
  }

  async syncVendors(list: { name: string; vendors: VendorInput[] }[]): Promise<void> {
    const seen = new Set<string>();
    await this.c.query('delete from project_vendors');
    for (const p of list) {
      const projectId = this.projectId(p.name);
      for (const [position, v] of p.vendors.entries()) {
        if (!seen.has(v.id)) {
          seen.add(v.id);
          await this.c.query(
            `insert into vendors (id, name, email, type, webhook, active) values ($1, $2, $3, $4, $5, $6)
             on conflict (id) do update set name = excluded.name, email = excluded.email, type = excluded.type, webhook = excluded.webhook,
               active = case when vendors.retired_at is null then excluded.active else false end`,
            [v.id, v.name, v.email ?? null, v.type, v.webhook ?? null, v.active],
          );
        }
        if (projectId !== null) await this.c.query('insert into project_vendors (project_id, vendor_id, position) values ($1, $2, $3) on conflict do nothing', [projectId, v.id, position]);
      }
    }
    await this.c.query('update vendors set active = false where not (id = any($1))', [[...seen]]);
  }

  async insertLead(row: NewLead): Promise<number> {
    const [text, values] = leadSql.insert(row);
    return (await this.one<{ id: number }>(text, values))!.id;
  }

  async updateLead(id: number, patch: LeadPatch): Promise<void> {
    const q = leadSql.update(id, patch);
    if (q) await this.c.query(q[0], q[1]);
  }

  async moveWaitingLeads(clientId: number, toVendor: string, now: number, fromVendor?: string): Promise<void> {
    await this.c.query(
      "update leads set owner_vendor_id = $1, updated_at = $2 where client_id = $3 and contact_state = 'por_contactar' and ($4::text is null or owner_vendor_id = $4)",
      [toVendor, now, clientId, fromVendor ?? null],
    );
  }

  async insertClient(row: NewClient): Promise<number> {
    const [text, values] = clientSql.insert(row);
    return (await this.one<{ id: number }>(text, values))!.id;
  }

  async updateClient(id: number, patch: ClientPatch): Promise<void> {
    const q = clientSql.update(id, patch);
    if (q) await this.c.query(q[0], q[1]);
  }

  async touchClient(clientId: number, at: number): Promise<void> {
    await this.c.query('update clients set last_activity_at = greatest(coalesce(last_activity_at, 0), $1) where id = $2', [at, clientId]);
  }

  async insertFollowUp(row: NewFollowUp): Promise<void> {
    await this.c.query(
      'insert into follow_ups (client_id, lead_id, project_id, action, status, expectation, contact_type, due_at, comment, created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
      [row.clientId, row.leadId ?? null, row.projectId ?? null, row.action, row.status, row.expectation ?? null, row.contactType ?? null, row.dueAt, row.comment ?? null, row.createdBy, row.createdAt],
    );
  }

  async moveFollowUp(id: number, dueAt: number, leadId: number): Promise<void> {
    await this.c.query('update follow_ups set due_at = $1, lead_id = $2 where id = $3', [dueAt, leadId, id]);
  }

  async closeFollowUps(which: { clientId: number; projectId: number | null } | { leadId: number }, status: 'done' | 'aborted'): Promise<void> {
    if ('leadId' in which) await this.c.query("update follow_ups set status = $1 where lead_id = $2 and status = 'open'", [status, which.leadId]);
    else await this.c.query("update follow_ups set status = $1 where client_id = $2 and project_id is not distinct from $3 and status = 'open'", [status, which.clientId, which.projectId]);
  }

  async recordAction(a: ActionInput): Promise<void> {
    await this.c.query('insert into actions (lead_id, client_id, actor, action, data, at) values ($1, $2, $3, $4, $5, $6)', [a.leadId ?? null, a.clientId ?? null, a.actor, a.action, JSON.stringify(a.data ?? {}), a.at]);
  }

  async markPossibleDuplicate(d: { clientId: number; otherClientId: number; leadId: number; reason: string; at: number }): Promise<void> {
    await this.c.query("insert into client_duplicates (client_id, other_client_id, lead_id, reason, status, created_at) values ($1, $2, $3, $4, 'open', $5)", [d.clientId, d.otherClientId, d.leadId, d.reason, d.at]);
  }

  async retireVendor(id: string, now: number): Promise<void> {
    await this.c.query('update vendors set active = false, retired_at = $1 where id = $2', [now, id]);
  }

  async nextCounter(name: string): Promise<number> {
    return (await this.one<{ value: number }>('insert into counters (name, value) values ($1, 1) on conflict (name) do update set value = counters.value + 1 returning value', [name]))!.value;
  }

  async enqueueWebhook(url: string, body: unknown, now: number): Promise<void> {
    await this.c.query("insert into webhook_deliveries (url, body, status, next_attempt_at, created_at) values ($1, $2, 'pending', $3, $3)", [url, JSON.stringify(body), now]);
  }

  async claimWebhooks(now: number, limit: number, leaseMs: number): Promise<WebhookDelivery[]> {
    const rows = await this.all<WebhookDelivery>(
      `update webhook_deliveries set next_attempt_at = $2::bigint + $3::bigint where id in (
         select id from webhook_deliveries where status = 'pending' and next_attempt_at <= $1 order by next_attempt_at limit $4 for update skip locked
       ) returning ${WEBHOOK_COLS}`,
      [now, now, leaseMs, limit],
    );
    return rows.map((r) => ({ ...r, nextAttemptAt: now })).sort((a, b) => a.id - b.id);
  }

  async updateWebhook(id: number, patch: Pick<WebhookDelivery, 'status' | 'attempts' | 'lastError'> & { nextAttemptAt?: number }): Promise<void> {
    await this.c.query('update webhook_deliveries set status = $1, attempts = $2, last_error = $3, next_attempt_at = coalesce($4, next_attempt_at) where id = $5', [patch.status, patch.attempts, patch.lastError, patch.nextAttemptAt ?? null, id]);
  }

  async enqueueNotification(n: NewNotification, now: number, dueAt = now): Promise<boolean> {
    const r = await this.c.query(
      `insert into notifications (key, kind, lead_id, client_id, project_id, vendor_id, recipient, sender, subject, text, html, headers, status, attempts, next_attempt_at, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', 0, $13, $14) on conflict (key) do nothing`,
      [n.key, n.kind, n.leadId ?? null, n.clientId ?? null, n.projectId ?? null, n.vendorId ?? null, n.recipient, n.sender ?? null, n.subject, n.text, n.html ?? null, n.headers ?? null, dueAt, n.createdAt],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async putLease(name: string, owner: string, expiresAt: number): Promise<void> {
    await this.c.query('insert into leases (name, owner, expires_at) values ($1, $2, $3) on conflict (name) do update set owner = excluded.owner, expires_at = excluded.expires_at', [name, owner, expiresAt]);
  }

  async renewLease(name: string, owner: string, expiresAt: number): Promise<boolean> {
    return ((await this.c.query('update leases set expires_at = $1 where name = $2 and owner = $3', [expiresAt, name, owner])).rowCount ?? 0) === 1;
  }

  async putMailboxToken(t: StoredMailboxToken): Promise<void> {
    await this.c.query(
      `insert into mailbox_tokens (mailbox, provider, refresh_token, account, created_at, updated_at) values ($1, $2, $3, $4, $5, $6)
       on conflict (mailbox) do update set provider = excluded.provider, refresh_token = excluded.refresh_token,
         account = coalesce(excluded.account, mailbox_tokens.account), updated_at = excluded.updated_at`,
      [t.mailbox, t.provider, t.refreshToken, t.account, t.createdAt, t.updatedAt],
    );
  }

  async deleteMailboxToken(mailbox: string): Promise<boolean> {
    return ((await this.c.query('delete from mailbox_tokens where mailbox = $1', [mailbox])).rowCount ?? 0) > 0;
  }

  async dropLease(name: string, owner: string): Promise<void> {
    await this.c.query('delete from leases where name = $1 and owner = $2', [name, owner]);
  }

  async claimLease(name: string, owner: string, now: number, ttlMs: number): Promise<number | null> {
    const row = await this.one<{ epoch: number }>(
      `insert into leases (name, owner, expires_at, epoch) values ($1, $2, $3, 1)
       on conflict (name) do update set epoch = case when leases.owner = excluded.owner then leases.epoch else leases.epoch + 1 end, owner = excluded.owner, expires_at = excluded.expires_at
       where leases.owner = excluded.owner or leases.expires_at <= $4 returning epoch`,
      [name, owner, now + ttlMs, now],
    );
    return row?.epoch ?? null;
  }

  async fenceLease(name: string, owner: string, epoch: number): Promise<boolean> {
    // FOR SHARE: a takeover (an update of this row) waits for this transaction to commit.
    return (await this.one('select 1 from leases where name = $1 and owner = $2 and epoch = $3 for share', [name, owner, epoch])) !== null;
  }
}

/**
 * The PostgreSQL adapter of the storage port: the same interface as the SQLite Store, every call
 * asynchronous. A unit of work runs on one pooled client between BEGIN and COMMIT (the generator
 * driven by runAsync); a unit started inside another joins it. Reads outside run on the pool.
 */
export class PgStore extends PgReads implements Storage {
  readonly engine = 'postgres' as const;
  private readonly open = new AsyncLocalStorage<PgTx>();

  private constructor(
    readonly pool: pg.Pool,
    projects: ProjectIds,
    private readonly log?: Logger,
  ) {
    super(nulSafe(pool), projects);
  }

  static async connect(pool: pg.Pool, log?: Logger): Promise<PgStore> {
    const projects = new ProjectIds();
    await projects.load(pool);
    return new PgStore(pool, projects, log);
  }

  /** The database, for messages (no credentials). */
  get name(): string {
    const o = this.pool.options;
    return `postgres://${o.host ?? 'localhost'}:${o.port ?? 5432}/${o.database ?? ''}`;
  }

  async unitOfWork<T>(work: (tx: StoreTx) => Work<T>): Promise<T> {
    const joined = this.open.getStore();
    if (joined) return runAsync(work(joined as unknown as StoreTx));
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const tx = new PgTx(nulSafe(client), this.projects);
      const result = await this.open.run(tx, () => runAsync(work(tx as unknown as StoreTx)));
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch((e: Error) => this.log?.warn({ err: e.message }, 'rollback failed'));
      throw err;
    } finally {
      client.release();
    }
  }

  async read<T>(work: (r: StoreReads) => Work<T>): Promise<T> {
    return runAsync(work(this.open.getStore() ?? this));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
