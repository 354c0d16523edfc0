import type { Role } from '../db/auth-schema.ts';

/**
 * What a person may see, as the storage filters it in SQL: null lists mean "no limit".
 * vendedor: the leads and clients their vendor owns; supervisor: their team's; gerente: their
 * projects' (or everything); admin and the config's token: everything.
 */
export interface Scope {
  vendorIds: string[] | null;
  projectIds: number[] | null;
}

export const FULL_SCOPE: Scope = { vendorIds: null, projectIds: null };

export interface Caller {
  /** null for the config's admin token. */
  userId: number | null;
  email: string | null;
  name: string;
  role: Role;
  vendorId: string | null;
  /** Recorded with every action: the person's email, or `token:admin`. */
  actor: string;
  scope: Scope;
  via: 'session' | 'token' | 'admin-token';
  /** Session callers: the id to revoke on logout and the CSRF token writes must carry. */
  sessionId?: number;
  csrf?: string;
}

export function scopeFor(role: Role, user: { vendorId: string | null; team: string[]; projects: string[] }, projectIds: (names: string[]) => number[]): Scope {
  switch (role) {
    case 'admin':
      return FULL_SCOPE;
    case 'gerente':
      return user.projects.length ? { vendorIds: null, projectIds: projectIds(user.projects) } : FULL_SCOPE;
    case 'supervisor':
      return { vendorIds: [...user.team], projectIds: null };
    case 'vendedor':
      return { vendorIds: user.vendorId ? [user.vendorId] : [], projectIds: null };
  }
}

export const isLimited = (s: Scope) => s.vendorIds !== null || s.projectIds !== null;

/** May the caller see this vendor (their pending list, their name in a filter)? */
export function seesVendor(s: Scope, vendorId: string): boolean {
  return s.vendorIds === null || s.vendorIds.includes(vendorId);
}
