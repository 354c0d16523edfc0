import type { Scope } from '../scope.ts';
import { pgScopeClause } from './lead-filter.ts';
import { duplicateWrites } from './people-writes.ts';
import { firstOf, inTransaction, rowsOf, type PgHandle } from './read-base.ts';
import type { DuplicateRow, DuplicateReads } from '../people-reads.ts';

interface ClientSide { id: number; name: string | null; email: string | null; phone: string | null; nationalId: string | null }

const ROW = `d.id, d.client_id AS "clientId", d.other_client_id AS "otherClientId", d.lead_id AS "leadId", d.reason, d.status, d.created_at AS "createdAt",
  d.decided_by AS "decidedBy", d.decided_at AS "decidedAt", d.undo`;

/**
 * DuplicateStore (src/db/sqlite/duplicates.ts) on PostgreSQL. merge, unmerge and dismiss run the port's
 * duplicate writes (people-writes.ts) in one transaction on one pooled client, or on the caller's
 * client when built over one (its unit of work).
 */
export class PgDuplicateStore implements DuplicateReads {
  constructor(private readonly db: PgHandle) {}

  async list(status: string, scope: Scope, limit: number): Promise<(DuplicateRow & { client: ClientSide; other: ClientSide })[]> {
    const params: unknown[] = [status];
    const vis = (col: string) => {
      const a = pgScopeClause(scope, params);
      return a ? ` AND EXISTS (SELECT 1 FROM leads l WHERE l.client_id = ${col} AND ${a})` : '';
    };
    const where = `d.status = $1${vis('d.client_id')}${vis('d.other_client_id')}`;
    params.push(limit);
    const rows = await rowsOf<DuplicateRow>(this.db, `SELECT ${ROW} FROM client_duplicates d WHERE ${where} ORDER BY d.id DESC LIMIT $${params.length}`, params);
    if (!rows.length) return [];
    const ids = [...new Set(rows.flatMap((r) => [r.clientId, r.otherClientId]))];
    const sides = new Map((await rowsOf<ClientSide>(this.db, 'SELECT id, name, email, phone, national_id AS "nationalId" FROM clients WHERE id = any($1)', [ids])).map((c) => [c.id, c]));
    return rows.map((r) => ({ ...r, client: sides.get(r.clientId) as ClientSide, other: sides.get(r.otherClientId) as ClientSide }));
  }

  async openAmong(clientIds: number[]): Promise<number[]> {
    const ids = [...new Set(clientIds)].slice(0, 500);
    if (!ids.length) return [];
    const rows = await rowsOf<{ id: number }>(this.db, `SELECT client_id AS id FROM client_duplicates WHERE status = 'open' AND client_id = any($1)
      UNION SELECT other_client_id FROM client_duplicates WHERE status = 'open' AND other_client_id = any($1)`, [ids]);
    return rows.map((r) => Number(r.id));
  }

  get(id: number): Promise<DuplicateRow | null> {
    return firstOf(this.db, `SELECT ${ROW} FROM client_duplicates d WHERE d.id = $1`, [id]);
  }

  merge(id: number, actor: string, now: number): Promise<{ leadIds: number[]; followUpIds: number[]; filled: string[] }> {
    return inTransaction(this.db, async (c) => duplicateWrites(c).mergeDuplicate(id, actor, now));
  }

  unmerge(id: number, actor: string, now: number): Promise<{ leadIds: number[] }> {
    return inTransaction(this.db, async (c) => duplicateWrites(c).unmergeDuplicate(id, actor, now));
  }

  dismiss(id: number, actor: string, now: number): Promise<void> {
    return inTransaction(this.db, async (c) => duplicateWrites(c).dismissDuplicate(id, actor, now));
  }
}

