import {
  CASE_COLS, CASE_LIST_COLS, CASE_LIST_FROM, CASE_MESSAGE_COLS, CASE_VISIT_COLS, caseMessageSql, caseSql, caseVisitSql, caseWhere, messageRawSql, toPg,
  type CaseDetail, type CaseFilter, type CaseListItem, type CasePatch, type CaseReads, type CaseVisitPatch, type CaseWrites,
} from '../case-port.ts';
import type { CaseMessageRow, CaseRow, CaseVisitRow, NewCase, NewCaseMessage, NewCaseVisit } from '../cases-schema.ts';
import type { Scope } from '../scope.ts';
import type { Queryable } from './rows.ts';
import { readRawBody } from './raw-body.ts';

/** `col = any(?)`: one array parameter. */
const anyList = (column: string, values: readonly unknown[], params: unknown[]) => {
  params.push([...values]);
  return `${column} = any(?)`;
};

function access(c: Queryable) {
  const all = async <T>(sql: string, values: unknown[] = []) => (await c.query(toPg(sql), values)).rows as T[];
  const one = async <T>(sql: string, values: unknown[] = []) => (await all<T>(sql, values))[0] ?? null;
  return { all, one };
}

/** The cases area's reads on a pool or a transaction's client (src/db/sqlite/case-store.ts's twin). */
export function caseReads(c: Queryable): CaseReads {
  const { all, one } = access(c);
  return {
    getCase: (id: number) => one<CaseRow>(`select ${CASE_COLS} from cases c where c.id = ?`, [id]),
    caseByNumber: (n: number) => one<CaseRow>(`select ${CASE_COLS} from cases c where c.number = ?`, [n]),
    async caseByMessageIds(messageIds: string[]) {
      if (!messageIds.length) return null;
      return one<CaseRow>(`select ${CASE_COLS} from cases c where c.id = (select m.case_id from case_messages m where m.message_id = any(?) order by m.id desc limit 1)`, [messageIds]);
    },
    caseOfRaw: (rawEmailId: number) =>
      one<{ caseId: number; number: number }>('select c.id "caseId", c.number from case_messages m join cases c on c.id = m.case_id where m.raw_email_id = ? union all select c.id, c.number from cases c where c.raw_email_id = ? limit 1', [rawEmailId, rawEmailId]),
    caseMessages: (caseId: number) => all<CaseMessageRow>(`select ${CASE_MESSAGE_COLS} from case_messages m where m.case_id = ? order by m.at, m.id`, [caseId]),
    caseVisits: (caseId: number) => all<CaseVisitRow>(`select ${CASE_VISIT_COLS} from case_visits v where v.case_id = ? order by v.scheduled_at, v.id`, [caseId]),
    async rawMailbox(rawEmailId: number) {
      return (await one<{ mailbox: string | null }>('select mailbox from raw_emails where id = ?', [rawEmailId]))?.mailbox ?? null;
    },
    async clientInteractionKinds(clientId: number) {
      return (await all<{ kind: string }>('select distinct kind from interactions where client_id = ? order by kind', [clientId])).map((r) => r.kind);
    },
    async leadOfRaw(rawEmailId: number) {
      return (await one<{ id: number }>('select id from leads where raw_email_id = ? order by part_index limit 1', [rawEmailId]))?.id ?? null;
    },
  };
}

/** The cases area's writes on one transaction's client. */
export function caseWrites(c: Queryable): CaseWrites {
  const { one } = access(c);
  const run = async (u: [string, unknown[]] | null) => {
    if (u) await c.query(toPg(u[0]), u[1]);
  };
  return {
    async insertCase(row: NewCase) {
      return (await one<{ id: number }>(...caseSql.insert(row)))!.id;
    },
    updateCase: (id: number, patch: CasePatch) => run(caseSql.update(id, patch)),
    async insertCaseMessage(row: NewCaseMessage) {
      return (await one<{ id: number }>(...caseMessageSql.insert(row)))!.id;
    },
    async insertCaseVisit(row: NewCaseVisit) {
      return (await one<{ id: number }>(...caseVisitSql.insert(row)))!.id;
    },
    updateCaseVisit: (id: number, patch: CaseVisitPatch) => run(caseVisitSql.update(id, patch)),
    markRawCase: (rawEmailId: number, parser: string | null, now: number) =>
      run(["update raw_emails set status = 'case', ignored_reason = null, error = null, parser = ?, processed_at = ? where id = ?", [parser, now, rawEmailId]]),
    setRawStatus: (rawEmailId: number, status: 'case' | 'lead' | 'pending', now: number) => run(['update raw_emails set status = ?, processed_at = ? where id = ?', [status, now, rawEmailId]]),
  };
}

/** The scoped read model of cases (src/db/sqlite/case-store.ts CaseQueries's twin). */
export class PgCaseQueries {
  private readonly db: ReturnType<typeof access>;

  constructor(private readonly c: Queryable) {
    this.db = access(c);
  }

  async list(f: CaseFilter, scope: Scope): Promise<{ total: number; items: CaseListItem[] }> {
    const { where, params } = caseWhere(f, scope, anyList);
    const total = Number((await this.db.one<{ n: number }>(`select count(*) n from cases c ${where}`, params))!.n);
    const items = await this.db.all<CaseListItem>(`select ${CASE_LIST_COLS} from ${CASE_LIST_FROM} ${where} order by c.created_at desc, c.id desc limit ? offset ?`, [...params, f.limit ?? 100, f.offset ?? 0]);
    return { total, items };
  }

  async visible(id: number, scope: Scope): Promise<boolean> {
    const { where, params } = caseWhere({}, scope, anyList);
    return (await this.db.one(`select 1 from cases c ${where ? `${where} and` : 'where'} c.id = ?`, [...params, id])) !== null;
  }

  async messageRaw(caseId: number, messageId: number, scope: Scope): Promise<{ raw: Buffer | null; purgedAt: number | null } | null> {
    const row = await this.db.one<{ id: number; size: number; purgedAt: number | null }>(...messageRawSql(caseId, messageId, scope, anyList));
    return row ? { raw: await readRawBody(this.c, row.id, row.size), purgedAt: row.purgedAt === null ? null : Number(row.purgedAt) } : null;
  }

  async detail(id: number, scope: Scope): Promise<CaseDetail | null> {
    const { where, params } = caseWhere({}, scope, anyList);
    const row = await this.db.one<CaseListItem>(`select ${CASE_LIST_COLS} from ${CASE_LIST_FROM} ${where ? `${where} and` : 'where'} c.id = ?`, [...params, id]);
    if (!row) return null;
    const messages = await this.db.all<CaseMessageRow>(`select ${CASE_MESSAGE_COLS} from case_messages m where m.case_id = ? order by m.at, m.id`, [id]);
    const visits = await this.db.all<CaseVisitRow>(`select ${CASE_VISIT_COLS} from case_visits v where v.case_id = ? order by v.scheduled_at, v.id`, [id]);
    return { case: row, messages, visits };
  }
}
