import type pg from 'pg';
import { bind, pgAndScope } from './lead-filter.ts';
import type { Scope } from '../scope.ts';
import { firstOf, rowsOf } from './read-base.ts';
import type { SessionRow, UserRow, UserReads } from '../people-reads.ts';

type RawUser = Omit<UserRow, 'team' | 'projects'> & { team: string; projects: string };
const USER_COLUMNS = `id, email, name, role, vendor_id AS "vendorId", team, projects, password_hash AS "passwordHash",
  disabled_at AS "disabledAt", created_at AS "createdAt", updated_at AS "updatedAt"`;
const toUser = (r: RawUser | null): UserRow | null => (r ? { ...r, team: JSON.parse(r.team) as string[], projects: JSON.parse(r.projects) as string[] } : null);

/** UserStore (src/db/sqlite/users.ts) on PostgreSQL: reads only; the writes are the port's (people-writes.ts). */
export class PgUserStore implements UserReads {
  constructor(private readonly db: pg.Pool) {}

  async byEmail(email: string): Promise<UserRow | null> {
    return toUser(await firstOf<RawUser>(this.db, `SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email]));
  }

  async byId(id: number): Promise<UserRow | null> {
    return toUser(await firstOf<RawUser>(this.db, `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]));
  }

  async list(): Promise<UserRow[]> {
    return (await rowsOf<RawUser>(this.db, `SELECT ${USER_COLUMNS} FROM users ORDER BY email COLLATE "C"`)).map((r) => toUser(r)!);
  }

  async namesByEmail(emails: string[]): Promise<Map<string, string>> {
    if (!emails.length) return new Map();
    const rows = await rowsOf<{ email: string; name: string }>(this.db, 'SELECT email, name FROM users WHERE email = any($1)', [emails]);
    return new Map(rows.map((r) => [r.email, r.name]));
  }

  async vendorExists(id: string): Promise<boolean> {
    return (await firstOf(this.db, 'SELECT 1 FROM vendors WHERE id = $1', [id])) !== null;
  }

  async projectExists(name: string): Promise<boolean> {
    return (await firstOf(this.db, 'SELECT 1 FROM projects WHERE name = $1', [name])) !== null;
  }

  async projectIds(names: string[]): Promise<number[]> {
    if (!names.length) return [];
    return (await rowsOf<{ id: number }>(this.db, 'SELECT id FROM projects WHERE name = any($1)', [names])).map((r) => r.id);
  }

  session(tokenHash: string): Promise<SessionRow | null> {
    return firstOf(this.db, `SELECT id, user_id AS "userId", csrf, created_at AS "createdAt", last_seen_at AS "lastSeenAt", expires_at AS "expiresAt"
      FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL`, [tokenHash]);
  }

  liveTokenByLabel(userId: number, label: string): Promise<{ id: number } | null> {
    return firstOf(this.db, 'SELECT id FROM api_tokens WHERE user_id = $1 AND label = $2 AND revoked_at IS NULL', [userId, label]);
  }

  tokenUser(tokenHash: string): Promise<{ tokenId: number; userId: number; lastUsedAt: number | null } | null> {
    return firstOf(this.db, 'SELECT id AS "tokenId", user_id AS "userId", last_used_at AS "lastUsedAt" FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL', [tokenHash]);
  }

  tokens(userId: number): Promise<{ label: string; createdAt: number; lastUsedAt: number | null; revokedAt: number | null }[]> {
    return rowsOf(this.db, 'SELECT label, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt" FROM api_tokens WHERE user_id = $1 ORDER BY created_at', [userId]);
  }

  async prefs(userId: number): Promise<{ prefs: Record<string, unknown>; lastVisitAt: number | null }> {
    const row = await firstOf<{ prefs: string; lastVisitAt: number | null }>(this.db, 'SELECT prefs, last_visit_at AS "lastVisitAt" FROM user_prefs WHERE user_id = $1', [userId]);
    return row ? { prefs: JSON.parse(row.prefs) as Record<string, unknown>, lastVisitAt: row.lastVisitAt } : { prefs: {}, lastVisitAt: null };
  }

  async auditPage(f: { userId?: number; action?: string; from?: number; to?: number; beforeId?: number; limit: number; scope?: Scope }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.userId !== undefined) where.push(`a.user_id = ${bind(params, f.userId)}`);
    if (f.action) where.push(`a.action = ${bind(params, f.action)}`);
    if (f.from !== undefined) where.push(`a.at >= ${bind(params, f.from)}`);
    if (f.to !== undefined) where.push(`a.at < ${bind(params, f.to)}`);
    if (f.beforeId) where.push(`a.id < ${bind(params, f.beforeId)}`);
    if (f.scope) {
      // Not an admin: what was done to leads and clients it may see, nothing else.
      const id = "CASE WHEN a.object_id ~ '^[0-9]+$' THEN a.object_id::bigint END";
      where.push(`((a.object_type = 'lead' AND EXISTS (SELECT 1 FROM leads l WHERE l.id = ${id}${pgAndScope(f.scope, params)}))
        OR (a.object_type = 'client' AND EXISTS (SELECT 1 FROM leads l WHERE l.client_id = ${id}${pgAndScope(f.scope, params)})))`);
    }
    const rows = await rowsOf<{ id: number; at: number; data: string }>(this.db, `SELECT a.id, a.at, a.actor, u.name AS "actorName", a.action, a.object_type AS "objectType",
      a.object_id AS "objectId", a.address, a.data FROM audit a LEFT JOIN users u ON u.id = a.user_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY a.id DESC LIMIT ${bind(params, f.limit + 1)}`, params);
    const more = rows.length > f.limit;
    if (more) rows.pop();
    return { rows: rows.map((r) => ({ ...r, data: JSON.parse(r.data) as unknown })), nextBefore: more ? rows[rows.length - 1].id : null };
  }
}
