import { getTableColumns } from 'drizzle-orm';
import type { CaseCategory, CaseStatus } from '../case-vocabulary.ts';
import { caseMessages, cases, caseVisits, type CaseMessageRow, type CaseRow, type CaseVisitRow, type NewCase, type NewCaseMessage, type NewCaseVisit } from './cases-schema.ts';
import type { Awaitable } from './port.ts';
import type { Scope } from './scope.ts';

export type { CaseMessageRow, CaseRow, CaseVisitRow, NewCase, NewCaseMessage, NewCaseVisit } from './cases-schema.ts';
export type CasePatch = Partial<Omit<NewCase, 'id' | 'number' | 'createdAt'>>;
export type CaseVisitPatch = Partial<Pick<NewCaseVisit, 'scheduledAt' | 'doneAt' | 'who' | 'outcome'>>;

/**
 * The storage port's post-sale cases area. Reads usable inside units of work (the pipeline's
 * commit finds the case a reply belongs to) and the writes; both adapters implement them
 * (src/db/case-store.ts, src/db/postgres/cases.ts). Scoped reads for people are CaseQueries.
 */
export interface CaseReads {
  getCase(id: number): Awaitable<CaseRow | null>;
  caseByNumber(n: number): Awaitable<CaseRow | null>;
  /** The newest case with a message carrying one of these Message-IDs (a reply's In-Reply-To/References). */
  caseByMessageIds(messageIds: string[]): Awaitable<CaseRow | null>;
  /** The case a raw email opened or joined, if any. */
  caseOfRaw(rawEmailId: number): Awaitable<{ caseId: number; number: number } | null>;
  caseMessages(caseId: number): Awaitable<CaseMessageRow[]>;
  caseVisits(caseId: number): Awaitable<CaseVisitRow[]>;
  /** The mailbox a raw email came from (null for files and HTTP). */
  rawMailbox(rawEmailId: number): Awaitable<string | null>;
  /** The funnel interaction kinds a client has reached (cotizacion, minuta, desembolso, …). */
  clientInteractionKinds(clientId: number): Awaitable<string[]>;
  /** The lead a raw email made (a case moved back to a lead finds it). */
  leadOfRaw(rawEmailId: number): Awaitable<number | null>;
}

export interface CaseWrites {
  insertCase(row: NewCase): Awaitable<number>;
  updateCase(id: number, patch: CasePatch): Awaitable<void>;
  insertCaseMessage(row: NewCaseMessage): Awaitable<number>;
  insertCaseVisit(row: NewCaseVisit): Awaitable<number>;
  updateCaseVisit(id: number, patch: CaseVisitPatch): Awaitable<void>;
  /** The raw email made a case (status `case`). */
  markRawCase(rawEmailId: number, parser: string | null, now: number): Awaitable<void>;
  /** A lead moved to a case or back: its raw email's status follows (`case`, `lead`; `pending` while it is read again as a lead). */
  setRawStatus(rawEmailId: number, status: 'case' | 'lead' | 'pending', now: number): Awaitable<void>;
}

/** Filters of the cases list (all optional; the scope always applies). */
export interface CaseFilter {
  status?: CaseStatus[];
  category?: CaseCategory[];
  projectId?: number[];
  clientId?: number;
  responsibleUserId?: number;
  /** Case number, subject, contact name, email or phone (substring). */
  q?: string;
  from?: number;
  to?: number;
  limit?: number;
  offset?: number;
}

export interface CaseListItem extends CaseRow {
  project: string | null;
  clientName: string | null;
  responsibleName: string | null;
}

export interface CaseDetail {
  case: CaseListItem;
  messages: CaseMessageRow[];
  visits: CaseVisitRow[];
}

/**
 * Who sees a case (Caller.caseScope): a vendor list limits to cases of clients those vendors own,
 * a project list to the cases of those projects; null means no limit; an empty list sees nothing.
 */
export interface CaseQueriesPort {
  list(f: CaseFilter, scope: Scope): Awaitable<{ total: number; items: CaseListItem[] }>;
  detail(id: number, scope: Scope): Awaitable<CaseDetail | null>;
  visible(id: number, scope: Scope): Awaitable<boolean>;
  /** An incoming message's stored email (its attachments are there) when the case is in scope; null otherwise. */
  messageRaw(caseId: number, messageId: number, scope: Scope): Awaitable<{ raw: Buffer | null; purgedAt: number | null } | null>;
}

