import type Database from 'better-sqlite3';
import type { Scope } from '../scope.ts';
import type { ClientRecordClient, ClientRecordLead, ClientRecordMark, ClientRecordRows, ClientSummary, ClientRecordReads } from '../funnel-reads.ts';
import { andFollowUpScope, scopeClause } from './lead-where.ts';

export const CLIENT_COLUMNS = `c.id, c.name, c.national_id AS nationalId, c.national_id_type AS nationalIdType, c.email, c.phone, c.owner_vendor_id AS ownerVendorId,
  c.owner_since AS ownerSince, c.created_at AS createdAt, c.last_activity_at AS lastActivityAt`;

export const LEAD_COLUMNS = `l.id, l.received_at AS receivedAt, l.project_id AS projectId, p.name AS project, l.project_text AS projectText, l.parser, l.medium, l.quality,
  l.problems, l.contact_state AS contactState, l.deadline_at AS deadlineAt, l.follow_up_at AS followUpAt, l.last_contact_at AS lastContactAt,
  l.owner_vendor_id AS ownerVendorId, l.contact_type AS contactType, l.name, l.national_id AS nationalId, l.email, l.phone`;

export const INTERACTION_COLUMNS = `i.id, i.kind, i.at, i.project_id AS projectId, p.name AS project, i.product, i.model, i.amount, i.source, i.state,
  i.contact_state AS contactState, i.deadline_at AS deadlineAt, i.parser, i.medium, i.owner_vendor_id AS ownerVendorId, i.lead_id AS leadId`;

export const FOLLOW_UP_COLUMNS = `f.id, f.lead_id AS leadId, f.project_id AS projectId, p.name AS project, f.action, f.status, f.expectation, f.contact_type AS contactType,
  f.due_at AS dueAt, f.comment, f.created_by AS createdBy, f.created_at AS createdAt`;

/**
 * The ficha del cliente, scoped in SQL: the client's leads the caller sees, the interactions and
 * follow-ups of those projects and owners, the history of those leads (and the client's own
 * entries), and the duplicate marks naming the client. The caller has checked the client is visible.
 */
export class ClientRecordQueries implements ClientRecordReads {
  constructor(private readonly db: Database.Database) {}

  async record(clientId: number, scope: Scope): Promise<ClientRecordRows> {
    const client = (this.db.prepare(`SELECT ${CLIENT_COLUMNS} FROM clients c WHERE c.id = ?`).get(clientId) as ClientRecordClient | undefined) ?? null;
    if (!client) return { client: null, leads: [], interactions: [], followUps: [], actions: [], duplicates: [] };
    const lp: unknown[] = [clientId];
    const ls = scopeClause(scope, lp);
    const leads = this.db.prepare(`SELECT ${LEAD_COLUMNS} FROM leads l LEFT JOIN projects p ON p.id = l.project_id
      WHERE l.client_id = ?${ls ? ` AND ${ls}` : ''} ORDER BY l.received_at DESC, l.id DESC LIMIT 500`).all(...lp) as ClientRecordLead[];
    const ip: unknown[] = [clientId];
    const is = scopeClause(scope, ip, 'i');
    const interactions = this.db.prepare(`SELECT ${INTERACTION_COLUMNS} FROM interactions i LEFT JOIN projects p ON p.id = i.project_id
      WHERE i.client_id = ? AND i.kind <> 'lead'${is ? ` AND ${is}` : ''} ORDER BY i.at DESC, i.id DESC LIMIT 500`).all(...ip) as Record<string, unknown>[];
    // A follow-up is seen with its lead; one without a lead (none today) only by those who see the whole client.
    const fp: unknown[] = [clientId];
    const fs = andFollowUpScope(scope, fp);
    const followUps = this.db.prepare(`SELECT ${FOLLOW_UP_COLUMNS} FROM follow_ups f LEFT JOIN projects p ON p.id = f.project_id
      WHERE f.client_id = ?${fs} ORDER BY f.created_at DESC, f.id DESC LIMIT 500`).all(...fp) as Record<string, unknown>[];
    const ap: unknown[] = [clientId, clientId];
    const as = scopeClause(scope, ap);
    const actions = this.db.prepare(`SELECT a.id, a.lead_id AS leadId, a.actor, a.action, a.data, a.at FROM actions a
      WHERE (a.lead_id IS NULL AND a.client_id = ?) OR a.lead_id IN (SELECT l.id FROM leads l WHERE l.client_id = ?${as ? ` AND ${as}` : ''})
      ORDER BY a.at DESC, a.id DESC LIMIT 500`).all(...ap) as ClientRecordRows['actions'];
    const duplicates = this.db.prepare(`SELECT d.id, d.client_id AS clientId, d.other_client_id AS otherClientId, d.reason, d.status, d.created_at AS createdAt,
      d.decided_by AS decidedBy, d.decided_at AS decidedAt FROM client_duplicates d WHERE d.client_id = ? OR d.other_client_id = ? ORDER BY d.id DESC LIMIT 50`).all(clientId, clientId) as ClientRecordMark[];
    return { client, leads, interactions, followUps, actions, duplicates };
  }

  /** Another client as a conflict or a duplicate names it: its data and how many leads it has. */
  async summary(clientId: number): Promise<ClientSummary | null> {
    return (this.db.prepare(`SELECT c.id, c.name, c.national_id AS nationalId, c.email, c.phone, (SELECT count(*) FROM leads l WHERE l.client_id = c.id) AS leads
      FROM clients c WHERE c.id = ?`).get(clientId) as ClientSummary | undefined) ?? null;
  }
}
