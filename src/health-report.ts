// What a daemon reports of its mailboxes and outboxes: read by /healthz, /metrics and the page, filled by src/daemon.
/** The state of one mailbox worker, as /healthz and the logs show it. */
export interface MailboxHealth {
  name: string;
  /** `elsewhere`: another daemon on the same database holds this mailbox's lease (see `heldBy`). */
  state: 'starting' | 'connecting' | 'syncing' | 'idle' | 'backoff' | 'auth_failed' | 'stopped' | 'elsewhere';
  /** The daemon (host:pid:tag) holding the mailbox's lease, when daemons share the database. */
  heldBy?: string | null;
  connected: boolean;
  lastSuccessAt: number | null;
  lastError: string | null;
  /** Messages in the folder above the cursor at the last check, or null when unknown. */
  messagesBehind: number | null;
  nextRetryAt: number | null;
  /** No successful sync for longer than daemon.staleAfterSeconds. */
  stale: boolean;
  /** How the mailbox logs in: `password` or `oauth2:<provider>`. */
  auth?: string;
  /** Why an OAuth2 mailbox cannot log in: the provider's error code (invalid_client, …) and what to do. */
  authError?: { code: string; hint: string } | null;
}

export interface HealthSource {
  mailboxes(): MailboxHealth[];
  /** Webhook outbox: deliveries waiting or given up. */
  webhooks?(): { pending: number; failed: number; lastError: string | null };
  /** Notification email outbox and the SMTP server's last verdict. */
  notifications?(): { pending: number; failed: number; sent: number; lastError: string | null; oldestPendingAt: number | null; smtp: { ok: boolean; error: string | null } | null };
}
