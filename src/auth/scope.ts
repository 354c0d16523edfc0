import type { Role } from '../db/auth-schema.ts';

import { FULL_SCOPE, type Scope } from '../db/scope.ts';

// The scope itself is the storage's filter (db/scope.ts); who gets which is decided here.
export { FULL_SCOPE, isLimited, type Scope } from '../db/scope.ts';

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
  /** What the person sees of post-sale cases (by the case's project and its client's owner vendor). */
  caseScope: Scope;
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
    case 'atencion':
    case 'atencion_supervisor':
      // Customer service sees cases, never leads: an empty vendor list matches no lead in SQL.
      return NO_LEADS;
  }
}

const NO_LEADS: Scope = { vendorIds: [], projectIds: null };

/**
 * Post-sale cases: customer service and admins see every case, a gerente their projects' cases,
 * a supervisor and a vendedor the cases of the clients their team / they own (read-only: the
 * route table keeps their writes out).
 */
export function caseScopeFor(role: Role, user: { vendorId: string | null; team: string[]; projects: string[] }, projectIds: (names: string[]) => number[]): Scope {
  if (role === 'atencion' || role === 'atencion_supervisor') return FULL_SCOPE;
  return scopeFor(role, user, projectIds);
}


/** May the caller see this vendor (their pending list, their name in a filter)? */
export function seesVendor(s: Scope, vendorId: string): boolean {
  return s.vendorIds === null || s.vendorIds.includes(vendorId);
}
