import { joinChunks } from '../raw-body.ts';
import type { Queryable } from './rows.ts';

/** A stored body joined from its pieces in raw_bodies; null when it has none (too large, purged). */
export async function readRawBody(c: Queryable, rawEmailId: number, size: number): Promise<Buffer | null> {
  const { rows } = await c.query<{ chunk: Buffer }>('select chunk from raw_bodies where raw_email_id = $1 order by seq', [rawEmailId]);
  return joinChunks(rows.map((r) => r.chunk), size);
}

/** SQL true when the raw_emails row still has its body. */
export const HAS_BODY_PG = 'exists (select 1 from raw_bodies b where b.raw_email_id = raw_emails.id)';
