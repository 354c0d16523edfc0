import type Database from 'better-sqlite3';
import { preparedCache, type Prepared } from './prepared.ts';
import type { AuditEntry, UserRow } from '../people-reads.ts';

/**
 * The SQLite statements that write users, sessions, API tokens, preferences and the audit trail.
 * Only the Store calls them, inside a unit of work (the port's people writes), so a person's
 * change and its audit entry commit together.
 */
export class PeopleWrites {
  private readonly q: Prepared;

  constructor(db: Database.Database) {
    this.q = preparedCache(db);
  }

  insertUser(u: Omit<UserRow, 'id' | 'disabledAt' | 'updatedAt'>): number {
    const r = this.q(`INSERT INTO users (email, name, role, vendor_id, team, projects, password_hash, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(u.email, u.name, u.role, u.vendorId, JSON.stringify(u.team), JSON.stringify(u.projects), u.passwordHash, u.createdAt, u.createdAt);
    return Number(r.lastInsertRowid);
  }

  setUserDisabled(id: number, at: number | null, now: number): void {
    this.q('UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?').run(at, now, id);
  }

  setUserPassword(id: number, hash: string, now: number): void {
    this.q('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?').run(hash, now, id);
  }

  insertSession(s: { tokenHash: string; userId: number; csrf: string; now: number; expiresAt: number; address: string | null }): number {
    const r = this.q('INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen_at, expires_at, address) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(s.tokenHash, s.userId, s.csrf, s.now, s.now, s.expiresAt, s.address);
    return Number(r.lastInsertRowid);
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

  touchToken(id: number, now: number): void {
    this.q('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, id);
  }

  revokeToken(userId: number, label: string, now: number): number {
    return this.q('UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND label = ? AND revoked_at IS NULL').run(now, userId, label).changes;
  }

  setPrefs(userId: number, prefs: Record<string, unknown>, now: number): void {
    this.q(`INSERT INTO user_prefs (user_id, prefs, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (user_id) DO UPDATE SET prefs = excluded.prefs, updated_at = excluded.updated_at`).run(userId, JSON.stringify(prefs), now);
  }

  /** Records a visit; returns the previous one ("new since your last visit"). */
  recordVisit(userId: number, now: number): number | null {
    const before = (this.q('SELECT last_visit_at AS at FROM user_prefs WHERE user_id = ?').get(userId) as { at: number | null } | undefined)?.at ?? null;
    this.q(`INSERT INTO user_prefs (user_id, last_visit_at, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (user_id) DO UPDATE SET last_visit_at = excluded.last_visit_at`).run(userId, now, now);
    return before;
  }

  audit(e: AuditEntry): void {
    this.q('INSERT INTO audit (at, user_id, actor, action, object_type, object_id, address, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.at, e.userId, e.actor, e.action, e.objectType ?? null, e.objectId === undefined || e.objectId === null ? null : String(e.objectId), e.address ?? null, JSON.stringify(e.data ?? {}));
  }
}
