import type { Scope } from '../scope.ts';
import { statusStates, wantsDiscarded, type LeadFilter, type SearchPlan } from '../lead-filter.ts';
import { inList, marks } from '../sql-lists.ts';

// The lead filter as SQLite SQL: the WHERE of the list, the stats and the exports, the search
// subquery and the caller's scope (PostgreSQL's twin: postgres/lead-filter.ts).

export interface Where { sql: string; params: unknown[]; /** Few rows match (leads still in time): sort them rather than walk an index. */ fewRows?: boolean }


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

/** A follow-up `f` is seen with its lead: ` AND EXISTS (…)` for a limited scope, '' otherwise (one without a lead only unlimited). */
export function andFollowUpScope(scope: Scope | undefined, params: unknown[]): string {
  const s = scopeClause(scope, params);
  return s ? ` AND EXISTS (SELECT 1 FROM leads l WHERE l.id = f.lead_id AND ${s})` : '';
}

/** The WHERE clause shared by the list, the stats and the exports. */
export function buildWhere(f: LeadFilter, now: number, includeDiscarded: boolean): Where {
  let fewRows = false;
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (f.quality?.length) clauses.push(inList('l.quality', f.quality, params));
  if (f.contactState?.length) clauses.push(inList('l.contact_state', f.contactState, params));
  if (f.status?.length) {
    const { states, deadline } = statusStates(f.status);
    let clause = inList('l.contact_state', states, params);
    if (deadline) {
      // Overdue leads are most of them: '+' keeps SQLite on the arrival-ordered index (no sort of
      // a million rows); leads still in time are few, so leads_state_deadline finds them directly.
      const col = deadline === 'overdue' ? '+l.deadline_at' : 'l.deadline_at';
      const cmp = deadline === 'overdue' ? '<' : '>=';
      clause += states.length === 1 ? ` AND ${col} ${cmp} ?` : ` AND (l.contact_state <> 'por_contactar' OR ${col} ${cmp} ?)`;
      params.push(now);
      fewRows = deadline === 'in_time' && states.length === 1;
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

/**
 * The client wholly in `scope`: every lead of it (one with no project or owner is outside a
 * limited scope) and, for vendor scopes, its owner. What a scoped manager may reassign or merge.
 * Null when the scope limits nothing.
 */
export function clientWithinSql(clientId: number, scope: Scope): { sql: string; params: unknown[] } | null {
  const params: unknown[] = [clientId];
  const scoped = scopeClause(scope, params);
  if (!scoped) return null;
  let owner = '';
  if (scope.vendorIds !== null) owner = scope.vendorIds.length ? ` AND (c.owner_vendor_id IS NULL OR ${inList('c.owner_vendor_id', scope.vendorIds, params)})` : ' AND c.owner_vendor_id IS NULL';
  return { sql: `SELECT 1 FROM clients c WHERE c.id = ? AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.client_id = c.id AND NOT coalesce((${scoped}), 0))${owner}`, params };
}

/** The interaction stored under `key`, if its owner and project are in `scope`. */
export function interactionInScopeSql(key: string, scope: Scope): { sql: string; params: unknown[] } {
  const params: unknown[] = [key];
  return { sql: `SELECT 1 FROM interactions i WHERE i.key = ?${andScope(scope, params, 'i')}`, params };
}
