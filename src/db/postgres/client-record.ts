import type { Scope } from '../scope.ts';
import { pgAndFollowUpScope, pgScopeClause } from './lead-filter.ts';
import { firstOf, rowsOf, type PgHandle } from './read-base.ts';
import type { ClientRecordClient, ClientRecordLead, ClientRecordMark, ClientRecordRows, ClientSummary, ClientRecordReads } from '../funnel-reads.ts';

const CLIENT_COLUMNS = `c.id, c.name, c.national_id AS "nationalId", c.national_id_type AS "nationalIdType", c.email, c.phone, c.owner_vendor_id AS "ownerVendorId",
  c.owner_since AS "ownerSince", c.created_at AS "createdAt", c.last_activity_at AS "lastActivityAt"`;

const LEAD_COLUMNS = `l.id, l.received_at AS "receivedAt", l.project_id AS "projectId", p.name AS project, l.project_text AS "projectText", l.parser, l.medium, l.quality,
  l.problems, l.contact_state AS "contactState", l.deadline_at AS "deadlineAt", l.follow_up_at AS "followUpAt", l.last_contact_at AS "lastContactAt",
  l.owner_vendor_id AS "ownerVendorId", l.contact_type AS "contactType", l.name, l.national_id AS "nationalId", l.email, l.phone`;

const INTERACTION_COLUMNS = `i.id, i.kind, i.at, i.project_id AS "projectId", p.name AS project, i.product, i.model, i.amount, i.source, i.state,
  i.contact_state AS "contactState", i.deadline_at AS "deadlineAt", i.parser, i.medium, i.owner_vendor_id AS "ownerVendorId", i.lead_id AS "leadId"`;

const FOLLOW_UP_COLUMNS = `f.id, f.lead_id AS "leadId", f.project_id AS "projectId", p.name AS project, f.action, f.status, f.expectation, f.contact_type AS "contactType",
  f.due_at AS "dueAt", f.comment, f.created_by AS "createdBy", f.created_at AS "createdAt"`;

/** ClientRecordQueries (src/db/sqlite/client-record.ts) on PostgreSQL: the same rows, the same scope. */
export class PgClientRecordQueries implements ClientRecordReads {
  constructor(private readonly db: PgHandle) {}

  async record(clientId: number, scope: Scope): Promise<ClientRecordRows> {
    const client = await firstOf<ClientRecordClient>(this.db, `SELECT ${CLIENT_COLUMNS} FROM clients c WHERE c.id = $1`, [clientId]);
    if (!client) return { client: null, leads: [], interactions: [], followUps: [], actions: [], duplicates: [] };
    const lp: unknown[] = [clientId];
    const ls = pgScopeClause(scope, lp);
    const leads = await rowsOf<ClientRecordLead>(this.db, `SELECT ${LEAD_COLUMNS} FROM leads l LEFT JOIN projects p ON p.id = l.project_id
      WHERE l.client_id = $1${ls ? ` AND ${ls}` : ''} ORDER BY l.received_at DESC, l.id DESC LIMIT 500`, lp);
    const ip: unknown[] = [clientId];
    const is = pgScopeClause(scope, ip, 'i');
    const interactions = await rowsOf<Record<string, unknown>>(this.db, `SELECT ${INTERACTION_COLUMNS} FROM interactions i LEFT JOIN projects p ON p.id = i.project_id
      WHERE i.client_id = $1 AND i.kind <> 'lead'${is ? ` AND ${is}` : ''} ORDER BY i.at DESC, i.id DESC LIMIT 500`, ip);
    const fp: unknown[] = [clientId];
    const fs = pgAndFollowUpScope(scope, fp);
    const followUps = await rowsOf<Record<string, unknown>>(this.db, `SELECT ${FOLLOW_UP_COLUMNS} FROM follow_ups f LEFT JOIN projects p ON p.id = f.project_id
      WHERE f.client_id = $1${fs} ORDER BY f.created_at DESC, f.id DESC LIMIT 500`, fp);
    const ap: unknown[] = [clientId];
    const as = pgScopeClause(scope, ap);
    const actions = await rowsOf<ClientRecordRows['actions'][number]>(this.db, `SELECT a.id, a.lead_id AS "leadId", a.actor, a.action, a.data, a.at FROM actions a
      WHERE (a.lead_id IS NULL AND a.client_id = $1) OR a.lead_id IN (SELECT l.id FROM leads l WHERE l.client_id = $1${as ? ` AND ${as}` : ''})
      ORDER BY a.at DESC, a.id DESC LIMIT 500`, ap);
    const duplicates = await rowsOf<ClientRecordMark>(this.db, `SELECT d.id, d.client_id AS "clientId", d.other_client_id AS "otherClientId", d.reason, d.status,
      d.created_at AS "createdAt", d.decided_by AS "decidedBy", d.decided_at AS "decidedAt" FROM client_duplicates d
      WHERE d.client_id = $1 OR d.other_client_id = $1 ORDER BY d.id DESC LIMIT 50`, [clientId]);
    return { client, leads, interactions, followUps, actions, duplicates };
  }

  summary(clientId: number): Promise<ClientSummary | null> {
    return firstOf<ClientSummary>(this.db, `SELECT c.id, c.name, c.national_id AS "nationalId", c.email, c.phone, (SELECT count(*) FROM leads l WHERE l.client_id = c.id) AS leads
      FROM clients c WHERE c.id = $1`, [clientId]);
  }
}
