import type Database from 'better-sqlite3';
import { joinChunks } from '../raw-body.ts';

/** A stored body joined from its pieces in raw_bodies; null when it has none (too large, purged). */
export function readRawBody(prepare: (sql: string) => Database.Statement, rawEmailId: number, size: number): Buffer | null {
  return joinChunks(prepare('select chunk from raw_bodies where raw_email_id = ? order by seq').pluck().iterate(rawEmailId) as Iterable<Buffer>, size);
}

/** SQL true when the raw_emails row `alias` still has its body. */
export const hasBodySql = (alias: string) => `exists (select 1 from raw_bodies b where b.raw_email_id = ${alias}.id)`;
