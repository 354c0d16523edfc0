// CaseDeskQueries (src/db/sqlite/case-desk.ts) on PostgreSQL: the same statements, numbered placeholders.
import type pg from 'pg';
import { DESK_PEOPLE, ESCALATION_CANDIDATES, SUPERVISORS, deskListSql, deskWhere, DESK_CAP, type DeskFilter, type DeskPerson, type CaseDeskReads } from '../case-desk-sql.ts';
import { toPg, type CaseListItem } from '../case-port.ts';
import type { Scope } from '../scope.ts';
import { rowsOf } from './read-base.ts';

/** `col = any(?)`: one array parameter. */
const anyList = (column: string, values: readonly unknown[], params: unknown[]) => {
  params.push([...values]);
  return `${column} = any(?)`;
};

export class PgCaseDeskQueries implements CaseDeskReads {
  constructor(private readonly db: pg.Pool) {}

  private all_<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return rowsOf<T>(this.db, toPg(sql), params);
  }

  async list(f: DeskFilter, scope: Scope, now: number, limit: number, offset: number): Promise<{ total: number; items: CaseListItem[] }> {
    const { where, params } = deskWhere(f, scope, now, anyList);
    const [{ n }] = await this.all_<{ n: number }>(`select count(*)::int n from cases c ${where}`, params);
    return { total: n, items: await this.all_<CaseListItem>(deskListSql(where), [...params, limit, offset]) };
  }

  all(f: DeskFilter, scope: Scope, now: number, cap: number = DESK_CAP): Promise<CaseListItem[]> {
    const { where, params } = deskWhere(f, scope, now, anyList);
    return this.all_(deskListSql(where), [...params, cap, 0]);
  }

  escalationCandidates(now: number, limit: number): Promise<CaseListItem[]> {
    return this.all_(ESCALATION_CANDIDATES, [now, now, now, limit]);
  }

  supervisors(): Promise<DeskPerson[]> {
    return this.all_(SUPERVISORS);
  }

  deskPeople(): Promise<DeskPerson[]> {
    return this.all_(DESK_PEOPLE);
  }

  projects(scope: Scope): Promise<{ id: number; name: string }[]> {
    const { where, params } = deskWhere({}, scope, 0, anyList);
    return this.all_(`select distinct p.id, p.name from cases c join projects p on p.id = c.project_id ${where} order by p.name`, params);
  }
}
