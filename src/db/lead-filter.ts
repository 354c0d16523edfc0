/** Lead filters: what the list, the stats and the exports may ask for, and the rows they answer (each adapter writes its own SQL: sqlite/lead-where.ts, postgres/lead-filter.ts). */
import type { Scope } from './scope.ts';

import { CONTACT_STATES, LEAD_STATUSES, MEDIUMS, QUALITIES, type ContactState, type LeadStatus, type Medium, type Quality } from '../vocabulary.ts';
import { leadStatus } from '../vocabulary.ts';

// The list's words come from the one vocabulary; re-exported for the HTTP layer's filters.
export { CONTACT_STATES, MEDIUMS, QUALITIES, type ContactState, type Medium, type Quality };
export const STATUSES = LEAD_STATUSES;
export type Status = LeadStatus;
/** Filter and report key for leads no portal parser claimed (parser ids cannot contain '_'). */
export const NO_PARSER = '_generic';
/** A client's changes of owner, as SQL literals: a lead's history shows them beside its own actions. */
export const OWNER_CHANGES = "'assign', 'reassign', 'retire-move', 'manual-reassign'";
/** The statuses of a raw email whose outcome is recorded, as an SQL list: a failure never overwrites them, purge takes only their bodies. */
export const RECORDED_STATUSES = "('lead', 'ignored', 'case')";

/** A free-text search as src/leads/search.ts reads it: the storage only runs it. */
export type SearchPlan =
  | { kind: 'exact'; email: string[]; nationalId: string[]; phone: string[] }
  | { kind: 'substrings'; terms: string[] }
  | { kind: 'name-prefix'; key: string; wordStart: boolean }
  | { kind: 'none' };

export interface LeadFilter {
  quality?: Quality[];
  contactState?: ContactState[];
  status?: Status[];
  projectIds?: number[];
  parsers?: (string | null)[];
  medium?: Medium[];
  /** Arrival, inclusive start and exclusive end, epoch ms. */
  from?: number;
  to?: number;
  /** Free-text search (name, national ID, phone, email), planned by src/leads/search.ts. */
  q?: SearchPlan;
  /** The vendor who owns the lead (leads.owner_vendor_id). */
  ownerVendorId?: string;
  /** What the caller may see (src/auth/scope.ts): always applied in SQL. */
  scope?: Scope;
  /**
   * The screen's list only: a substring search looks at its newest `searchCap` matches (by lead
   * id), so a surname one lead in eight carries answers as fast as a rare one. Counts and exports
   * are never capped. SQLite only: PostgreSQL's planner bounds the work by the page's LIMIT itself.
   */
  searchCap?: number;
}

export interface Cursor { receivedAt: number; id: number }

export interface LeadRow {
  id: number; quality: Quality; contactState: ContactState; deadlineAt: number;
  name: string | null; nationalId: string | null; email: string | null; phone: string | null;
  project: string | null; projectText: string | null; message: string | null;
  parser: string | null; medium: Medium; receivedAt: number; followUpAt: number | null;
  lastContactAt: number | null; clientId: number | null; problems: string;
  owner: string | null; contactType: string | null;
  /** The last thing a person did on the lead (edit, contact, abort, discard): "última interacción". */
  lastActionAt: number | null;
}

/** The managers' status (the rule lives in src/leads/status.ts). */
export const statusOf = leadStatus;

/** Does the filter ask for discarded leads? Otherwise they are left out (they leave the reports). */
export function wantsDiscarded(f: LeadFilter): boolean {
  return Boolean(f.contactState?.includes('descartado') || f.status?.includes('descartado'));
}

export { DAY_MS } from '../vocabulary.ts';

/**
 * The derived status in SQL, written once for both adapters (the rule of vocabulary.ts
 * overdueStatus): a row of `alias` still por_contactar past its deadline counts as no_contactado.
 * `at` is the placeholder of now (`?` or `$n`).
 */
export const overdueSql = (alias: string, at: string) => `(${alias}.contact_state = 'por_contactar' AND ${alias}.deadline_at < ${at})`;
/** Still por_contactar and in time (the complement of overdueSql among por_contactar rows). */
export const inTimeSql = (alias: string, at: string) => `(${alias}.contact_state = 'por_contactar' AND ${alias}.deadline_at >= ${at})`;

/**
 * The contact states a status filter reads, and which side of the deadline por_contactar must be
 * on: `in_time` (por_contactar alone), `overdue` (no_contactado alone), null (both, or neither).
 */
export function statusStates(statuses: readonly Status[]): { states: string[]; deadline: 'in_time' | 'overdue' | null } {
  const states = new Set<string>();
  let future = false;
  let past = false;
  for (const s of statuses) {
    if (s === 'por_contactar') { states.add('por_contactar'); future = true; }
    else if (s === 'no_contactado') { states.add('por_contactar'); past = true; }
    else states.add(s);
  }
  return { states: [...states], deadline: future === past ? null : past ? 'overdue' : 'in_time' };
}

