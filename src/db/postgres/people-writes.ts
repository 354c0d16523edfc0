import type pg from 'pg';
import { AppError } from '../../errors.ts';
import type { PeopleWrites, DuplicateWrites } from '../port.ts';
import { type AuditEntry, FILLABLE, type UserRow } from '../people-reads.ts';

type Queryable = Pick<pg.PoolClient, 'query'>;

/** The port's people writes (users, sessions, tokens, preferences, audit) on one transaction's client. */
export function peopleWrites(c: Queryable): PeopleWrites {
  const changed = async (text: string, values: unknown[]) => (await c.query(text, values)).rowCount ?? 0;
  return {
    async insertUser(u: Omit<UserRow, 'id' | 'disabledAt' | 'updatedAt'>) {
      const r = await c.query<{ id: number }>(
        'insert into users (email, name, role, vendor_id, team, projects, password_hash, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning id',
        [u.email, u.name, u.role, u.vendorId, JSON.stringify(u.team), JSON.stringify(u.projects), u.passwordHash, u.createdAt],
      );
      return r.rows[0].id;
    },
    async setUserDisabled(id, at, now) {
      await c.query('update users set disabled_at = $1, updated_at = $2 where id = $3', [at, now, id]);
    },
    async setUserPassword(id, hash, now) {
      await c.query('update users set password_hash = $1, updated_at = $2 where id = $3', [hash, now, id]);
    },
    async insertSession(s) {
      const r = await c.query<{ id: number }>(
        'insert into sessions (token_hash, user_id, csrf, created_at, last_seen_at, expires_at, address) values ($1, $2, $3, $4, $4, $5, $6) returning id',
        [s.tokenHash, s.userId, s.csrf, s.now, s.expiresAt, s.address],
      );
      return r.rows[0].id;
    },
    async touchSession(id, now) {
      await c.query('update sessions set last_seen_at = $1 where id = $2', [now, id]);
    },
    async revokeSession(id, now) {
      await c.query('update sessions set revoked_at = $1 where id = $2 and revoked_at is null', [now, id]);
    },
    revokeUserSessions: (userId, now) => changed('update sessions set revoked_at = $1 where user_id = $2 and revoked_at is null', [now, userId]),
    pruneSessions: (before) => changed('delete from sessions where expires_at < $1 or (revoked_at is not null and revoked_at < $1)', [before]),
    async insertToken(t) {
      await c.query('insert into api_tokens (user_id, label, token_hash, created_at) values ($1, $2, $3, $4)', [t.userId, t.label, t.tokenHash, t.now]);
    },
    async touchToken(id, now) {
      await c.query('update api_tokens set last_used_at = $1 where id = $2', [now, id]);
    },
    revokeToken: (userId, label, now) => changed('update api_tokens set revoked_at = $1 where user_id = $2 and label = $3 and revoked_at is null', [now, userId, label]),
    async setPrefs(userId, prefs, now) {
      await c.query('insert into user_prefs (user_id, prefs, updated_at) values ($1, $2, $3) on conflict (user_id) do update set prefs = excluded.prefs, updated_at = excluded.updated_at', [userId, JSON.stringify(prefs), now]);
    },
    async recordVisit(userId, now) {
      const before = (await c.query<{ at: number | null }>('select last_visit_at at from user_prefs where user_id = $1', [userId])).rows[0]?.at ?? null;
      await c.query('insert into user_prefs (user_id, last_visit_at, updated_at) values ($1, $2, $2) on conflict (user_id) do update set last_visit_at = excluded.last_visit_at', [userId, now]);
      return before;
    },
    async audit(e: AuditEntry) {
      await c.query('insert into audit (at, user_id, actor, action, object_type, object_id, address, data) values ($1, $2, $3, $4, $5, $6, $7, $8)', [
        e.at, e.userId, e.actor, e.action, e.objectType ?? null, e.objectId === undefined || e.objectId === null ? null : String(e.objectId), e.address ?? null, JSON.stringify(e.data ?? {}),
      ]);
    },
  };
}


interface Mark { id: number; clientId: number; otherClientId: number; status: string; undo: string | null }

