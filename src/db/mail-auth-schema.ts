import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core';

/**
 * OAuth2 refresh tokens of mailboxes in refresh-token mode (`centralizer mailboxes login`).
 * The token is stored encrypted (AES-256-GCM, src/mail-auth/secret-box.ts): this table only
 * ever sees ciphertext. One row per mailbox; a rotated token replaces it at once.
 */
export const mailboxTokens = sqliteTable('mailbox_tokens', {
  mailbox: text('mailbox').primaryKey(),
  provider: text('provider').notNull(),
  /** "v1:" + base64(iv | tag | ciphertext), bound to the mailbox name as associated data. */
  refreshToken: text('refresh_token').notNull(),
  /** Who signed in, when the provider says (id_token or userinfo are not required). */
  account: text('account'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
