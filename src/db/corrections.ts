import type Database from 'better-sqlite3';

/**
 * The corrections people made to a parser's leads, with the email each lead came from: every
 * `edit` action that carries `data.corrections` ({field: {from, to}}, leads/actions.ts), oldest
 * first, so a later correction of a field overrides an earlier one. `parsers learn
 * --from-corrections` reads them; the CLI is its only caller (an operator's command, no scope).
 */
export interface CorrectionRow {
  leadId: number;
  rawEmailId: number;
  /** The person's position in its email (0, or 1, 2… in a digest of several). */
  partIndex: number;
  /** The action's data JSON. */
  data: string;
  at: number;
  /** The lead's values today: a learned rule must be keyed on none of them either. */
  name: string | null;
  nationalId: string | null;
  email: string | null;
  phone: string | null;
}

export const CORRECTIONS_LIMIT = 5000;

export class CorrectionQueries {
  constructor(private readonly db: Database.Database) {}

  async ofParser(parser: string): Promise<CorrectionRow[]> {
    return this.db
      .prepare(`SELECT a.lead_id leadId, l.raw_email_id rawEmailId, l.part_index partIndex, a.data data, a.at at, l.name name, l.national_id nationalId, l.email email, l.phone phone FROM actions a JOIN leads l ON l.id = a.lead_id
        WHERE l.parser = ? AND a.action = 'edit' AND json_extract(a.data, '$.corrections') IS NOT NULL ORDER BY a.at, a.id LIMIT ${CORRECTIONS_LIMIT}`)
      .all(parser) as CorrectionRow[];
  }
}
