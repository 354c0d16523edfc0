import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { vendors } from './schema.ts';

export const ROLES = ['admin', 'gerente', 'supervisor', 'vendedor', 'atencion', 'atencion_supervisor'] as const;
/** Customer service (post-sale cases): they see cases, never leads. */
export const CASE_DESK_ROLES = ['atencion', 'atencion_supervisor'] as const;
export type Role = (typeof ROLES)[number];

/** A person who signs in. A vendedor is linked to one vendor of the config; nothing is deleted, only disabled. */
export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Lower-cased; the sign-in name. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    vendorId: text('vendor_id').references(() => vendors.id),
    /** supervisor: the vendor ids of the team (JSON array). */
    team: text('team').notNull().default('[]'),
    /** gerente: project names managed (JSON array); empty means every project. */
    projects: text('projects').notNull().default('[]'),
    passwordHash: text('password_hash').notNull(),
    disabledAt: integer('disabled_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('users_email').on(t.email)],
);

/** Browser sessions: only the token's hash is stored; idle and absolute expiry, revocable. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tokenHash: text('token_hash').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrf: text('csrf').notNull(),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    revokedAt: integer('revoked_at'),
    address: text('address'),
  },
  (t) => [uniqueIndex('sessions_token').on(t.tokenHash), index('sessions_user').on(t.userId)],
);

/** Personal API tokens: shown once, stored as a hash, listed by label. */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash').on(t.tokenHash), index('api_tokens_user').on(t.userId, t.label)],
);

/** Who did what, from where: every person's action, sign-ins and user changes. */
export const audit = sqliteTable(
  'audit',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    userId: integer('user_id').references(() => users.id),
    /** The acting person's email, `token:admin`, or `cli` for the command line. */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    objectType: text('object_type'),
    objectId: text('object_id'),
    address: text('address'),
    data: text('data').notNull().default('{}'),
  },
  (t) => [index('audit_at').on(t.at), index('audit_user').on(t.userId, t.at)],
);

/** A person's own settings: columns of the table, the last visit (for "new since your last visit"). */
export const userPrefs = sqliteTable('user_prefs', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** JSON: {columns?: string[]} */
  prefs: text('prefs').notNull().default('{}'),
  lastVisitAt: integer('last_visit_at'),
  updatedAt: integer('updated_at').notNull(),
});
