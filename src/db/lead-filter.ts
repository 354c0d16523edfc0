/** Lead filters to SQL: the WHERE clause shared by the list, the stats, the exports and the scoped lookups. */
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

export interface Where { sql: string; params: unknown[]; /** Few rows match (leads still in time): sort them rather than walk an index. */ fewRows?: boolean }

import { inList, marks } from './sql-lists.ts';
export { inList, marks };

/**
 * Free text to a set of lead ids. Something that parses as an email, national ID or phone uses the
 * exact indexed column (and the client's, so a returning client's leads all come back); anything
 * else is a name: a range on the folded name index, plus a word-start match that scans only the
 * small covering index leads_search_name.
 */
export function searchSubquery(plan: SearchPlan, cap?: number): Where {
  const params: unknown[] = [];
  const parts: string[] = [];
  const exact = (col: 'email' | 'national_id' | 'phone', values: string[]) => {
    if (!values.length) return;
    parts.push(`SELECT id FROM leads WHERE ${inList(col, values, params)}`);
    parts.push(`SELECT l2.id FROM clients c JOIN leads l2 ON l2.client_id = c.id WHERE ${inList(`c.${col}`, values, params)}`);
  };
  if (plan.kind === 'exact') {
    exact('email', plan.email);
    exact('national_id', plan.nationalId);
    exact('phone', plan.phone);
  } else if (plan.kind === 'substrings') {
    // Substrings through the trigram index (migration 0010): every term must appear, in any order.
    parts.push(`SELECT id FROM (SELECT rowid AS id FROM leads_search WHERE leads_search MATCH ?${cap ? ' ORDER BY rowid DESC LIMIT ?' : ''})`);
    params.push(plan.terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND '));
    if (cap) params.push(cap);
  } else if (plan.kind === 'name-prefix') {
    parts.push('SELECT id FROM leads WHERE search_name >= ? AND search_name < ?');
    params.push(plan.key, `${plan.key}\uffff`);
    if (plan.wordStart) {
      parts.push('SELECT id FROM leads INDEXED BY leads_search_name WHERE search_name > \'\' AND instr(search_name, ?) > 0');
      params.push(` ${plan.key}`);
    }
  }
  if (!parts.length) return { sql: 'SELECT id FROM leads WHERE 0', params };
  return { sql: parts.join(' UNION '), params };
}

/** The caller's scope as a clause on leads `alias`: owner vendors and/or projects; an empty list sees nothing. */
export function scopeClause(scope: Scope | undefined, params: unknown[], alias = 'l'): string | null {
  if (!scope) return null;
  const parts: string[] = [];
  if (scope.vendorIds !== null) parts.push(scope.vendorIds.length ? inList(`${alias}.owner_vendor_id`, scope.vendorIds, params) : '0');
  if (scope.projectIds !== null) parts.push(scope.projectIds.length ? inList(`${alias}.project_id`, scope.projectIds, params) : '0');
  return parts.length ? parts.join(' AND ') : null;
}

/** scopeClause as a suffix to an existing WHERE: ` AND …`, or '' when the scope limits nothing. */
export function andScope(scope: Scope | undefined, params: unknown[], alias = 'l'): string {
  const s = scopeClause(scope, params, alias);
  return s ? ` AND ${s}` : '';
}

/** The WHERE clause shared by the list, the stats and the exports. */
export function buildWhere(f: LeadFilter, now: number, includeDiscarded: boolean): Where {
  let fewRows = false;
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (f.quality?.length) clauses.push(inList('l.quality', f.quality, params));
  if (f.contactState?.length) clauses.push(inList('l.contact_state', f.contactState, params));
  if (f.status?.length) {
    const states = new Set<string>();
    let future = false;
    let past = false;
    for (const s of f.status) {
      if (s === 'por_contactar') { states.add('por_contactar'); future = true; }
      else if (s === 'no_contactado') { states.add('por_contactar'); past = true; }
      else states.add(s);
    }
    let clause = inList('l.contact_state', [...states], params);
    if (future !== past) {
      // Overdue leads are most of them: '+' keeps SQLite on the arrival-ordered index (no sort of
      // a million rows); leads still in time are few, so leads_state_deadline finds them directly.
      const col = past ? '+l.deadline_at' : 'l.deadline_at';
      const cmp = past ? '<' : '>=';
      clause += states.size === 1 ? ` AND ${col} ${cmp} ?` : ` AND (l.contact_state <> 'por_contactar' OR ${col} ${cmp} ?)`;
      params.push(now);
      fewRows = future && states.size === 1;
    }
    clauses.push(`(${clause})`);
  }
  if (f.projectIds?.length) clauses.push(inList('l.project_id', f.projectIds, params));
  if (f.parsers?.length) {
    const named = f.parsers.filter((p): p is string => p !== null);
    const terms = named.length ? [inList('l.parser', named, params)] : [];
    if (named.length < f.parsers.length) terms.push('l.parser IS NULL');
    clauses.push(`(${terms.join(' OR ')})`);
  }
  if (f.medium?.length) clauses.push(inList('l.medium', f.medium, params));
  if (f.ownerVendorId !== undefined) { clauses.push('l.owner_vendor_id = ?'); params.push(f.ownerVendorId); }
  if (f.from !== undefined) { clauses.push('l.received_at >= ?'); params.push(f.from); }
  if (f.to !== undefined) { clauses.push('l.received_at < ?'); params.push(f.to); }
  if (f.q) {
    const sub = searchSubquery(f.q, f.searchCap);
    clauses.push(`l.id IN (${sub.sql})`);
    params.push(...sub.params);
  }
  if (!includeDiscarded && !wantsDiscarded(f)) clauses.push("l.contact_state <> 'descartado'");
  const scoped = scopeClause(f.scope, params);
  if (scoped) clauses.push(scoped);
  return { sql: clauses.length ? clauses.join(' AND ') : '1', params, fewRows };
}


/** A client is visible when one of its leads is, or (vendor scopes) when one of the caller's vendors owns it. */
export function clientVisibleSql(clientId: number, scope: Scope): { sql: string; params: unknown[] } {
  const params: unknown[] = [clientId];
  const scoped = scopeClause(scope, params);
  if (!scoped) return { sql: 'SELECT 1 FROM clients WHERE id = ?', params: [clientId] };
  let owner = '';
  if (scope.vendorIds !== null && scope.projectIds === null && scope.vendorIds.length) {
    owner = ` OR c.owner_vendor_id IN (${marks(scope.vendorIds.length)})`;
    params.push(...scope.vendorIds);
  }
  return { sql: `SELECT 1 FROM clients c WHERE c.id = ? AND (EXISTS (SELECT 1 FROM leads l WHERE l.client_id = c.id AND ${scoped})${owner})`, params };
}
