/**
 * The WHERE builder of src/db/lead-filter.ts for PostgreSQL: the same clauses, with `$n`
 * placeholders numbered into the caller's params, `= any($n)` lists, and the substring search
 * through the trigram index on lead_search_doc(...) (drizzle-pg/0001) instead of FTS5.
 */
import { statusStates, wantsDiscarded, type SearchPlan, type LeadFilter } from '../lead-filter.ts';
import type { Scope } from '../scope.ts';

export interface PgWhere { sql: string; params: unknown[]; fewRows?: boolean }

/** `$n` for a value pushed onto params. */
export const bind = (params: unknown[], value: unknown): string => `$${params.push(value)}`;

/** `col = $n` or `col = any($n)`: one statement text whatever the list's length. */
export function anyOf(col: string, values: readonly unknown[], params: unknown[]): string {
  return values.length === 1 ? `${col} = ${bind(params, values[0])}` : `${col} = any(${bind(params, [...values])})`;
}

/** A LIKE pattern matching `term` anywhere: %, _ and \ taken literally. */
const contains = (term: string) => `%${term.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * FTS5 trigram phrases "t1" AND "t2" are case-insensitive substrings: ILIKE '%t%' on the indexed
 * search document (the index's own expression, or the index is not used).
 */
function substringMatch(terms: string[], params: unknown[], alias: string): string {
  const doc = `lead_search_doc(${alias}.search_name, ${alias}.email, ${alias}.phone, ${alias}.national_id)`;
  return terms.map((t) => `${doc} ILIKE ${bind(params, contains(t))}`).join(' AND ');
}

/** searchSubquery of lead-filter.ts: the same search plan (src/leads/search.ts) to a set of lead ids. */
export function pgSearchSubquery(plan: SearchPlan, params: unknown[], cap?: number): string {
  const parts: string[] = [];
  const exact = (col: 'email' | 'national_id' | 'phone', values: string[]) => {
    if (!values.length) return;
    parts.push(`SELECT id FROM leads WHERE ${anyOf(col, values, params)}`);
    parts.push(`SELECT l2.id FROM clients c JOIN leads l2 ON l2.client_id = c.id WHERE ${anyOf(`c.${col}`, values, params)}`);
  };
  if (plan.kind === 'exact') {
    exact('email', plan.email);
    exact('national_id', plan.nationalId);
    exact('phone', plan.phone);
  } else if (plan.kind === 'substrings') {
    const match = substringMatch(plan.terms, params, 'leads');
    parts.push(cap ? `SELECT id FROM (SELECT id FROM leads WHERE ${match} ORDER BY id DESC LIMIT ${bind(params, cap)}) capped` : `SELECT id FROM leads WHERE ${match}`);
  } else if (plan.kind === 'name-prefix') {
    // SQLite compares bytes (BINARY); COLLATE "C" keeps the prefix range the same here.
    parts.push(`SELECT id FROM leads WHERE search_name COLLATE "C" >= ${bind(params, plan.key)} AND search_name COLLATE "C" < ${bind(params, `${plan.key}\uffff`)}`);
    if (plan.wordStart) parts.push(`SELECT id FROM leads WHERE search_name > '' AND strpos(search_name, ${bind(params, ` ${plan.key}`)}) > 0`);
  }
  return parts.length ? parts.join(' UNION ') : 'SELECT id FROM leads WHERE false';
}

/** scopeClause of lead-filter.ts: owner vendors and/or projects on leads `alias`; an empty list sees nothing. */
export function pgScopeClause(scope: Scope | undefined, params: unknown[], alias = 'l'): string | null {
  if (!scope) return null;
  const parts: string[] = [];
  if (scope.vendorIds !== null) parts.push(scope.vendorIds.length ? anyOf(`${alias}.owner_vendor_id`, scope.vendorIds, params) : 'false');
  if (scope.projectIds !== null) parts.push(scope.projectIds.length ? anyOf(`${alias}.project_id`, scope.projectIds, params) : 'false');
  return parts.length ? parts.join(' AND ') : null;
}

/** andFollowUpScope of lead-where.ts. */
export function pgAndFollowUpScope(scope: Scope | undefined, params: unknown[]): string {
  const s = pgScopeClause(scope, params);
  return s ? ` AND EXISTS (SELECT 1 FROM leads l WHERE l.id = f.lead_id AND ${s})` : '';
}

export function pgAndScope(scope: Scope | undefined, params: unknown[], alias = 'l'): string {
  const s = pgScopeClause(scope, params, alias);
  return s ? ` AND ${s}` : '';
}

/** buildWhere of lead-filter.ts, its params appended to `params` (pass the ones already bound). */
export function pgBuildWhere(f: LeadFilter, now: number, includeDiscarded: boolean, params: unknown[] = []): PgWhere {
  let fewRows = false;
  const clauses: string[] = [];
  if (f.quality?.length) clauses.push(anyOf('l.quality', f.quality, params));
  if (f.contactState?.length) clauses.push(anyOf('l.contact_state', f.contactState, params));
  if (f.status?.length) {
    const { states, deadline } = statusStates(f.status);
    let clause = anyOf('l.contact_state', states, params);
    if (deadline) {
      const cmp = deadline === 'overdue' ? '<' : '>=';
      const at = bind(params, now);
      clause += states.length === 1 ? ` AND l.deadline_at ${cmp} ${at}` : ` AND (l.contact_state <> 'por_contactar' OR l.deadline_at ${cmp} ${at})`;
      fewRows = deadline === 'in_time' && states.length === 1;
    }
    clauses.push(`(${clause})`);
  }
  if (f.projectIds?.length) clauses.push(anyOf('l.project_id', f.projectIds, params));
  if (f.parsers?.length) {
    const named = f.parsers.filter((p): p is string => p !== null);
    const terms = named.length ? [anyOf('l.parser', named, params)] : [];
    if (named.length < f.parsers.length) terms.push('l.parser IS NULL');
    clauses.push(`(${terms.join(' OR ')})`);
  }
  if (f.medium?.length) clauses.push(anyOf('l.medium', f.medium, params));
  if (f.ownerVendorId !== undefined) clauses.push(`l.owner_vendor_id = ${bind(params, f.ownerVendorId)}`);
  if (f.from !== undefined) clauses.push(`l.received_at >= ${bind(params, f.from)}`);
  if (f.to !== undefined) clauses.push(`l.received_at < ${bind(params, f.to)}`);
  // A substring search is written on the list's own rows, not as a capped set of ids: the planner
  // then walks received_at backwards to the page's LIMIT for common words and takes the trigram
  // index for rare ones (at 1M leads, "gonzalez maria": 10 ms here, 270 ms through the capped set).
  // FTS5 needs the cap; this engine does not, so it never drops older matches.
  if (f.q?.kind === 'substrings') clauses.push(`(${substringMatch(f.q.terms, params, 'l')})`);
  else if (f.q) clauses.push(`l.id IN (${pgSearchSubquery(f.q, params, f.searchCap)})`);
  if (!includeDiscarded && !wantsDiscarded(f)) clauses.push("l.contact_state <> 'descartado'");
  const scoped = pgScopeClause(f.scope, params);
  if (scoped) clauses.push(scoped);
  return { sql: clauses.length ? clauses.join(' AND ') : 'true', params, fewRows };
}

/** clientVisibleSql of lead-filter.ts. */
export function pgClientVisibleSql(clientId: number, scope: Scope): { sql: string; params: unknown[] } {
  const params: unknown[] = [clientId];
  const scoped = pgScopeClause(scope, params);
  if (!scoped) return { sql: 'SELECT 1 FROM clients WHERE id = $1', params: [clientId] };
  let owner = '';
  if (scope.vendorIds !== null && scope.projectIds === null && scope.vendorIds.length) owner = ` OR ${anyOf('c.owner_vendor_id', scope.vendorIds, params)}`;
  return { sql: `SELECT 1 FROM clients c WHERE c.id = $1 AND (EXISTS (SELECT 1 FROM leads l WHERE l.client_id = c.id AND ${scoped})${owner})`, params };
}

/** clientWithinSql of lead-where.ts. */
export function pgClientWithinSql(clientId: number, scope: Scope): { sql: string; params: unknown[] } | null {
  const params: unknown[] = [clientId];
  const scoped = pgScopeClause(scope, params);
  if (!scoped) return null;
  let owner = '';
  if (scope.vendorIds !== null) owner = scope.vendorIds.length ? ` AND (c.owner_vendor_id IS NULL OR ${anyOf('c.owner_vendor_id', scope.vendorIds, params)})` : ' AND c.owner_vendor_id IS NULL';
  return { sql: `SELECT 1 FROM clients c WHERE c.id = $1 AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.client_id = c.id AND NOT coalesce((${scoped}), false))${owner}`, params };
}

/** interactionInScopeSql of lead-where.ts. */
export function pgInteractionInScopeSql(key: string, scope: Scope): { sql: string; params: unknown[] } {
  const params: unknown[] = [key];
  return { sql: `SELECT 1 FROM interactions i WHERE i.key = $1${pgAndScope(scope, params, 'i')}`, params };
}
