import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';
import { clients, leads } from './schema.ts';

/**
 * "Posible duplicado": a lead that shares only a phone with an existing client whose name, email or
 * national ID disagree gets its own client record and a row here, for a manager to merge or dismiss.
 * A merge keeps what it moved in `undo`, so it can be reverted.
 */
export const clientDuplicates = sqliteTable(
  'client_duplicates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clientId: integer('client_id')
      .notNull()
      .references(() => clients.id),
    otherClientId: integer('other_client_id')
      .notNull()
      .references(() => clients.id),
    leadId: integer('lead_id').references(() => leads.id, { onDelete: 'set null' }),
    /** What they share: 'phone'. */
    reason: text('reason').notNull(),
    status: text('status', { enum: ['open', 'merged', 'dismissed', 'unmerged'] }).notNull(),
    createdAt: integer('created_at').notNull(),
    decidedBy: text('decided_by'),
    decidedAt: integer('decided_at'),
    /** JSON of what a merge moved (lead ids, follow-up ids, fields filled), to undo it. */
    undo: text('undo'),
  },
  (t) => [index('client_duplicates_status').on(t.status, t.createdAt), index('client_duplicates_client').on(t.clientId), index('client_duplicates_other').on(t.otherClientId)],
);
