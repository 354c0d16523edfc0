// The cases desk's read model on SQLite (its PostgreSQL twin: postgres/case-desk.ts): the list
// with the breach filter, every case of a filter for the statistics and the export, the
// escalation candidates and their recipients. Cases are always read under the caller's scope;
// one case with its thread is the port's CaseQueries.detail.
import type Database from 'better-sqlite3';
import type { CaseListItem } from '../case-port.ts';
import { DESK_PEOPLE, ESCALATION_CANDIDATES, SUPERVISORS, deskListSql, deskWhere, DESK_CAP, type DeskFilter, type DeskPerson, type CaseDeskReads } from '../case-desk-sql.ts';
import type { Scope } from '../scope.ts';
import { inList } from '../sql-lists.ts';

export type { DeskFilter } from '../case-desk-sql.ts';

export class CaseDeskQueries implements CaseDeskReads {
  constructor(private readonly db: Database.Database) {}

  async list(f: DeskFilter, scope: Scope, now: number, limit: number, offset: number): Promise<{ total: number; items: CaseListItem[] }> {
    const { where, params } = deskWhere(f, scope, now, inList);
    const total = (this.db.prepare(`select count(*) n from cases c ${where}`).get(...params) as { n: number }).n;
    const items = this.db.prepare(deskListSql(where)).all(...params, limit, offset) as CaseListItem[];
    return { total, items };
  }

  /** Every case of a filter, newest first, up to `cap`. */
  async all(f: DeskFilter, scope: Scope, now: number, cap: number = DESK_CAP): Promise<CaseListItem[]> {
    const { where, params } = deskWhere(f, scope, now, inList);
    return this.db.prepare(deskListSql(where)).all(...params, cap, 0) as CaseListItem[];
  }

  async escalationCandidates(now: number, limit: number): Promise<CaseListItem[]> {
    return this.db.prepare(ESCALATION_CANDIDATES).all(now, now, now, limit) as CaseListItem[];
  }

  async supervisors(): Promise<DeskPerson[]> {
    return this.db.prepare(SUPERVISORS).all() as DeskPerson[];
  }

  async deskPeople(): Promise<DeskPerson[]> {
    return this.db.prepare(DESK_PEOPLE).all() as DeskPerson[];
  }

  /** Projects that have cases the scope sees (the filter's options). */
  async projects(scope: Scope): Promise<{ id: number; name: string }[]> {
    const { where, params } = deskWhere({}, scope, 0, inList);
    return this.db.prepare(`select distinct p.id, p.name from cases c join projects p on p.id = c.project_id ${where} order by p.name`).all(...params) as { id: number; name: string }[];
  }
}
