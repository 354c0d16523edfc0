
import type { NotificationKind } from '../outbox-schema.ts';
import {type ActionRow, type ClientKey, type ClientLookup, type ClientRow, type EmailRecord, type ExistingEmail, 
  type LeadRow, type PendingLeadRow, type RawEmailInput, type RawOutcome, type StoredRaw,
  type StoreReads, type VendorRow, type WebhookDelivery, 
} from '../port.ts';
import { leads } from './schema.ts';
import { MAILBOX_TOKEN_COLUMNS, type StoredMailboxToken } from '../mailbox-tokens.ts';
import { funnelReads, } from './funnel.ts';
import { caseReads } from './cases.ts';
import { readRawBody } from './raw-body.ts';
import type { CaseReads } from '../case-port.ts';

import { CLIENT_COLS, CLIENT_KEY_COLUMN, LEAD_COLS, ProjectIds, type Queryable, VENDOR_COLS, WEBHOOK_COLS, columnsOf } from './rows.ts';

/** Every read of the port, over a pool (committed data) or a transaction's client. */
export interface PgReads extends ReturnType<typeof funnelReads>, CaseReads {}
export class PgReads implements StoreReads {
  constructor(
    protected readonly c: Queryable,
    protected readonly projects: ProjectIds,
  ) {
    // The funnel's reads live in funnel.ts (one module per area); same connection.
    Object.assign(this, funnelReads(c), caseReads(c));
  }

  protected async one<T>(text: string, values: unknown[] = []): Promise<T | null> {
    const { rows } = await this.c.query(text, values);
    return (rows[0] as T | undefined) ?? null;
  }

  protected async all<T>(text: string, values: unknown[] = []): Promise<T[]> {
    return (await this.c.query(text, values)).rows as T[];
  }

  async findExisting(messageId: string | null, sha256: string): Promise<ExistingEmail | null> {
    const select = 'select r.id "rawEmailId", r.status, l.id "leadId", l.client_id "clientId", l.follow_up_at "followUpAt" from raw_emails r left join leads l on l.raw_email_id = r.id and l.part_index = 0';
    return messageId
      ? this.one<ExistingEmail>(`${select} where r.message_id = $1 order by r.id limit 1`, [messageId])
      : this.one<ExistingEmail>(`${select} where r.message_id is null and r.sha256 = $1 order by r.id limit 1`, [sha256]);
  }

  async storedAlready(keys: readonly Pick<RawEmailInput, 'messageId' | 'sha256'>[]): Promise<boolean[]> {
    if (!keys.length) return [];
    // Each key looked up as findExisting does (by Message-ID, else by content): one round trip.
    const rows = await this.all<{ ord: number }>(
      `select k.ord from unnest($1::text[], $2::text[]) with ordinality as k(mid, sha, ord)
       where case when k.mid is not null then exists (select 1 from raw_emails r where r.message_id = k.mid)
                  else exists (select 1 from raw_emails r where r.message_id is null and r.sha256 = k.sha) end`,
      [keys.map((k) => k.messageId), keys.map((k) => k.sha256)],
    );
    const out = keys.map(() => false);
    for (const r of rows) out[r.ord - 1] = true;
    return out;
  }

  async getRaw(id: number): Promise<StoredRaw | null> {
    const row = await this.one<Omit<StoredRaw, 'raw'>>('select id, size, received_at "receivedAt", message_id "messageId", status from raw_emails where id = $1', [id]);
    return row ? { ...row, raw: await readRawBody(this.c, id, row.size) } : null;
  }

