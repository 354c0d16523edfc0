
import { createHash } from 'node:crypto';
import { getTableColumns } from 'drizzle-orm';
import type pg from 'pg';
import {type ClientKey, 
} from '../port.ts';
import { clients, leads } from './schema.ts';


// Shared by the PostgreSQL adapter's reads and writes: column lists, row writers, the project ids.
export type Queryable = Pick<pg.PoolClient, 'query'>;

const NUL = /\u0000/g;
/**
 * PostgreSQL text cannot hold NUL characters, which real mail carries (TNEF, broken encoders) and
 * SQLite stores: they are dropped from every text parameter on the way in.
 */
export function nulSafe(c: Queryable, opts: { prepared?: boolean } = {}): Queryable {
  // Arrays too (text[] parameters: the keys a batch is looked up by, a thread's Message-IDs).
  const clean = (v: unknown): unknown => (typeof v === 'string' ? (v.includes('\u0000') ? v.replace(NUL, '') : v) : Array.isArray(v) ? v.map(clean) : v);
  return {
    query: ((text: string, values?: unknown[]) => {
      const name = opts.prepared && values ? preparedName(text, values.length) : undefined;
      return name ? c.query({ name, text, values: values!.map(clean) }) : c.query(text, values?.map(clean));
    }) as Queryable['query'],
  };
}

/**
 * A unit of work's statements are prepared once per connection, by name, and reused: PostgreSQL
 * then parses and plans a lead's dozen statements once, not once per lead. Not prepared:
 * - a statement with many parameters (a multi-row insert has one text per batch size);
 * - an ordered, limited query (`order by … limit`): PostgreSQL may switch a prepared statement to
 *   a generic plan, and for those it can walk an index in order instead of looking the values up;
 * - any text past MAX_PREPARED, so a connection never holds more than that many.
 * The name is the text's hash: the same in every process (two daemons behind one pooler never
 * mean different statements by one name).
 */
export const MAX_PREPARED = 300;
export const MAX_PREPARED_PARAMS = 64;
const ORDERED_LIMIT = /\border\s+by\b[\s\S]*\blimit\b/i;
const preparedNames = new Map<string, string | null>();
function preparedName(text: string, params: number): string | undefined {
  let name = preparedNames.get(text);
  if (name === undefined) {
    if (params > MAX_PREPARED_PARAMS || preparedNames.size >= MAX_PREPARED) return undefined;
    name = ORDERED_LIMIT.test(text) ? null : `uow_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    preparedNames.set(text, name);
  }
  return name ?? undefined;
}

export const CLIENT_COLS = 'id, national_id "nationalId", national_id_type "nationalIdType", email, phone, name, first_name "firstName", last_name "lastName", owner_vendor_id "ownerVendorId", owner_since "ownerSince", created_at "createdAt", last_activity_at "lastActivityAt"';
export const VENDOR_COLS = 'v.id, v.name, v.email, v.type, v.active, v.webhook, v.retired_at "retiredAt"';
export const CLIENT_KEY_COLUMN: Record<ClientKey, string> = { nationalId: 'national_id', email: 'email', phone: 'phone' };
export const WEBHOOK_COLS = 'id, url, body, status, attempts, next_attempt_at "nextAttemptAt", last_error "lastError", created_at "createdAt"';

export const columnsOf = (t: typeof leads) => getTableColumns(t) as Record<string, { name: string }>;

/** `select *` of leads with the port's property names. */
export const LEAD_COLS = Object.entries(columnsOf(leads)).map(([key, col]) => `l.${col.name} "${key}"`).join(', ');

/** Insert and update by property name, with drizzle's column names (the SQLite rowWriter's twin). */
function rowSql(table: typeof leads | typeof clients, tableName: string) {
  const columns = new Map(Object.entries(columnsOf(table)).map(([key, col]) => [key, col.name]));
  const col = (key: string) => {
    const c = columns.get(key);
    if (!c) throw new Error(`${tableName}: no column for "${key}"`);
    return c;
  };
  return {
    insert(row: Record<string, unknown>): [string, unknown[]] {
      const keys = Object.keys(row).filter((k) => row[k] !== undefined);
      return [`insert into ${tableName} (${keys.map(col).join(', ')}) values (${keys.map((_, i) => `$${i + 1}`).join(', ')}) returning id`, keys.map((k) => row[k])];
    },
    update(id: number, patch: Record<string, unknown>): [string, unknown[]] | null {
      const keys = Object.keys(patch).filter((k) => patch[k] !== undefined);
      if (!keys.length) return null;
      return [`update ${tableName} set ${keys.map((k, i) => `${col(k)} = $${i + 1}`).join(', ')} where id = $${keys.length + 1}`, [...keys.map((k) => patch[k]), id]];
    },
  };
}
export const leadSql = rowSql(leads, 'leads');
export const clientSql = rowSql(clients, 'clients');

/** The project ids by name, shared by the store and its transactions (the port's synchronous projectId). */
export class ProjectIds {
  private ids = new Map<string, number>();
  private names = new Map<number, string>();
  async load(c: Queryable): Promise<void> {
    const { rows } = await c.query<{ id: number; name: string }>('select id, name from projects');
    this.ids = new Map(rows.map((r) => [r.name, r.id]));
    this.names = new Map(rows.map((r) => [r.id, r.name]));
  }
  /** A project's name never changes (it is the project's key): undefined only for one created since the load. */
  name(id: number): string | undefined {
    return this.names.get(id);
  }
  get(name: string | null): number | null {
    return name ? (this.ids.get(name) ?? null) : null;
  }
}

