/**
 * A mailbox that cannot get a token: `code` is the provider's OAuth error code (invalid_client,
 * invalid_grant, …) or ours (login_required, secret_key_missing, …). `permanent` errors put the
 * mailbox in auth_failed (retried slowly); the others (network, 5xx) take the normal backoff.
 * Messages never carry a token or a secret.
 */
export class MailAuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
    readonly permanent = true,
  ) {
    super(message);
    this.name = 'MailAuthError';
  }
}

export const isMailAuthError = (e: unknown): e is MailAuthError => e instanceof MailAuthError;
