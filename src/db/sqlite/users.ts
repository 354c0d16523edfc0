import type Database from 'better-sqlite3';
import { marks } from '../sql-lists.ts';
import type { Scope } from '../scope.ts';
import { andScope } from './lead-where.ts';
import type { SessionRow, UserRow, UserReads } from '../people-reads.ts';

type RawUser = Omit<UserRow, 'team' | 'projects'> & { team: string; projects: string };
const USER_COLUMNS = `id, email, name, role, vendor_id AS vendorId, team, projects, password_hash AS passwordHash,
  disabled_at AS disabledAt, created_at AS createdAt, updated_at AS updatedAt`;
const toUser = (r: RawUser | undefined): UserRow | null => (r ? { ...r, team: JSON.parse(r.team) as string[], projects: JSON.parse(r.projects) as string[] } : null);

/** Reads of users, sessions, API tokens, preferences and the audit trail (writes: people-writes.ts, through the port). No rule lives here: see src/auth. */
export class UserStore implements UserReads {
  private statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private q(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  async byEmail(email: string): Promise<UserRow | null> {
    return toUser(this.q(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`).get(email) as RawUser | undefined);
  }

  async byId(id: number): Promise<UserRow | null> {
    return toUser(this.q(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`).get(id) as RawUser | undefined);
  }

  async list(): Promise<UserRow[]> {
    return (this.q(`SELECT ${USER_COLUMNS} FROM users ORDER BY email`).all() as RawUser[]).map((r) => toUser(r)!);
  }

  /** Users by email, for showing names in histories. */
  async namesByEmail(emails: string[]): Promise<Map<string, string>> {
    if (!emails.length) return new Map();
    const rows = this.q(`SELECT email, name FROM users WHERE email IN (${marks(emails.length)})`).all(...emails) as { email: string; name: string }[];
    return new Map(rows.map((r) => [r.email, r.name]));
  }

  async vendorExists(id: string): Promise<boolean> {
    return this.q('SELECT 1 FROM vendors WHERE id = ?').get(id) !== undefined;
  }

  async projectExists(name: string): Promise<boolean> {
    return this.q('SELECT 1 FROM projects WHERE name = ?').get(name) !== undefined;
  }

  /** Ids of the named projects that exist (a gerente's scope). */
  async projectIds(names: string[]): Promise<number[]> {
    if (!names.length) return [];
    return (this.q(`SELECT id FROM projects WHERE name IN (${marks(names.length)})`).all(...names) as { id: number }[]).map((r) => r.id);
  }

  /** A live session (not revoked) with its user; expiry is the caller's rule. */
  async session(tokenHash: string): Promise<SessionRow | null> {
    return (this.q(`SELECT id, user_id AS userId, csrf, created_at AS createdAt, last_seen_at AS lastSeenAt, expires_at AS expiresAt
      FROM sessions WHERE token_hash = ? AND revoked_at IS NULL`).get(tokenHash) as SessionRow | undefined) ?? null;
  }

  async liveTokenByLabel(userId: number, label: string): Promise<{ id: number } | null> {
    return (this.q('SELECT id FROM api_tokens WHERE user_id = ? AND label = ? AND revoked_at IS NULL').get(userId, label) as { id: number } | undefined) ?? null;
  }

  /** The user a live token belongs to. */
  async tokenUser(tokenHash: string): Promise<{ tokenId: number; userId: number; lastUsedAt: number | null } | null> {
    return (this.q('SELECT id AS tokenId, user_id AS userId, last_used_at AS lastUsedAt FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL').get(tokenHash) as
      | { tokenId: number; userId: number; lastUsedAt: number | null }
      | undefined) ?? null;
  }

  async tokens(userId: number): Promise<{ label: string; createdAt: number; lastUsedAt: number | null; revokedAt: number | null }[]> {
    return this.q('SELECT label, created_at AS createdAt, last_used_at AS lastUsedAt, revoked_at AS revokedAt FROM api_tokens WHERE user_id = ? ORDER BY created_at').all(userId) as never;
  }

  async prefs(userId: number): Promise<{ prefs: Record<string, unknown>; lastVisitAt: number | null }> {
    const row = this.q('SELECT prefs, last_visit_at AS lastVisitAt FROM user_prefs WHERE user_id = ?').get(userId) as { prefs: string; lastVisitAt: number | null } | undefined;
    return row ? { prefs: JSON.parse(row.prefs) as Record<string, unknown>, lastVisitAt: row.lastVisitAt } : { prefs: {}, lastVisitAt: null };
  }

  /** Newest first, keyset on id. */
  /** Newest first; `from` (inclusive) and `to` (exclusive) bound the time, in ms. */
  async auditPage(f: { userId?: number; action?: string; from?: number; to?: number; beforeId?: number; limit: number; scope?: Scope }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.userId !== undefined) { where.push('a.user_id = ?'); params.push(f.userId); }
    if (f.action) { where.push('a.action = ?'); params.push(f.action); }
    if (f.from !== undefined) { where.push('a.at >= ?'); params.push(f.from); }
    if (f.to !== undefined) { where.push('a.at < ?'); params.push(f.to); }
    if (f.beforeId) { where.push('a.id < ?'); params.push(f.beforeId); }
    if (f.scope) {
      // Not an admin: what was done to leads and clients it may see, nothing else.
      const onLead = andScope(f.scope, params);
      const onClient = andScope(f.scope, params);
      where.push(`((a.object_type = 'lead' AND EXISTS (SELECT 1 FROM leads l WHERE l.id = CAST(a.object_id AS INTEGER)${onLead}))
        OR (a.object_type = 'client' AND EXISTS (SELECT 1 FROM leads l WHERE l.client_id = CAST(a.object_id AS INTEGER)${onClient})))`);
    }
    const rows = this.q(`SELECT a.id, a.at, a.actor, u.name AS actorName, a.action, a.object_type AS objectType, a.object_id AS objectId,
      a.address, a.data FROM audit a LEFT JOIN users u ON u.id = a.user_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY a.id DESC LIMIT ?`).all(...params, f.limit + 1) as { id: number; at: number; data: string }[];
    const more = rows.length > f.limit;
    if (more) rows.pop();
    return { rows: rows.map((r) => ({ ...r, data: JSON.parse(r.data) as unknown })), nextBefore: more ? rows[rows.length - 1].id : null };
  }
}
