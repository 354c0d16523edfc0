import type Database from 'better-sqlite3';
import {
  CASE_COLS, CASE_LIST_COLS, CASE_LIST_FROM, CASE_MESSAGE_COLS, CASE_VISIT_COLS, caseMessageSql, caseSql, caseVisitSql, caseWhere, messageRawSql,
  type CaseDetail, type CaseFilter, type CaseListItem, type CasePatch, type CaseReads, type CaseVisitPatch, type CaseWrites,
} from '../case-port.ts';
import type { CaseMessageRow, CaseRow, CaseVisitRow, NewCase, NewCaseMessage, NewCaseVisit } from '../cases-schema.ts';
import { preparedCache, type Prepared } from './prepared.ts';
import type { Scope } from '../scope.ts';
import { inList } from '../sql-lists.ts';
import { readRawBody } from './raw-body.ts';
import type { CaseQueriesPort } from '../case-port.ts';

/** The cases area of the SQLite adapter: reads usable in units of work, and the writes (checked to run in one). */
export class CaseStore implements CaseReads, CaseWrites {
  private readonly q: Prepared;

  constructor(private readonly db: Database.Database) {
    this.q = preparedCache(db);
  }

  private writing(): void {
    if (!this.db.inTransaction) throw new Error('a write outside a unit of work: use store.unitOfWork');
  }

  getCase(id: number): CaseRow | null {
    return (this.q(`select ${CASE_COLS} from cases c where c.id = ?`).get(id) as CaseRow | undefined) ?? null;
  }

  caseByNumber(n: number): CaseRow | null {
    return (this.q(`select ${CASE_COLS} from cases c where c.number = ?`).get(n) as CaseRow | undefined) ?? null;
  }

  caseByMessageIds(messageIds: string[]): CaseRow | null {
    if (!messageIds.length) return null;
    const params: unknown[] = [];
    const sql = `select ${CASE_COLS} from cases c where c.id = (select m.case_id from case_messages m where ${inList('m.message_id', messageIds, params)} order by m.id desc limit 1)`;
    return (this.db.prepare(sql).get(...params) as CaseRow | undefined) ?? null;
  }

  caseOfRaw(rawEmailId: number): { caseId: number; number: number } | null {
    const sql = 'select c.id "caseId", c.number from case_messages m join cases c on c.id = m.case_id where m.raw_email_id = ? union all select c.id, c.number from cases c where c.raw_email_id = ? limit 1';
    return (this.q(sql).get(rawEmailId, rawEmailId) as { caseId: number; number: number } | undefined) ?? null;
  }

  caseMessages(caseId: number): CaseMessageRow[] {
    return this.q(`select ${CASE_MESSAGE_COLS} from case_messages m where m.case_id = ? order by m.at, m.id`).all(caseId) as CaseMessageRow[];
  }

  caseVisits(caseId: number): CaseVisitRow[] {
    return this.q(`select ${CASE_VISIT_COLS} from case_visits v where v.case_id = ? order by v.scheduled_at, v.id`).all(caseId) as CaseVisitRow[];
  }

  rawMailbox(rawEmailId: number): string | null {
    return (this.q('select mailbox from raw_emails where id = ?').pluck().get(rawEmailId) as string | null | undefined) ?? null;
  }

  clientInteractionKinds(clientId: number): string[] {
    return this.q('select distinct kind from interactions where client_id = ? order by kind').pluck().all(clientId) as string[];
  }

  leadOfRaw(rawEmailId: number): number | null {
    return (this.q('select id from leads where raw_email_id = ? order by part_index limit 1').pluck().get(rawEmailId) as number | undefined) ?? null;
  }

  insertCase(row: NewCase): number {
    this.writing();
    const [sql, values] = caseSql.insert(row);
    return (this.db.prepare(sql).get(...values) as { id: number }).id;
  }

  updateCase(id: number, patch: CasePatch): void {
    this.writing();
    const u = caseSql.update(id, patch);
    if (u) this.db.prepare(u[0]).run(...u[1]);
  }

  insertCaseMessage(row: NewCaseMessage): number {
    this.writing();
    const [sql, values] = caseMessageSql.insert(row);
    return (this.db.prepare(sql).get(...values) as { id: number }).id;
  }

  insertCaseVisit(row: NewCaseVisit): number {
    this.writing();
    const [sql, values] = caseVisitSql.insert(row);
    return (this.db.prepare(sql).get(...values) as { id: number }).id;
  }

  updateCaseVisit(id: number, patch: CaseVisitPatch): void {
    this.writing();
    const u = caseVisitSql.update(id, patch);
    if (u) this.db.prepare(u[0]).run(...u[1]);
  }

  markRawCase(rawEmailId: number, parser: string | null, now: number): void {
    this.writing();
    this.q("update raw_emails set status = 'case', ignored_reason = null, error = null, parser = ?, processed_at = ? where id = ?").run(parser, now, rawEmailId);
  }

  setRawStatus(rawEmailId: number, status: 'case' | 'lead' | 'pending', now: number): void {
    this.writing();
    this.q('update raw_emails set status = ?, processed_at = ? where id = ?').run(status, now, rawEmailId);
  }
}

/** The scoped read model of cases for people (list, detail): every read filtered by Caller.caseScope in SQL. */
export class CaseQueries implements CaseQueriesPort {
  constructor(private readonly db: Database.Database) {}

  async list(f: CaseFilter, scope: Scope): Promise<{ total: number; items: CaseListItem[] }> {
    const { where, params } = caseWhere(f, scope, inList);
    const total = (this.db.prepare(`select count(*) n from cases c ${where}`).get(...params) as { n: number }).n;
    const items = this.db.prepare(`select ${CASE_LIST_COLS} from ${CASE_LIST_FROM} ${where} order by c.created_at desc, c.id desc limit ? offset ?`).all(...params, f.limit ?? 100, f.offset ?? 0) as CaseListItem[];
    return { total, items };
  }

  async visible(id: number, scope: Scope): Promise<boolean> {
    const { where, params } = caseWhere({}, scope, inList);
    return this.db.prepare(`select 1 from cases c ${where ? `${where} and` : 'where'} c.id = ?`).get(...params, id) !== undefined;
  }

  async messageRaw(caseId: number, messageId: number, scope: Scope): Promise<{ raw: Buffer | null; purgedAt: number | null } | null> {
    const [sql, params] = messageRawSql(caseId, messageId, scope, inList);
    const row = this.db.prepare(sql).get(...params) as { id: number; size: number; purgedAt: number | null } | undefined;
    return row ? { raw: readRawBody((q) => this.db.prepare(q), row.id, row.size), purgedAt: row.purgedAt } : null;
  }

  async detail(id: number, scope: Scope): Promise<CaseDetail | null> {
    const { where, params } = caseWhere({}, scope, inList);
    const row = this.db.prepare(`select ${CASE_LIST_COLS} from ${CASE_LIST_FROM} ${where ? `${where} and` : 'where'} c.id = ?`).get(...params, id) as CaseListItem | undefined;
    if (!row) return null;
    const messages = this.db.prepare(`select ${CASE_MESSAGE_COLS} from case_messages m where m.case_id = ? order by m.at, m.id`).all(id) as CaseMessageRow[];
    const visits = this.db.prepare(`select ${CASE_VISIT_COLS} from case_visits v where v.case_id = ? order by v.scheduled_at, v.id`).all(id) as CaseVisitRow[];
    return { case: row, messages, visits };
  }
}
