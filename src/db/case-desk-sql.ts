// The cases desk's SQL beyond the port's list and detail (case-port.ts): the breach filter, the
// escalation candidates and their recipients. Written once with `?` placeholders (toPg numbers
// them for PostgreSQL); the scope and the list's filters are the port's caseWhere.
import { CASE_LIST_COLS, CASE_LIST_FROM, caseWhere, type CaseFilter, type CaseListItem } from './case-port.ts';
import type { Scope } from './scope.ts';

/** The desk's filters: the port's, plus breaches and cases nobody is responsible for. */
export interface DeskFilter extends Omit<CaseFilter, 'limit' | 'offset'> {
  /** Past a stored due time (true), or within them (false). */
  breached?: boolean;
  /** Only cases with nobody responsible. */
  unassigned?: boolean;
}

export type InList = (column: string, values: readonly unknown[], params: unknown[]) => string;

/**
 * Past a due time: no answer by the first-response due time, or not resolved (and not waiting on
 * the client) by the resolution one; never null (`is true`), so `not` keeps the rest. Two `?`, both `now`.
 */
const BREACHED = `((c.first_response_due_at is not null and coalesce(c.first_response_at, ?) > c.first_response_due_at)
  or (c.resolution_due_at is not null and ((c.resolved_at is null and c.waiting_since is null and ? > c.resolution_due_at) or c.resolved_at > c.resolution_due_at))) is true`;

/** The WHERE of a desk filter under a scope: `where …` or ''. */
export function deskWhere(f: DeskFilter, scope: Scope, now: number, list: InList): { where: string; params: unknown[] } {
  const { breached, unassigned, ...port } = f;
  const { where, params } = caseWhere(port, scope, list);
  const more: string[] = [];
  if (breached !== undefined) {
    more.push(`${breached ? '' : 'not '}${BREACHED}`);
    params.push(now, now);
  }
  if (unassigned) more.push('c.responsible_user_id is null');
  if (!more.length) return { where, params };
  return { where: `${where ? `${where} and` : 'where'} ${more.join(' and ')}`, params };
}

export const deskListSql = (where: string) => `select ${CASE_LIST_COLS} from ${CASE_LIST_FROM} ${where} order by c.created_at desc, c.id desc limit ? offset ?`;

/**
 * Open cases past a stored due time, oldest first: candidates the business clock confirms. Never
 * escalated, or escalated before a resolution due time that has passed since (a first-response
 * breach, then the resolution one; or a reopened case late again). Params: now, now, now, limit.
 */
export const ESCALATION_CANDIDATES = `select ${CASE_LIST_COLS} from ${CASE_LIST_FROM}
  where c.status in ('abierto', 'en_espera') and ${BREACHED}
    and (c.escalated_at is null or (c.resolution_due_at is not null and c.escalated_at < c.resolution_due_at
      and c.resolved_at is null and c.waiting_since is null and ? > c.resolution_due_at))
  order by c.created_at, c.id limit ?`;

/** Who receives escalations: active atencion supervisors, else active admins. */
export const SUPERVISORS = `select id, email, name, role from users where disabled_at is null and role = 'atencion_supervisor'
  union all select id, email, name, role from users where disabled_at is null and role = 'admin'
    and not exists (select 1 from users s where s.disabled_at is null and s.role = 'atencion_supervisor')
  order by id`;

/** People a case can be given to (the filter's options). */
export const DESK_PEOPLE = "select id, email, name, role from users where disabled_at is null and role in ('atencion', 'atencion_supervisor', 'admin') order by name, id";

export interface DeskPerson {
  id: number;
  email: string;
  name: string;
  role: string;
}

/** Rows a statistics request or an export reads at most (years of a company's cases). */
export const DESK_CAP = 50_000;

/** The cases desk: its list with breaches, statistics, escalation candidates. */
export interface CaseDeskReads {
  list(f: DeskFilter, scope: Scope, now: number, limit: number, offset: number): Promise<{ total: number; items: CaseListItem[] }>;
  /** Every case of a filter, newest first, up to `cap`. */
  all(f: DeskFilter, scope: Scope, now: number, cap?: number): Promise<CaseListItem[]>;
  escalationCandidates(now: number, limit: number): Promise<CaseListItem[]>;
  supervisors(): Promise<DeskPerson[]>;
  deskPeople(): Promise<DeskPerson[]>;
  /** Projects that have cases the scope sees (the filter's options). */
  projects(scope: Scope): Promise<{ id: number; name: string }[]>;
}
