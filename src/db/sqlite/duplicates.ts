import type Database from 'better-sqlite3';
import type { Scope } from '../scope.ts';
import { writeTransaction } from './write-path.ts';
import { AppError } from '../../errors.ts';
import { FILLABLE, type ClientSide, type DuplicateRow, type DuplicateReads } from '../people-reads.ts';
import { scopeClause } from './lead-where.ts';


/** "Posible duplicado" marks and their merges: what moved is kept so a merge can be undone. */
export class DuplicateStore implements DuplicateReads {
  constructor(private readonly db: Database.Database) {}

  /** Marks whose two clients the caller may both see, newest first. */
  async list(status: string, scope: Scope, limit: number): Promise<(DuplicateRow & { client: ClientSide; other: ClientSide })[]> {
    const params: unknown[] = [status];
    // Once per client: each call adds the scope's parameters in the order the SQL reads them.
    const vis = (col: string) => {
      const a = scopeClause(scope, params);
      return a ? ` AND EXISTS (SELECT 1 FROM leads l WHERE l.client_id = ${col} AND ${a})` : '';
    };
    const rows = this.db.prepare(`SELECT d.id, d.client_id AS clientId, d.other_client_id AS otherClientId, d.lead_id AS leadId, d.reason, d.status, d.created_at AS createdAt,
      d.decided_by AS decidedBy, d.decided_at AS decidedAt, d.undo FROM client_duplicates d WHERE d.status = ?${vis('d.client_id')}${vis('d.other_client_id')}
      ORDER BY d.id DESC LIMIT ?`).all(...params, limit) as DuplicateRow[];
    const client = this.db.prepare('SELECT id, name, email, phone, national_id AS nationalId FROM clients WHERE id = ?');
    return rows.map((r) => ({ ...r, client: client.get(r.clientId) as ClientSide, other: client.get(r.otherClientId) as ClientSide }));
  }

  async get(id: number): Promise<DuplicateRow | null> {
    return this.row(id);
  }

  /** Which of these clients have an open "posible duplicado" mark (either side): the list's and detail's badge. */
  async openAmong(clientIds: number[]): Promise<number[]> {
    const ids = [...new Set(clientIds)].slice(0, 500);
    if (!ids.length) return [];
    const marks = ids.map(() => '?').join(', ');
    return this.db.prepare(`SELECT client_id FROM client_duplicates WHERE status = 'open' AND client_id IN (${marks})
      UNION SELECT other_client_id FROM client_duplicates WHERE status = 'open' AND other_client_id IN (${marks})`).pluck().all(...ids, ...ids) as number[];
  }

  private row(id: number): DuplicateRow | null {
    return (this.db.prepare(`SELECT id, client_id AS clientId, other_client_id AS otherClientId, lead_id AS leadId, reason, status, created_at AS createdAt,
      decided_by AS decidedBy, decided_at AS decidedAt, undo FROM client_duplicates WHERE id = ?`).get(id) as DuplicateRow | undefined) ?? null;
  }

