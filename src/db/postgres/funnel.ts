import type pg from 'pg';
import type { Scope } from '../scope.ts';
import type { QuoteContactState } from '../../funnel-vocabulary.ts';
import { pgClientWithinSql, pgInteractionInScopeSql, pgScopeClause } from './lead-filter.ts';
import type { FunnelWrites } from '../port.ts';
import { CONTENT, type ClientEvent, type LeadTouch } from '../funnel-reads.ts';

type Queryable = Pick<pg.PoolClient, 'query'>;

/** The funnel's reads used inside units of work, on a pool or a transaction's client. */
export function funnelReads(c: Queryable) {
  const one = async <T>(text: string, values: unknown[]) => ((await c.query(text, values)).rows[0] as T | undefined) ?? null;
  return {
    interactionByKey: (key: string) => one<{ id: number; clientId: number; ownerVendorId: string | null }>('select id, client_id "clientId", owner_vendor_id "ownerVendorId" from interactions where key = $1', [key]),
    async vendorIdFor(text: string) {
      return (await one<{ id: string }>('select id from vendors where id = $1 or lower(email) = lower($1) or lower(name) = lower($1) order by (id = $1) desc, id limit 1', [text]))?.id ?? null;
    },
    async vendorProjectIds(vendorId: string) {
      return (await c.query<{ p: number }>('select project_id p from project_vendors where vendor_id = $1 order by project_id', [vendorId])).rows.map((r) => r.p);
    },
    async clientHistory(clientId: number) {
      const leads = (await c.query('select id, received_at at, project_id "projectId", parser, medium from leads where client_id = $1', [clientId])).rows as LeadTouch[];
      const events = (await c.query('select id, kind, at, project_id "projectId", source from interactions where client_id = $1', [clientId])).rows as ClientEvent[];
      return { leads, events };
    },
    async clientVisible(clientId: number, scope: Scope) {
      const params: unknown[] = [clientId];
      const scoped = pgScopeClause(scope, params);
      if (!scoped) return (await one('select 1 from clients where id = $1', [clientId])) !== null;
      let owner = '';
      if (scope.vendorIds !== null && scope.projectIds === null && scope.vendorIds.length) owner = ` or c.owner_vendor_id = any($${params.push(scope.vendorIds)})`;
      return (await one(`select 1 from clients c where c.id = $1 and (exists (select 1 from leads l where l.client_id = c.id and ${scoped})${owner})`, params)) !== null;
    },
    async clientWithin(clientId: number, scope: Scope) {
      const q = pgClientWithinSql(clientId, scope);
      return !q || (await one(q.sql, q.params)) !== null;
    },
    async interactionInScope(key: string, scope: Scope) {
      const q = pgInteractionInScopeSql(key, scope);
      return (await one(q.sql, q.params)) !== null;
    },
  };
}

/** The funnel's writes on one transaction's client: the same rules as src/db/sqlite/funnel-store.ts. */
export function funnelWrites(c: Queryable): FunnelWrites {
  const contactAfter = async (clientId: number, at: number): Promise<QuoteContactState | null> => {
    const row = (await c.query<{ action: string }>("select action from actions where client_id = $1 and action in ('follow_up', 'abort') and at >= $2 order by at limit 1", [clientId, at])).rows[0];
    return row ? (row.action === 'abort' ? 'abortado' : 'contactado') : null;
  };
  return {
    async upsertInteraction(r, now) {
      const old = (await c.query(`select id, ${CONTENT.join(', ')}, actor from interactions where key = $1 for update`, [r.key])).rows[0] as (Record<string, unknown> & { id: number }) | undefined;
      const content: Record<(typeof CONTENT)[number], unknown> = { client_id: r.clientId, project_id: r.projectId, at: r.at, product: r.product, model: r.model, amount: r.amount, source: r.source, state: r.state };
      if (old) {
        if (CONTENT.every((col) => old[col] === content[col])) return { id: old.id, outcome: 'unchanged' };
        await c.query(`update interactions set ${CONTENT.map((col, i) => `${col} = $${i + 1}`).join(', ')}, actor = $${CONTENT.length + 1}, updated_at = $${CONTENT.length + 2} where id = $${CONTENT.length + 3}`,
          [...CONTENT.map((col) => content[col]), r.actor, now, old.id]);
        const { id: _id, ...before } = old;
        return { id: old.id, outcome: 'updated', before };
      }
      // A quote made before a contact the client already has on record starts contacted (or aborted).
      const contactState = r.kind === 'cotizacion' ? ((await contactAfter(r.clientId, r.at)) ?? 'por_contactar') : null;
      const res = await c.query<{ id: number }>(
        `insert into interactions (key, external_id, kind, client_id, project_id, at, product, model, amount, source, state, contact_state, deadline_at,
           lead_id, parser, medium, owner_vendor_id, reentry, actor, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, null, null, 'otros', $14, false, $15, $16, $16) returning id`,
        [r.key, r.externalId, r.kind, r.clientId, r.projectId, r.at, r.product, r.model, r.amount, r.source, r.state, contactState, r.kind === 'cotizacion' ? r.deadlineAt : null, r.ownerVendorId, r.actor, now],
      );
      return { id: res.rows[0].id, outcome: 'created' };
    },
    async setInteractionDerived(id, d, noLead, now) {
      const parser = d.leadId === null ? noLead : d.parser;
      await c.query(
        `update interactions set lead_id = $1, parser = $2, medium = $3, reentry = $4, updated_at = $5
         where id = $6 and (lead_id is distinct from $1 or parser is distinct from $2 or medium is distinct from $3 or reentry is distinct from $4)`,
        [d.leadId, parser, d.medium, d.reentry, now, id],
      );
    },
  };
}
