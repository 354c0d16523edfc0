import type Database from 'better-sqlite3';
import { CORRECTIONS_LIMIT, type CorrectionReads, type CorrectionRow } from '../lead-reads.ts';

/** The corrections of a parser's leads (lead-reads.ts CorrectionReads) on SQLite. */
export class CorrectionQueries implements CorrectionReads {
  constructor(private readonly db: Database.Database) {}

  async ofParser(parser: string): Promise<CorrectionRow[]> {
    return this.db
      .prepare(`SELECT a.lead_id leadId, l.raw_email_id rawEmailId, l.part_index partIndex, a.data data, a.at at, l.name name, l.national_id nationalId, l.email email, l.phone phone FROM actions a JOIN leads l ON l.id = a.lead_id
        WHERE l.parser = ? AND a.action = 'edit' AND json_extract(a.data, '$.corrections') IS NOT NULL ORDER BY a.at, a.id LIMIT ${CORRECTIONS_LIMIT}`)
      .all(parser) as CorrectionRow[];
  }
}