  /**
   * (merge, unmerge and dismiss are the port's writes, called by the Store inside a unit of work.)
   * One person after all: the marked client's leads and follow-ups move to the other record, which
   * takes the data it lacked. Returns what moved (kept for undo).
   */
  merge(id: number, actor: string, now: number): { leadIds: number[]; followUpIds: number[]; filled: string[] } {
    return writeTransaction(this.db, () => {
      const d = this.mustBe(id, 'open');
      const leadIds = this.db.prepare('SELECT id FROM leads WHERE client_id = ? ORDER BY id').pluck().all(d.clientId) as number[];
      const followUpIds = this.db.prepare('SELECT id FROM follow_ups WHERE client_id = ? ORDER BY id').pluck().all(d.clientId) as number[];
      const from = this.db.prepare(`SELECT ${FILLABLE.join(', ')} FROM clients WHERE id = ?`).get(d.clientId) as Record<string, unknown>;
      const to = this.db.prepare(`SELECT ${FILLABLE.join(', ')}, owner_vendor_id FROM clients WHERE id = ?`).get(d.otherClientId) as Record<string, unknown>;
      const filled = FILLABLE.filter((c) => to[c] === null && from[c] !== null && !(c === 'national_id' && this.nationalIdTaken(from[c] as string, d.clientId)));
      this.db.prepare('UPDATE leads SET client_id = ?, owner_vendor_id = coalesce(?, owner_vendor_id), updated_at = ? WHERE client_id = ?').run(d.otherClientId, to.owner_vendor_id ?? null, now, d.clientId);
      this.db.prepare('UPDATE follow_ups SET client_id = ? WHERE client_id = ?').run(d.otherClientId, d.clientId);
      if (filled.length) {
        // The merged-away record gives up a unique national ID before the survivor takes it.
        if (filled.includes('national_id')) this.db.prepare('UPDATE clients SET national_id = NULL WHERE id = ?').run(d.clientId);
        this.db.prepare(`UPDATE clients SET ${filled.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...filled.map((c) => from[c]), d.otherClientId);
      }
      const undo = { leadIds, followUpIds, filled, values: Object.fromEntries(filled.map((c) => [c, from[c]])) };
      this.decide(id, 'merged', actor, now, JSON.stringify(undo));
      this.action(d, actor, 'merge', undo, now);
      return { leadIds, followUpIds, filled };
    });
  }

  /** Reverts a merge: the leads and follow-ups go back, the filled-in data is taken back. */
  unmerge(id: number, actor: string, now: number): { leadIds: number[] } {
    return writeTransaction(this.db, () => {
      const d = this.mustBe(id, 'merged');
      const undo = JSON.parse(d.undo ?? '{}') as { leadIds: number[]; followUpIds: number[]; filled: string[]; values: Record<string, unknown> };
      const owner = this.db.prepare('SELECT owner_vendor_id FROM clients WHERE id = ?').pluck().get(d.clientId) as string | null;
      const moveLead = this.db.prepare('UPDATE leads SET client_id = ?, owner_vendor_id = coalesce(?, owner_vendor_id), updated_at = ? WHERE id = ? AND client_id = ?');
      for (const l of undo.leadIds) moveLead.run(d.clientId, owner, now, l, d.otherClientId);
      const moveFollowUp = this.db.prepare('UPDATE follow_ups SET client_id = ? WHERE id = ? AND client_id = ?');
      for (const f of undo.followUpIds) moveFollowUp.run(d.clientId, f, d.otherClientId);
      const cols = (undo.filled ?? []).filter((c) => (FILLABLE as readonly string[]).includes(c));
      if (cols.length) {
        this.db.prepare(`UPDATE clients SET ${cols.map((c) => `${c} = NULL`).join(', ')} WHERE id = ?`).run(d.otherClientId);
        this.db.prepare(`UPDATE clients SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...cols.map((c) => undo.values[c]), d.clientId);
      }
      this.decide(id, 'unmerged', actor, now, d.undo);
      this.action(d, actor, 'unmerge', { leadIds: undo.leadIds }, now);
      return { leadIds: undo.leadIds };
    });
  }

  /** Two different people after all: the mark goes, the records stay apart. */
  dismiss(id: number, actor: string, now: number): void {
    writeTransaction(this.db, () => {
      const d = this.mustBe(id, 'open');
      this.decide(id, 'dismissed', actor, now, null);
      this.action(d, actor, 'dismiss-duplicate', {}, now);
    });
  }

  /** A dismissal taken back: open again, undecided. */
  reopen(id: number, actor: string, now: number): void {
    writeTransaction(this.db, () => {
      const d = this.mustBe(id, 'dismissed');
      this.db.prepare("UPDATE client_duplicates SET status = 'open', decided_by = NULL, decided_at = NULL, undo = NULL WHERE id = ?").run(id);
      this.action(d, actor, 'reopen-duplicate', {}, now);
    });
  }

  private nationalIdTaken(value: string, except: number): boolean {
    return this.db.prepare('SELECT 1 FROM clients WHERE national_id = ? AND id <> ?').get(value, except) !== undefined;
  }

  private mustBe(id: number, status: DuplicateRow['status']): DuplicateRow {
    const d = this.row(id);
    if (!d) throw new AppError('duplicate.not_found', `no existe la marca de duplicado ${id}`);
    if (d.status !== status) throw new AppError('duplicate.decided', `la marca ${id} ya está ${d.status}`);
    return d;
  }

  private decide(id: number, status: DuplicateRow['status'], actor: string, now: number, undo: string | null): void {
    this.db.prepare('UPDATE client_duplicates SET status = ?, decided_by = ?, decided_at = ?, undo = ? WHERE id = ?').run(status, actor, now, undo, id);
  }

  private action(d: DuplicateRow, actor: string, action: string, data: unknown, now: number): void {
    const ins = this.db.prepare('INSERT INTO actions (lead_id, client_id, actor, action, data, at) VALUES (?, ?, ?, ?, ?, ?)');
    const payload = JSON.stringify({ duplicateId: d.id, clientId: d.clientId, otherClientId: d.otherClientId, ...(data as object) });
    ins.run(null, d.otherClientId, actor, action, payload, now);
    ins.run(null, d.clientId, actor, action, payload, now);
  }
}