/** The stored email of message `messageId` of case `caseId`, within the scope (both adapters; `in` writes a list). */
export function messageRawSql(caseId: number, messageId: number, scope: Scope, list: Parameters<typeof caseWhere>[2]): [string, unknown[]] {
  const { where, params } = caseWhere({}, scope, list);
  return [
    `select r.id, r.size, r.purged_at "purgedAt" from cases c join case_messages m on m.case_id = c.id join raw_emails r on r.id = m.raw_email_id ${where ? `${where} and` : 'where'} c.id = ? and m.id = ?`,
    [...params, caseId, messageId],
  ];
}

// Shared SQL of both adapters, written with `?` placeholders (toPg numbers them for PostgreSQL).

type Columns = Record<string, { name: string }>;
const selectList = (t: Columns, alias: string) => Object.entries(t).map(([key, col]) => `${alias}.${col.name} "${key}"`).join(', ');
export const CASE_COLS = selectList(getTableColumns(cases) as Columns, 'c');
export const CASE_MESSAGE_COLS = selectList(getTableColumns(caseMessages) as Columns, 'm');
export const CASE_VISIT_COLS = selectList(getTableColumns(caseVisits) as Columns, 'v');
export const CASE_LIST_COLS = `${CASE_COLS}, p.name "project", cl.name "clientName", u.name "responsibleName"`;
export const CASE_LIST_FROM = 'cases c left join projects p on p.id = c.project_id left join clients cl on cl.id = c.client_id left join users u on u.id = c.responsible_user_id';

function rowWriter(t: Columns, table: string) {
  const column = (key: string) => {
    const c = t[key];
    if (!c) throw new Error(`${table}: no column for "${key}"`);
    return c.name;
  };
  return {
    insert(row: Record<string, unknown>): [string, unknown[]] {
      const keys = Object.keys(row).filter((k) => row[k] !== undefined);
      return [`insert into ${table} (${keys.map(column).join(', ')}) values (${keys.map(() => '?').join(', ')}) returning id`, keys.map((k) => row[k])];
    },
    update(id: number, patch: Record<string, unknown>): [string, unknown[]] | null {
      const keys = Object.keys(patch).filter((k) => patch[k] !== undefined);
      if (!keys.length) return null;
      return [`update ${table} set ${keys.map((k) => `${column(k)} = ?`).join(', ')} where id = ?`, [...keys.map((k) => patch[k]), id]];
    },
  };
}
export const caseSql = rowWriter(getTableColumns(cases) as Columns, 'cases');
export const caseMessageSql = rowWriter(getTableColumns(caseMessages) as Columns, 'case_messages');
export const caseVisitSql = rowWriter(getTableColumns(caseVisits) as Columns, 'case_visits');

/** `?` placeholders numbered for PostgreSQL (the shared SQL carries no literal question marks). */
export function toPg(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The WHERE of the cases list and detail: the scope and the filters, `?` placeholders. `list` writes an IN list for the engine. */
export function caseWhere(f: CaseFilter, scope: Scope, list: (column: string, values: readonly unknown[], params: unknown[]) => string): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const w: string[] = [];
  if (scope.vendorIds !== null) w.push(scope.vendorIds.length ? `c.client_id in (select id from clients where ${list('owner_vendor_id', scope.vendorIds, params)})` : '1 = 0');
  if (scope.projectIds !== null) w.push(scope.projectIds.length ? list('c.project_id', scope.projectIds, params) : '1 = 0');
  if (f.status?.length) w.push(list('c.status', f.status, params));
  if (f.category?.length) w.push(list('c.category', f.category, params));
  if (f.projectId?.length) w.push(list('c.project_id', f.projectId, params));
  if (f.clientId !== undefined) w.push(`c.client_id = ${bind(params, f.clientId)}`);
  if (f.responsibleUserId !== undefined) w.push(`c.responsible_user_id = ${bind(params, f.responsibleUserId)}`);
  if (f.from !== undefined) w.push(`c.created_at >= ${bind(params, f.from)}`);
  if (f.to !== undefined) w.push(`c.created_at < ${bind(params, f.to)}`);
  const q = f.q?.trim().toLowerCase();
  if (q) {
    const number = /^(?:caso\s*#?\s*)?(\d{1,9})$/.exec(q);
    const like = `%${q.replace(/[\\%_]/g, (x) => `\\${x}`)}%`;
    const byNumber = number ? [`c.number = ${bind(params, Number(number[1]))}`] : []; // bound first: its ? comes first
    const text = ['c.subject', 'c.contact_name', 'c.contact_email', 'c.contact_phone', 'c.unit'].map((col) => `lower(${col}) like ${bind(params, like)} escape '\\'`);
    // A number is the case's ("caso 17", "17") or a unit's ("1502").
    w.push(`(${[...byNumber, ...text].join(' or ')})`);
  }
  return { where: w.length ? `where ${w.join(' and ')}` : '', params };
}

const bind = (params: unknown[], v: unknown) => {
  params.push(v);
  return '?';
};
