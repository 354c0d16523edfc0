import type pg from 'pg';
import { CORRECTIONS_LIMIT, type CorrectionReads, type CorrectionRow } from '../lead-reads.ts';
import { rowsOf } from './read-base.ts';

/** The corrections of a parser's leads (lead-reads.ts CorrectionReads) on PostgreSQL. */
export class PgCorrectionQueries implements CorrectionReads {
  constructor(private readonly db: pg.Pool) {}

  ofParser(parser: string): Promise<CorrectionRow[]> {
    return rowsOf(this.db, `SELECT a.lead_id AS "leadId", l.raw_email_id AS "rawEmailId", l.part_index AS "partIndex", a.data AS data, a."at" AS "at", l.name AS name, l.national_id AS "nationalId", l.email AS email, l.phone AS phone FROM actions a JOIN leads l ON l.id = a.lead_id
      WHERE l.parser = $1 AND a.action = 'edit' AND (a.data::jsonb -> 'corrections') IS NOT NULL ORDER BY a."at", a.id LIMIT ${CORRECTIONS_LIMIT}`, [parser]);
  }
}
