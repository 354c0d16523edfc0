import { randomBytes } from 'node:crypto';
import { ROLES, type Role } from '../db/auth-schema.ts';
import { io, type Storage } from '../db/port.ts';
import { assertStrongPassword, decoyHash, hashPassword, verifyPassword } from './passwords.ts';
import { caseScopeFor, scopeFor, type Caller } from './scope.ts';
import { API_TOKEN_PREFIX, hashSecret, newSecret } from './tokens.ts';
import type { UserRow, UserReads } from '../db/people-reads.ts';

/** A refused account operation; `code` in the app's dotted convention, message in Spanish. */
export class AccountError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}

export interface SessionPolicy {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, used or not. */
  absoluteMs: number;
}

export const DEFAULT_SESSIONS: SessionPolicy = { idleMs: 12 * 3_600_000, absoluteMs: 7 * 86_400_000 };
/** Last-use times are written at most this often (not on every request). */
const TOUCH_EVERY_MS = 60_000;
const EMAIL = /^[^\s@<>()",;:]{1,64}@[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+$/;

export interface NewUser {
  email: string;
  role: string;
  name?: string;
  vendorId?: string;
  team?: string[];
  projects?: string[];
  password: string;
}

export interface Actor {
  userId: number | null;
  actor: string;
  address?: string | null;
}

export const publicUser = (u: UserRow) => ({
  id: u.id, email: u.email, name: u.name, role: u.role, vendorId: u.vendorId, team: u.team, projects: u.projects, disabled: u.disabledAt !== null,
});

/** Users, their sign-in, sessions and personal tokens; every change is written to the audit trail. */
export class Accounts {
  constructor(
    /** Reads (users, sessions, tokens); every write goes through `storage`'s units of work. */
    readonly store: UserReads,
    private readonly storage: Storage,
    private readonly sessions: SessionPolicy = DEFAULT_SESSIONS,
  ) {}

  private async mustGet(email: string): Promise<UserRow> {
    const u = await this.store.byEmail(email.trim().toLowerCase());
    if (!u) throw new AccountError('user.not_found', `no existe un usuario con el email ${email}`);
    return u;
  }

  async add(input: NewUser, by: Actor, now = Date.now()): Promise<UserRow> {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw new AccountError('user.invalid_email', `"${input.email}" no es un email válido`);
    if (!(ROLES as readonly string[]).includes(input.role)) throw new AccountError('user.invalid_role', `rol desconocido "${input.role}": usa ${ROLES.join(', ')}`);
    const role = input.role as Role;
    const team = [...new Set(input.team ?? [])];
    const projects = [...new Set(input.projects ?? [])];
    if (role === 'vendedor' && !input.vendorId) throw new AccountError('user.vendor_required', 'el rol vendedor necesita --vendor ID (un vendedor de la configuración)');
    if (role !== 'vendedor' && input.vendorId) throw new AccountError('user.vendor_not_allowed', '--vendor solo corresponde al rol vendedor');
    if (role === 'supervisor' && !team.length) throw new AccountError('user.team_required', 'el rol supervisor necesita --team ID,ID (los vendedores a su cargo)');
    if (role !== 'supervisor' && team.length) throw new AccountError('user.team_not_allowed', '--team solo corresponde al rol supervisor');
    if (role !== 'gerente' && projects.length) throw new AccountError('user.projects_not_allowed', '--projects solo corresponde al rol gerente');
    for (const v of [input.vendorId, ...team].filter((x): x is string => Boolean(x))) {
      if (!(await this.store.vendorExists(v))) throw new AccountError('user.unknown_vendor', `vendedor desconocido "${v}": no está en la configuración (revisa vendors o projects[].vendors, y que el daemon o "config apply" la haya aplicado)`);
    }
    for (const p of projects) if (!(await this.store.projectExists(p))) throw new AccountError('user.unknown_project', `proyecto desconocido "${p}"`);
    this.checkPassword(input.password, email);
    if (await this.store.byEmail(email)) throw new AccountError('user.exists', `ya existe un usuario con el email ${email}`);
    const passwordHash = await hashPassword(input.password);
    const name = input.name?.trim() || email.split('@')[0];
    const id = await this.storage.unitOfWork(function* (tx) {
      const newId = yield* io(tx.insertUser({ email, name, role, vendorId: input.vendorId ?? null, team, projects, passwordHash, createdAt: now }));
      yield* io(tx.audit({ at: now, userId: by.userId, actor: by.actor, action: 'user.add', objectType: 'user', objectId: newId, address: by.address, data: { email, role, vendorId: input.vendorId ?? null, team, projects } }));
      return newId;
    });
    return (await this.store.byId(id))!;
  }

  private checkPassword(password: string, email: string): void {
    try {
      assertStrongPassword(password, email);
    } catch (e) {
      throw new AccountError('user.weak_password', (e as Error).message);
    }
  }

  list(): Promise<UserRow[]> {
    return this.store.list();
  }

  /** Disabling ends every session and token use at once; the user's history stays. */
  async setDisabled(email: string, disabled: boolean, by: Actor, now = Date.now()): Promise<UserRow> {
    const u = await this.mustGet(email);
    await this.storage.unitOfWork(function* (tx) {
      yield* io(tx.setUserDisabled(u.id, disabled ? now : null, now));
      if (disabled) yield* io(tx.revokeUserSessions(u.id, now));
      yield* io(tx.audit({ at: now, userId: by.userId, actor: by.actor, action: disabled ? 'user.disable' : 'user.enable', objectType: 'user', objectId: u.id, address: by.address }));
    });
    return (await this.store.byId(u.id))!;
  }

  /** A new password ends every open session of the user. */
  async setPassword(email: string, password: string, by: Actor, now = Date.now()): Promise<void> {
    const u = await this.mustGet(email);
    this.checkPassword(password, u.email);
    const hash = await hashPassword(password);
    await this.storage.unitOfWork(function* (tx) {
      yield* io(tx.setUserPassword(u.id, hash, now));
      yield* io(tx.revokeUserSessions(u.id, now));
      yield* io(tx.audit({ at: now, userId: by.userId, actor: by.actor, action: 'user.password', objectType: 'user', objectId: u.id, address: by.address }));
    });
  }

  /** A new personal API token, returned once; only its hash is kept. */
  async createToken(email: string, label: string, by: Actor, now = Date.now()): Promise<string> {
    const u = await this.mustGet(email);
    const clean = label.trim();
    if (!clean || clean.length > 100) throw new AccountError('token.invalid_label', 'la etiqueta del token debe tener entre 1 y 100 caracteres');
    if (await this.store.liveTokenByLabel(u.id, clean)) throw new AccountError('token.exists', `${u.email} ya tiene un token "${clean}": revócalo primero`);
    const token = newSecret(API_TOKEN_PREFIX);
    await this.storage.unitOfWork(function* (tx) {
      yield* io(tx.insertToken({ userId: u.id, label: clean, tokenHash: hashSecret(token), now }));
      yield* io(tx.audit({ at: now, userId: by.userId, actor: by.actor, action: 'token.create', objectType: 'user', objectId: u.id, address: by.address, data: { label: clean } }));
    });
    return token;
  }

  async tokens(email: string) {
    return this.store.tokens((await this.mustGet(email)).id);
  }

  async revokeToken(email: string, label: string, by: Actor, now = Date.now()): Promise<void> {
    const u = await this.mustGet(email);
    await this.storage.unitOfWork(function* (tx) {
      if (!(yield* io(tx.revokeToken(u.id, label, now)))) throw new AccountError('token.not_found', `${u.email} no tiene un token activo "${label}"`);
      yield* io(tx.audit({ at: now, userId: by.userId, actor: by.actor, action: 'token.revoke', objectType: 'user', objectId: u.id, address: by.address, data: { label } }));
    });
  }

  /**
   * Checks email and password; unknown emails cost the same as wrong passwords. Returns the new
   * session's secret (for the cookie) and CSRF token, or null. The attempt is audited either way.
   */
  async signIn(emailInput: string, password: string, address: string | null, now = Date.now()): Promise<{ token: string; csrf: string; user: UserRow } | null> {
    const email = emailInput.trim().toLowerCase();
    const user = await this.store.byEmail(email);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    if (!user || !ok || user.disabledAt !== null) {
      const reason = !user ? 'unknown_user' : user.disabledAt !== null ? 'disabled' : 'wrong_password';
      await this.storage.unitOfWork((tx) => io(tx.audit({ at: now, userId: user?.id ?? null, actor: email.slice(0, 254) || '(vacío)', action: 'session.failed', objectType: 'user', objectId: user?.id ?? null, address, data: { reason } })));
      return null;
    }
    const token = newSecret();
    const csrf = randomBytes(24).toString('base64url');
    const expiresAt = now + this.sessions.absoluteMs;
    await this.storage.unitOfWork(function* (tx) {
      yield* io(tx.insertSession({ tokenHash: hashSecret(token), userId: user.id, csrf, now, expiresAt, address }));
      yield* io(tx.audit({ at: now, userId: user.id, actor: user.email, action: 'session.create', objectType: 'user', objectId: user.id, address }));
      yield* io(tx.pruneSessions(now - 30 * 86_400_000));
    });
    return { token, csrf, user };
  }

  async signOut(caller: Caller, address: string | null, now = Date.now()): Promise<void> {
    const sessionId = caller.sessionId;
    if (sessionId === undefined) return;
    await this.storage.unitOfWork(function* (tx) {
      yield* io(tx.revokeSession(sessionId, now));
      yield* io(tx.audit({ at: now, userId: caller.userId, actor: caller.actor, action: 'session.delete', objectType: 'user', objectId: caller.userId, address }));
    });
  }

  private async caller(u: UserRow, via: Caller['via'], extra: Partial<Caller> = {}): Promise<Caller> {
    const projectIds = u.role === 'gerente' && u.projects.length ? await this.store.projectIds(u.projects) : [];
    const scope = scopeFor(u.role, u, () => projectIds);
    const caseScope = caseScopeFor(u.role, u, () => projectIds);
    return { userId: u.id, email: u.email, name: u.name, role: u.role, vendorId: u.vendorId, actor: u.email, scope, caseScope, via, ...extra };
  }

  /** The person behind a session cookie's secret, or null when it is unknown, expired, revoked or disabled. */
  async fromSession(secret: string, now = Date.now()): Promise<Caller | null> {
    const s = await this.store.session(hashSecret(secret));
    if (!s || s.expiresAt <= now || s.lastSeenAt + this.sessions.idleMs <= now) return null;
    const u = await this.store.byId(s.userId);
    if (!u || u.disabledAt !== null) return null;
    if (now - s.lastSeenAt > TOUCH_EVERY_MS) await this.storage.unitOfWork((tx) => io(tx.touchSession(s.id, now)));
    return this.caller(u, 'session', { sessionId: s.id, csrf: s.csrf });
  }

  /** The person behind a personal API token, or null. */
  async fromToken(secret: string, now = Date.now()): Promise<Caller | null> {
    if (!secret.startsWith(API_TOKEN_PREFIX)) return null;
    const t = await this.store.tokenUser(hashSecret(secret));
    if (!t) return null;
    const u = await this.store.byId(t.userId);
    if (!u || u.disabledAt !== null) return null;
    if (t.lastUsedAt === null || now - t.lastUsedAt > TOUCH_EVERY_MS) await this.storage.unitOfWork((tx) => io(tx.touchToken(t.tokenId, now)));
    return this.caller(u, 'token');
  }
}
