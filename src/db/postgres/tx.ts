
import type { NewNotification, } from '../outbox-schema.ts';
import type {
  ActionInput, ClientPatch, FollowUpsToClose, LeadPatch, NewClient, NewFollowUp, NewLead, RawEmailInput, RawOutcome, StoreWrites, VendorInput, WebhookDelivery,
} from '../port.ts';
import { type StoredMailboxToken } from '../mailbox-tokens.ts';
import { RECORDED_STATUSES } from '../lead-filter.ts';
import { duplicateWrites, peopleWrites } from './people-writes.ts';
import { outboxWrites } from './outbox-writes.ts';
import { funnelWrites } from './funnel.ts';
import { caseWrites } from './cases.ts';
import type { CaseWrites } from '../case-port.ts';

import { ProjectIds, type Queryable, WEBHOOK_COLS, clientSql, leadSql } from './rows.ts';
import { PgReads } from './reads.ts';
import { bodyChunks } from '../raw-body.ts';
import { HAS_BODY_PG } from './raw-body.ts';

/** Bodies' bytes sent in one statement, at most (a big email's pieces go one or two at a time). */
const BODY_STATEMENT_BYTES = 4 * 1024 * 1024;

/** `($1, $2), ($3, $4)` for `rows` rows of `width` parameters. */
function placeholders(rows: number, width: number): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) out.push(`(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`);
  return out.join(', ');
}

/** Reads and writes inside one transaction (one pooled client between BEGIN and COMMIT). */
export interface PgTx extends ReturnType<typeof peopleWrites>, ReturnType<typeof duplicateWrites>, ReturnType<typeof outboxWrites>, ReturnType<typeof funnelWrites>, CaseWrites {}
export class PgTx extends PgReads implements StoreWrites {
  /**
   * Locks the raw emails' rows (rawOutcome too, through this): two daemons persisting the same
   * pending email take turns, and the second sees the first's outcome; in id order, so overlapping
   * batches take turns instead of deadlocking.
   */
  override rawOutcomes(rawEmailIds: readonly number[]): Promise<Map<number, RawOutcome>> {
    return this.outcomesOf(rawEmailIds, ' for update of r');
  }

  constructor(c: Queryable, projects: ProjectIds) {
    super(c, projects);
    // People and duplicate writes live in people-writes.ts (one module per area); same client.
    Object.assign(this, peopleWrites(c), duplicateWrites(c), outboxWrites(c), funnelWrites(c), caseWrites(c));
  }

  async insertRaw(input: RawEmailInput, now = Date.now()): Promise<number> {
    return (await this.insertRaws([input], now))[0];
  }

  /**
   * A transaction-scoped advisory lock per key (Message-ID, else content), taken in one order: a
   * second writer of the same email waits for the first's commit, then finds its row (READ
   * COMMITTED: each statement sees what committed before it).
   */
  async lockRawKeys(keys: readonly Pick<RawEmailInput, 'messageId' | 'sha256'>[]): Promise<void> {
    const ks = [...new Set(keys.map((k) => (k.messageId !== null ? `m ${k.messageId}` : `s ${k.sha256}`)))].sort();
    if (ks.length) await this.c.query('select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest($1::text[]) k', [ks]);
  }

