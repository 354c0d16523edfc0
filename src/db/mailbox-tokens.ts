import { io, type Storage } from './port.ts';

export interface StoredMailboxToken {
  mailbox: string;
  provider: string;
  /** Ciphertext as src/mail-auth/secret-box.ts writes it; never the token itself. */
  refreshToken: string;
  account: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The columns as the port answers them (both adapters select these). */
export const MAILBOX_TOKEN_COLUMNS = 'mailbox, provider, refresh_token AS "refreshToken", account, created_at AS "createdAt", updated_at AS "updatedAt"';

/**
 * Encrypted refresh tokens of refresh-token mailboxes, over the storage port. Read on every
 * refresh (never cached), so a `mailboxes login` in another process is picked up by a running
 * daemon without a restart.
 */
export class MailboxTokenStore {
  constructor(private readonly store: Storage) {}

  get(mailbox: string): Promise<StoredMailboxToken | null> {
    return this.store.read((r) => io(r.mailboxToken(mailbox)));
  }

  list(): Promise<StoredMailboxToken[]> {
    return this.store.read((r) => io(r.mailboxTokens()));
  }

  /** Inserts or replaces the mailbox's token (a login, or a rotation by the provider). */
  async put(mailbox: string, provider: string, ciphertext: string, account: string | null, now = Date.now()): Promise<void> {
    await this.store.unitOfWork((tx) => io(tx.putMailboxToken({ mailbox, provider, refreshToken: ciphertext, account, createdAt: now, updatedAt: now })));
  }

  delete(mailbox: string): Promise<boolean> {
    return this.store.unitOfWork((tx) => io(tx.deleteMailboxToken(mailbox)));
  }
}
