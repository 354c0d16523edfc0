import { MailboxTokenStore } from '../db/mailbox-tokens.ts';
import type { Storage } from '../db/port.ts';
import { open, seal, secretKeyFromEnv } from './secret-box.ts';

/** Where refresh tokens live: loaded on every refresh, saved the moment a provider rotates one. */
export interface RefreshTokens {
  load(mailbox: string): Promise<string | null>;
  save(mailbox: string, provider: string, token: string, account?: string | null): Promise<void>;
}

/**
 * Refresh tokens in the database, encrypted with CENTRALIZER_SECRET_KEY (read on each use, so a
 * missing key is reported per mailbox as auth_failed rather than stopping the daemon).
 */
export function encryptedRefreshTokens(conn: Storage, env: NodeJS.ProcessEnv = process.env): RefreshTokens {
  const rows = new MailboxTokenStore(conn);
  return {
    async load(mailbox) {
      const row = await rows.get(mailbox);
      return row ? open(secretKeyFromEnv(env), row.refreshToken, mailbox) : null;
    },
    async save(mailbox, provider, token, account = null) {
      await rows.put(mailbox, provider, seal(secretKeyFromEnv(env), token, mailbox), account);
    },
  };
}