  async imapUidsTaken(mailbox: string, uidValidity: number, uids: readonly number[]): Promise<Set<number>> {
    if (!uids.length) return new Set();
    const rows = await this.all<{ uid: number }>('select uid from raw_emails where mailbox = $1 and uid_validity = $2 and uid = any($3::bigint[])', [mailbox, uidValidity, uids]);
    return new Set(rows.map((r) => Number(r.uid)));
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

  async rawOutcome(rawEmailId: number): Promise<RawOutcome | null> {
    return (await this.rawOutcomes([rawEmailId])).get(rawEmailId) ?? null;
  }

  rawOutcomes(rawEmailIds: readonly number[]): Promise<Map<number, RawOutcome>> {
    return this.outcomesOf(rawEmailIds, '');
  }

  protected async outcomesOf(rawEmailIds: readonly number[], lock: string): Promise<Map<number, RawOutcome>> {
    if (!rawEmailIds.length) return new Map();
    const rows = await this.all<RawOutcome & { id: number }>(
      `select r.id, r.status, l.id "leadId", l.client_id "clientId", l.follow_up_at "followUpAt", l.contact_type "contactType" from raw_emails r left join leads l on l.raw_email_id = r.id and l.part_index = 0 where r.id = any($1::bigint[]) order by r.id${lock}`,
      [[...new Set(rawEmailIds)]],
    );
    return new Map(rows.map(({ id, ...r }) => [Number(id), r]));
  }

  async emailRecord(rawEmailId: number): Promise<EmailRecord | null> {
    const row = await this.one<Record<string, unknown>>(
      `select r.message_id "r_messageId", r.status "r_status", r.parser "r_parser", r.ignored_reason "r_ignoredReason", r.error "r_error", p.name "r_project", ${LEAD_COLS}
       from raw_emails r left join leads l on l.raw_email_id = r.id and l.part_index = 0 left join projects p on p.id = l.project_id where r.id = $1`,
      [rawEmailId],
    );
    if (!row) return null;
    const raw = { messageId: row.r_messageId, status: row.r_status, parser: row.r_parser, ignoredReason: row.r_ignoredReason, error: row.r_error } as EmailRecord['raw'];
    const lead = row.id === null ? null : (Object.fromEntries(Object.keys(columnsOf(leads)).map((k) => [k, row[k]])) as LeadRow);
    return { raw, lead, project: (row.r_project as string | null) ?? null };
  }

  async newestLeadIds(afterId: number, limit: number): Promise<number[]> {
    return (await this.all<{ id: number }>('select id from leads where id > $1 order by id desc limit $2', [afterId, limit])).map((r) => Number(r.id));
  }

  leadsOfRaw(rawEmailId: number): Promise<{ id: number; partIndex: number }[]> {
    return this.all('select id, part_index "partIndex" from leads where raw_email_id = $1 order by part_index', [rawEmailId]);
  }

  async leadIdForRaw(rawEmailId: number): Promise<number | null> {
    return (await this.one<{ id: number }>('select id from leads where raw_email_id = $1 order by part_index limit 1', [rawEmailId]))?.id ?? null;
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
    const known = this.projects.name(id);
    if (known !== undefined) return known;
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

  async clientBy(key: ClientKey, value: string, nationalId: string | null, samePerson: readonly string[] = []): Promise<ClientRow | null> {
    return (await this.clientsBy([{ key, value, nationalId, samePerson }]))[0];
  }

  async clientsBy(lookups: readonly ClientLookup[]): Promise<(ClientRow | null)[]> {
    if (!lookups.length) return [];
    const values: unknown[] = [];
    const parts = lookups.map((l, k) => {
      values.push(l.value, l.nationalId, [...(l.samePerson ?? [])]);
      const [v, id, same] = [values.length - 2, values.length - 1, values.length].map((n) => `$${n}`);
      return `(select ${k} "lookup", ${CLIENT_COLS} from clients where ${CLIENT_KEY_COLUMN[l.key]} = ${v} and (national_id is null or ${id}::text is null or national_id = ${id} or national_id = any(${same}::text[])) order by id limit 1)`;
    });
    const rows = await this.all<ClientRow & { lookup: number }>(parts.join(' union all '), values);
    const out: (ClientRow | null)[] = lookups.map(() => null);
    for (const { lookup, ...row } of rows) out[lookup] = row;
    return out;
  }

  async clientIdsOwnedBy(vendorId: string): Promise<number[]> {
    return (await this.all<{ id: number }>('select id from clients where owner_vendor_id = $1 order by id', [vendorId])).map((r) => r.id);
  }

  openFollowUp(clientId: number, projectId: number | null): Promise<{ id: number; dueAt: number } | null> {
    return this.one("select id, due_at \"dueAt\" from follow_ups where client_id = $1 and project_id is not distinct from $2 and status = 'open' limit 1", [clientId, projectId]);
  }

  async waitingLeadIds(clientId: number, projectId: number | null, ownerVendorId: string | null): Promise<number[]> {
    const rows = await this.all<{ id: number }>(
      "select id from leads where client_id = $1 and project_id is not distinct from $2 and owner_vendor_id is not distinct from $3 and contact_state = 'por_contactar' order by id",
      [clientId, projectId, ownerVendorId],
    );
    return rows.map((r) => r.id);
  }

  async clientLeadIds(clientId: number): Promise<number[]> {
    return (await this.all<{ id: number }>('select id from leads where client_id = $1 order by id', [clientId])).map((r) => r.id);
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

