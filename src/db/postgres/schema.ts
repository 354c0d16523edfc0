import { getTableConfig, type SQLiteColumn, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import {
  bigint, boolean, customType, doublePrecision, index, pgTable, primaryKey, text, uniqueIndex,
  type AnyPgColumn, type PgColumnBuilderBase, type PgTableWithColumns,
} from 'drizzle-orm/pg-core';
import * as auth from '../auth-schema.ts';
import * as casesSchema from '../cases-schema.ts';
import * as dup from '../duplicates-schema.ts';
import * as funnel from '../funnel-schema.ts';
import * as mailAuth from '../mail-auth-schema.ts';
import * as outbox from '../outbox-schema.ts';
import * as core from '../schema.ts';

/**
 * The PostgreSQL schema, derived from the SQLite one so the two never drift: the tables, columns,
 * defaults, keys and indexes are written once (src/db/*schema.ts) and mapped here. Integers are
 * bigint (times are epoch milliseconds), read as JS numbers; booleans are real booleans; blobs
 * bytea. drizzle-kit generates drizzle-pg/ from this file (drizzle.pg.config.ts); what only
 * PostgreSQL has (counters kept by triggers, the trigram search index) is a custom migration there.
 */

type AnyTable = SQLiteTable;

/** Raw email bodies: bytea in, Buffer out (node-postgres reads bytea as a Buffer). */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

function columnOf(col: SQLiteColumn): PgColumnBuilderBase {
  const c = col as SQLiteColumn & { autoIncrement?: boolean };
  let b: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- drizzle's builder types differ per column kind
  switch (col.columnType) {
    case 'SQLiteInteger':
    case 'SQLiteTimestamp':
      b = bigint(col.name, { mode: 'number' });
      if (col.primary && c.autoIncrement) b = b.generatedByDefaultAsIdentity();
      break;
    case 'SQLiteBoolean':
      b = boolean(col.name);
      break;
    case 'SQLiteReal':
      b = doublePrecision(col.name);
      break;
    case 'SQLiteBlobBuffer':
    case 'SQLiteBlobJson':
      b = bytea(col.name);
      break;
    case 'SQLiteText':
    case 'SQLiteTextJson':
      b = text(col.name);
      break;
    default:
      throw new Error(`postgres schema: no mapping for ${col.columnType} (${col.name})`);
  }
  if (col.primary) b = b.primaryKey();
  if (col.notNull && !col.primary) b = b.notNull();
  if (col.hasDefault && col.default !== undefined) b = b.default(col.default);
  if (col.isUnique && !col.primary) b = b.unique(col.uniqueName);
  return b as PgColumnBuilderBase;
}

const made = new Map<string, PgTableWithColumns<any>>(); // eslint-disable-line @typescript-eslint/no-explicit-any

/** The PostgreSQL twin of a SQLite table (its referenced tables made first). */
function twin(table: AnyTable): PgTableWithColumns<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const cfg = getTableConfig(table);
  const done = made.get(cfg.name);
  if (done) return done;
  const refs = new Map<string, { table: AnyTable; column: string; onDelete?: string }>();
  for (const fk of cfg.foreignKeys) {
    const r = fk.reference();
    refs.set(r.columns[0].name, { table: r.foreignTable as AnyTable, column: r.foreignColumns[0].name, onDelete: fk.onDelete });
  }
  const columns: Record<string, PgColumnBuilderBase> = {};
  const keyOf = new Map<string, string>(); // column name -> property key
  for (const [key, col] of Object.entries(table) as [string, unknown][]) {
    if (!cfg.columns.includes(col as SQLiteColumn)) continue;
    const c = col as SQLiteColumn;
    let b = columnOf(c) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const ref = refs.get(c.name);
    if (ref) {
      const target = twin(ref.table);
      const targetKey = Object.keys(target).find((k) => (target[k] as AnyPgColumn | undefined)?.name === ref.column && k !== '_');
      b = b.references(() => target[targetKey!] as AnyPgColumn, ref.onDelete ? { onDelete: ref.onDelete } : {});
    }
    columns[key] = b;
    keyOf.set(c.name, key);
  }
  const t = pgTable(cfg.name, columns, (pt: any) => [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ...cfg.indexes.map((ix) => {
      const cols = ix.config.columns.map((c) => pt[keyOf.get((c as SQLiteColumn).name)!]);
      return (ix.config.unique ? uniqueIndex(ix.config.name) : index(ix.config.name)).on(cols[0], ...cols.slice(1));
    }),
    ...cfg.primaryKeys.map((pk) => primaryKey({ columns: pk.columns.map((c) => pt[keyOf.get(c.name)!]) as [AnyPgColumn, ...AnyPgColumn[]] })),
  ]);
  made.set(cfg.name, t);
  return t;
}

export const rawEmails = twin(core.rawEmails);
export const rawBodies = twin(core.rawBodies);
export const projects = twin(core.projects);
export const vendors = twin(core.vendors);
export const projectVendors = twin(core.projectVendors);
export const clients = twin(core.clients);
export const leads = twin(core.leads);
export const followUps = twin(core.followUps);
export const actions = twin(core.actions);
export const mailboxCursors = twin(core.mailboxCursors);
export const leases = twin(core.leases);
export const counters = twin(core.counters);
export const webhookDeliveries = twin(core.webhookDeliveries);
export const leadCounts = twin(core.leadCounts);
export const users = twin(auth.users);
export const sessions = twin(auth.sessions);
export const apiTokens = twin(auth.apiTokens);
export const audit = twin(auth.audit);
export const userPrefs = twin(auth.userPrefs);
export const clientDuplicates = twin(dup.clientDuplicates);
export const mailboxTokens = twin(mailAuth.mailboxTokens);
export const interactions = twin(funnel.interactions);
export const leadFunnelDaily = twin(funnel.leadFunnelDaily);
export const interactionFunnelDaily = twin(funnel.interactionFunnelDaily);
export const leadFunnel16d = twin(funnel.leadFunnel16d);
export const interactionFunnel16d = twin(funnel.interactionFunnel16d);
export const notifications = twin(outbox.notifications);
export const cases = twin(casesSchema.cases);
export const caseMessages = twin(casesSchema.caseMessages);
export const caseVisits = twin(casesSchema.caseVisits);

/** Every table, in an order where each one's references come before it (db copy relies on it). */
export const TABLES_IN_ORDER = [...made.values()].map((t) => getTableConfigName(t));

function getTableConfigName(t: PgTableWithColumns<any>): string { // eslint-disable-line @typescript-eslint/no-explicit-any
  return (t as unknown as Record<symbol, string>)[Symbol.for('drizzle:Name')];
}
