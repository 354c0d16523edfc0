import type { SqliteConnection } from './sqlite-base.ts';

export interface StoredMailboxToken {
  mailbox: string;
  provider: string;
  /** Ciphertext as src/mail-auth/secret-box.ts writes it; never the token itself. */
  refreshToken: string;
  account: string | null;
  createdAt: number;
  updatedAt: number;
}

const COLUMNS = 'mailbox, provider, refresh_token AS refreshToken, account, created_at AS createdAt, updated_at AS updatedAt';

/**
 * Encrypted refresh tokens of refresh-token mailboxes. Read on every refresh (never cached), so a
 * `mailboxes login` in another process is picked up by a running daemon without a restart.
 */
export class MailboxTokenStore {
  constructor(private readonly conn: SqliteConnection) {}

  get(mailbox: string): StoredMailboxToken | null {
    return (this.conn.sqlite.prepare(`SELECT ${COLUMNS} FROM mailbox_tokens WHERE mailbox = ?`).get(mailbox) as StoredMailboxToken | undefined) ?? null;
  }

  list(): StoredMailboxToken[] {
    return this.conn.sqlite.prepare(`SELECT ${COLUMNS} FROM mailbox_tokens ORDER BY mailbox`).all() as StoredMailboxToken[];
  }

  /** Inserts or replaces the mailbox's token (a login, or a rotation by the provider). */
  put(mailbox: string, provider: string, ciphertext: string, account: string | null, now = Date.now()): void {
    this.conn.transaction(() => {
      this.conn.sqlite
        .prepare(
          `INSERT INTO mailbox_tokens (mailbox, provider, refresh_token, account, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (mailbox) DO UPDATE SET provider = excluded.provider, refresh_token = excluded.refresh_token,
             account = coalesce(excluded.account, mailbox_tokens.account), updated_at = excluded.updated_at`,
        )
        .run(mailbox, provider, ciphertext, account, now, now);
    });
  }

  delete(mailbox: string): boolean {
    return this.conn.transaction(() => this.conn.sqlite.prepare('DELETE FROM mailbox_tokens WHERE mailbox = ?').run(mailbox).changes > 0);
  }
}