/** The duplicate decisions on one transaction's client; the same rules as src/db/sqlite/duplicates.ts. */
export function duplicateWrites(c: Queryable): DuplicateWrites {
  const mustBe = async (id: number, status: string): Promise<Mark> => {
    const d = (await c.query<Mark>('select id, client_id "clientId", other_client_id "otherClientId", status, undo from client_duplicates where id = $1 for update', [id])).rows[0];
    if (!d) throw new AppError('duplicate.not_found', `no existe la marca de duplicado ${id}`);
    if (d.status !== status) throw new AppError('duplicate.decided', `la marca ${id} ya está ${d.status}`);
    return d;
  };
  const decide = (id: number, status: string, actor: string, now: number, undo: string | null) =>
    c.query('update client_duplicates set status = $1, decided_by = $2, decided_at = $3, undo = $4 where id = $5', [status, actor, now, undo, id]);
  const action = async (d: Mark, actor: string, name: string, data: object, now: number) => {
    const payload = JSON.stringify({ duplicateId: d.id, clientId: d.clientId, otherClientId: d.otherClientId, ...data });
    for (const client of [d.otherClientId, d.clientId]) await c.query('insert into actions (lead_id, client_id, actor, action, data, at) values (null, $1, $2, $3, $4, $5)', [client, actor, name, payload, now]);
  };
  const ids = async (text: string, values: unknown[]) => (await c.query<{ id: number }>(text, values)).rows.map((r) => r.id);
  return {
    async mergeDuplicate(id, actor, now) {
      const d = await mustBe(id, 'open');
      const leadIds = await ids('select id from leads where client_id = $1 order by id', [d.clientId]);
      const followUpIds = await ids('select id from follow_ups where client_id = $1 order by id', [d.clientId]);
      const from = (await c.query(`select ${FILLABLE.join(', ')} from clients where id = $1`, [d.clientId])).rows[0] as Record<string, unknown>;
      const to = (await c.query(`select ${FILLABLE.join(', ')}, owner_vendor_id from clients where id = $1`, [d.otherClientId])).rows[0] as Record<string, unknown>;
      const filled: string[] = [];
      for (const col of FILLABLE) {
        if (to[col] !== null || from[col] === null) continue;
        if (col === 'national_id' && (await c.query('select 1 from clients where national_id = $1 and id <> $2', [from[col], d.clientId])).rowCount) continue;
        filled.push(col);
      }
      await c.query('update leads set client_id = $1, owner_vendor_id = coalesce($2, owner_vendor_id), updated_at = $3 where client_id = $4', [d.otherClientId, to.owner_vendor_id ?? null, now, d.clientId]);
      await c.query('update follow_ups set client_id = $1 where client_id = $2', [d.otherClientId, d.clientId]);
      if (filled.length) {
        // The merged-away record gives up a unique national ID before the survivor takes it.
        if (filled.includes('national_id')) await c.query('update clients set national_id = null where id = $1', [d.clientId]);
        await c.query(`update clients set ${filled.map((col, i) => `${col} = $${i + 1}`).join(', ')} where id = $${filled.length + 1}`, [...filled.map((col) => from[col]), d.otherClientId]);
      }
      const undo = { leadIds, followUpIds, filled, values: Object.fromEntries(filled.map((col) => [col, from[col]])) };
      await decide(id, 'merged', actor, now, JSON.stringify(undo));
      await action(d, actor, 'merge', undo, now);
      return { leadIds, followUpIds, filled };
    },
    async unmergeDuplicate(id, actor, now) {
      const d = await mustBe(id, 'merged');
      const undo = JSON.parse(d.undo ?? '{}') as { leadIds: number[]; followUpIds: number[]; filled: string[]; values: Record<string, unknown> };
      const owner = (await c.query<{ o: string | null }>('select owner_vendor_id o from clients where id = $1', [d.clientId])).rows[0]?.o ?? null;
      for (const l of undo.leadIds) await c.query('update leads set client_id = $1, owner_vendor_id = coalesce($2, owner_vendor_id), updated_at = $3 where id = $4 and client_id = $5', [d.clientId, owner, now, l, d.otherClientId]);
      for (const f of undo.followUpIds) await c.query('update follow_ups set client_id = $1 where id = $2 and client_id = $3', [d.clientId, f, d.otherClientId]);
      const cols = (undo.filled ?? []).filter((col) => (FILLABLE as readonly string[]).includes(col));
      if (cols.length) {
        await c.query(`update clients set ${cols.map((col) => `${col} = null`).join(', ')} where id = $1`, [d.otherClientId]);
        await c.query(`update clients set ${cols.map((col, i) => `${col} = $${i + 1}`).join(', ')} where id = $${cols.length + 1}`, [...cols.map((col) => undo.values[col]), d.clientId]);
      }
      await decide(id, 'unmerged', actor, now, d.undo);
      await action(d, actor, 'unmerge', { leadIds: undo.leadIds }, now);
      return { leadIds: undo.leadIds };
    },
    async dismissDuplicate(id, actor, now) {
      const d = await mustBe(id, 'open');
      await decide(id, 'dismissed', actor, now, null);
      await action(d, actor, 'dismiss-duplicate', {}, now);
    },
    async reopenDuplicate(id, actor, now) {
      const d = await mustBe(id, 'dismissed');
      await c.query("update client_duplicates set status = 'open', decided_by = null, decided_at = null, undo = null where id = $1", [id]);
      await action(d, actor, 'reopen-duplicate', {}, now);
    },
  };
}
