import type Database from 'better-sqlite3';
import type { Role } from './auth-schema.ts';
import { writeTransaction } from './write-path.ts';
import { marks } from './sql-lists.ts';

export interface UserRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  vendorId: string | null;
  team: string[];
  projects: string[];
  passwordHash: string;
  disabledAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface SessionRow {
  id: number;
  userId: number;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface AuditEntry {
  at: number;
  userId: number | null;
  actor: string;
  action: string;
  objectType?: string | null;
  objectId?: string | number | null;
  address?: string | null;
  data?: unknown;
}

type RawUser = Omit<UserRow, 'team' | 'projects'> & { team: string; projects: string };
const USER_COLUMNS = `id, email, name, role, vendor_id AS vendorId, team, projects, password_hash AS passwordHash,
  disabled_at AS disabledAt, created_at AS createdAt, updated_at AS updatedAt`;
const toUser = (r: RawUser | undefined): UserRow | null => (r ? { ...r, team: JSON.parse(r.team) as string[], projects: JSON.parse(r.projects) as string[] } : null);

/** Storage of users, sessions, API tokens and the audit trail. No rule lives here: see src/auth. */
export class UserStore {
  private statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private q(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** One write transaction through the connection's one write path (BEGIN IMMEDIATE, bounded waits). */
  write<T>(fn: () => T): T {
    return writeTransaction(this.db, fn);
  }

  insertUser(u: Omit<UserRow, 'id' | 'disabledAt' | 'updatedAt'>): number {
    const r = this.q(`INSERT INTO users (email, name, role, vendor_id, team, projects, password_hash, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(u.email, u.name, u.role, u.vendorId, JSON.stringify(u.team), JSON.stringify(u.projects), u.passwordHash, u.createdAt, u.createdAt);
    return Number(r.lastInsertRowid);
  }

  byEmail(email: string): UserRow | null {
    return toUser(this.q(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`).get(email) as RawUser | undefined);
  }

  byId(id: number): UserRow | null {
    return toUser(this.q(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`).get(id) as RawUser | undefined);
  }

  list(): UserRow[] {
    return (this.q(`SELECT ${USER_COLUMNS} FROM users ORDER BY email`).all() as RawUser[]).map((r) => toUser(r)!);
  }

  /** Users by email, for showing names in histories. */
  namesByEmail(emails: string[]): Map<string, string> {
    if (!emails.length) return new Map();
    const rows = this.q(`SELECT email, name FROM users WHERE email IN (${marks(emails.length)})`).all(...emails) as { email: string; name: string }[];
    return new Map(rows.map((r) => [r.email, r.name]));
  }

  setDisabled(id: number, at: number | null, now: number): void {
    this.q('UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?').run(at, now, id);
  }

  setPassword(id: number, hash: string, now: number): void {
    this.q('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?').run(hash, now, id);
  }

  vendorExists(id: string): boolean {
    return this.q('SELECT 1 FROM vendors WHERE id = ?').get(id) !== undefined;
  }

  projectExists(name: string): boolean {
    return this.q('SELECT 1 FROM projects WHERE name = ?').get(name) !== undefined;
  }

  /** Ids of the named projects that exist (a gerente's scope). */
  projectIds(names: string[]): number[] {
    if (!names.length) return [];
    return (this.q(`SELECT id FROM projects WHERE name IN (${marks(names.length)})`).all(...names) as { id: number }[]).map((r) => r.id);
  }

  insertSession(s: { tokenHash: string; userId: number; csrf: string; now: number; expiresAt: number; address: string | null }): number {
    const r = this.q('INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen_at, expires_at, address) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(s.tokenHash, s.userId, s.csrf, s.now, s.now, s.expiresAt, s.address);
    return Number(r.lastInsertRowid);
  }

  /** A live session (not revoked) with its user; expiry is the caller's rule. */
  session(tokenHash: string): SessionRow | null {
    return (this.q(`SELECT id, user_id AS userId, csrf, created_at AS createdAt, last_seen_at AS lastSeenAt, expires_at AS expiresAt
      FROM sessions WHERE token_hash = ? AND revoked_at IS NULL`).get(tokenHash) as SessionRow | undefined) ?? null;
  }

  touchSession(id: number, now: number): void {
    this.q('UPDATE sessions SET last_seen_at = ? WHERE id = ?').run(now, id);
  }

  revokeSession(id: number, now: number): void {
    this.q('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id);
  }

  revokeUserSessions(userId: number, now: number): number {
    return this.q('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(now, userId).changes;
  }

  /** Drops sessions long past use so the table stays small. */
  pruneSessions(before: number): number {
    return this.q('DELETE FROM sessions WHERE expires_at < ? OR (revoked_at IS NOT NULL AND revoked_at < ?)').run(before, before).changes;
  }

  insertToken(t: { userId: number; label: string; tokenHash: string; now: number }): void {
    this.q('INSERT INTO api_tokens (user_id, label, token_hash, created_at) VALUES (?, ?, ?, ?)').run(t.userId, t.label, t.tokenHash, t.now);
  }

  liveTokenByLabel(userId: number, label: string): { id: number } | null {
    return (this.q('SELECT id FROM api_tokens WHERE user_id = ? AND label = ? AND revoked_at IS NULL').get(userId, label) as { id: number } | undefined) ?? null;
  }

  /** The user a live token belongs to. */
  tokenUser(tokenHash: string): { tokenId: number; userId: number; lastUsedAt: number | null } | null {
    return (this.q('SELECT id AS tokenId, user_id AS userId, last_used_at AS lastUsedAt FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL').get(tokenHash) as
      | { tokenId: number; userId: number; lastUsedAt: number | null }
      | undefined) ?? null;
  }

  touchToken(id: number, now: number): void {
    this.q('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, id);
  }

  tokens(userId: number): { label: string; createdAt: number; lastUsedAt: number | null; revokedAt: number | null }[] {
    return this.q('SELECT label, created_at AS createdAt, last_used_at AS lastUsedAt, revoked_at AS revokedAt FROM api_tokens WHERE user_id = ? ORDER BY created_at').all(userId) as never;
  }

  revokeToken(userId: number, label: string, now: number): number {
    return this.q('UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND label = ? AND revoked_at IS NULL').run(now, userId, label).changes;
  }

  prefs(userId: number): { prefs: Record<string, unknown>; lastVisitAt: number | null } {
    const row = this.q('SELECT prefs, last_visit_at AS lastVisitAt FROM user_prefs WHERE user_id = ?').get(userId) as { prefs: string; lastVisitAt: number | null } | undefined;
    return row ? { prefs: JSON.parse(row.prefs) as Record<string, unknown>, lastVisitAt: row.lastVisitAt } : { prefs: {}, lastVisitAt: null };
  }

  setPrefs(userId: number, prefs: Record<string, unknown>, now: number): void {
    this.q(`INSERT INTO user_prefs (user_id, prefs, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (user_id) DO UPDATE SET prefs = excluded.prefs, updated_at = excluded.updated_at`).run(userId, JSON.stringify(prefs), now);
  }

  /** Records a visit; returns the previous one ("new since your last visit"). */
  visit(userId: number, now: number): number | null {
    const before = this.prefs(userId).lastVisitAt;
    this.q(`INSERT INTO user_prefs (user_id, last_visit_at, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (user_id) DO UPDATE SET last_visit_at = excluded.last_visit_at`).run(userId, now, now);
    return before;
  }

  audit(e: AuditEntry): void {
    this.q('INSERT INTO audit (at, user_id, actor, action, object_type, object_id, address, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.at, e.userId, e.actor, e.action, e.objectType ?? null, e.objectId === undefined || e.objectId === null ? null : String(e.objectId), e.address ?? null, JSON.stringify(e.data ?? {}));
  }

  /** Newest first, keyset on id. */
  auditPage(f: { userId?: number; action?: string; beforeId?: number; limit: number }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.userId !== undefined) { where.push('a.user_id = ?'); params.push(f.userId); }
    if (f.action) { where.push('a.action = ?'); params.push(f.action); }
    if (f.beforeId) { where.push('a.id < ?'); params.push(f.beforeId); }
    const rows = this.q(`SELECT a.id, a.at, a.actor, u.name AS actorName, a.action, a.object_type AS objectType, a.object_id AS objectId,
      a.address, a.data FROM audit a LEFT JOIN users u ON u.id = a.user_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY a.id DESC LIMIT ?`).all(...params, f.limit + 1) as { id: number; at: number; data: string }[];
    const more = rows.length > f.limit;
    if (more) rows.pop();
    return { rows: rows.map((r) => ({ ...r, data: JSON.parse(r.data) as unknown })), nextBefore: more ? rows[rows.length - 1].id : null };
  }
}