  /** One statement for the rows (RETURNING gives their ids in the VALUES' order), a few for the bodies. */
  async insertRaws(inputs: readonly RawEmailInput[], now = Date.now()): Promise<number[]> {
    if (!inputs.length) return [];
    const values = inputs.flatMap((i) => [i.source, i.mailbox ?? null, i.uidValidity ?? null, i.uid ?? null, i.file ?? null, i.messageId, i.sha256, i.size, i.headers ?? null, i.receivedAt, now, i.status ?? 'pending', i.error ?? null]);
    const rows = await this.all<{ id: number }>(
      `insert into raw_emails (source, mailbox, uid_validity, uid, file, message_id, sha256, size, headers, received_at, stored_at, status, error)
       values ${placeholders(inputs.length, 13)} returning id`,
      values,
    );
    const ids = rows.map((r) => r.id);
    // Buffers go as binary parameters (no hex text), in statements of at most BODY_STATEMENT_BYTES.
    let pieces: unknown[] = [];
    let bytes = 0;
    const flush = async () => {
      if (pieces.length) await this.c.query(`insert into raw_bodies (raw_email_id, seq, chunk) values ${placeholders(pieces.length / 3, 3)}`, pieces);
      pieces = [];
      bytes = 0;
    };
    for (const [k, input] of inputs.entries()) {
      if (!input.raw) continue;
      for (const { seq, chunk } of bodyChunks(input.raw)) {
        if (bytes + chunk.length > BODY_STATEMENT_BYTES) await flush();
        pieces.push(ids[k], seq, chunk);
        bytes += chunk.length;
      }
    }
    await flush();
    return ids;
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
    // As SQLite's: never over a recorded outcome.
    await this.c.query(`update raw_emails set status = $1, error = $2, processed_at = $3 where id = $4 and status not in ${RECORDED_STATUSES}`, [status, error.slice(0, 4000), now, rawEmailId]);
  }

  async purgeRawBefore(before: number, now: number): Promise<number> {
    const purged = (await this.c.query(`update raw_emails set purged_at = $1 where received_at < $2 and status in ${RECORDED_STATUSES} and ${HAS_BODY_PG}`, [now, before])).rowCount ?? 0;
    await this.c.query(`delete from raw_bodies where raw_email_id in (select id from raw_emails where received_at < $1 and status in ${RECORDED_STATUSES})`, [before]);
    return purged;
  }

  /** Daemons starting together write the config one at a time (a lock held to the end of the transaction). */
  private async configLock(): Promise<void> {
    await this.c.query('select pg_advisory_xact_lock(7319002)');
  }

  async syncProjects(list: { name: string; aliases: string[] }[]): Promise<void> {
    await this.configLock();
    for (const p of list) {
      await this.c.query('insert into projects (name, aliases, active) values ($1, $2, true) on conflict (name) do update set aliases = excluded.aliases, active = true', [p.name, JSON.stringify(p.aliases)]);
    }
    await this.c.query('update projects set active = false where not (name = any($1))', [list.map((p) => p.name)]);
    await this.projects.load(this.c);
  }

  async syncVendors(list: { name: string; vendors: VendorInput[] }[]): Promise<void> {
    await this.configLock();
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

  async closeFollowUps(which: FollowUpsToClose, status: 'done' | 'aborted'): Promise<void> {
    if ('leadId' in which) await this.c.query("update follow_ups set status = $1 where lead_id = $2 and status = 'open'", [status, which.leadId]);
    else {
      await this.c.query(
        `update follow_ups set status = $1 where client_id = $2 and project_id is not distinct from $3 and status = 'open'
         and (lead_id is null or lead_id in (select id from leads where owner_vendor_id is not distinct from $4))`,
        [status, which.clientId, which.projectId, which.ownerVendorId],
      );
    }
  }

  async recordAction(a: ActionInput): Promise<void> {
    await this.c.query('insert into actions (lead_id, client_id, actor, action, data, at) values ($1, $2, $3, $4, $5, $6)', [a.leadId ?? null, a.clientId ?? null, a.actor, a.action, JSON.stringify(a.data ?? {}), a.at]);
  }

  async markPossibleDuplicate(d: { clientId: number; otherClientId: number; leadId: number | null; reason: string; at: number }): Promise<number> {
    const { rows } = await this.c.query<{ id: number }>("insert into client_duplicates (client_id, other_client_id, lead_id, reason, status, created_at) values ($1, $2, $3, $4, 'open', $5) returning id", [d.clientId, d.otherClientId, d.leadId, d.reason, d.at]);
    return rows[0].id;
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
      `insert into notifications (key, kind, lead_id, client_id, project_id, vendor_id, recipient, sender, subject, text, html, headers, status, attempts, next_attempt_at, created_at, case_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', 0, $13, $14, $15) on conflict (key) do nothing`,
      [n.key, n.kind, n.leadId ?? null, n.clientId ?? null, n.projectId ?? null, n.vendorId ?? null, n.recipient, n.sender ?? null, n.subject, n.text, n.html ?? null, n.headers ?? null, dueAt, n.createdAt, n.caseId ?? null],
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

