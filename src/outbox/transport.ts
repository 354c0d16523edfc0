import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.ts';
import { oauth2ProvisionCallback } from '../mail-auth/token-source.ts';

export type SmtpConfig = NonNullable<Config['smtp']>;

/** A pooled nodemailer transport for the config: password, or XOAUTH2 with the mailboxes' token providers. */
export function createTransport(smtp: SmtpConfig): Transporter {
  const base = {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    pool: true,
    // One connection, one message at a time: the sender never hands it a second one (at most one
    // duplicate per crash, see NotificationSender).
    maxConnections: 1,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    tls: smtp.tls ? { rejectUnauthorized: smtp.tls.rejectUnauthorized } : undefined,
  };
  if (smtp.auth) {
    const user = smtp.user ?? smtp.from.replace(/^.*<([^>]+)>.*$/, '$1');
    const t = nodemailer.createTransport({ ...base, auth: { type: 'OAuth2', user } });
    t.set('oauth2_provision_cb', oauth2ProvisionCallback(smtp.auth, { mailbox: 'smtp', user }));
    return t;
  }
  const auth = smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined;
  return nodemailer.createTransport({ ...base, auth });
}

/** Errors of the server or the connection (retry later, the message is not at fault). */
export function isServerError(e: unknown): boolean {
  const err = e as { code?: string; responseCode?: number };
  if (err.responseCode && err.responseCode >= 500 && err.code === 'EENVELOPE') return false;
  return ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EAUTH', 'ENOAUTH', 'ETLS', 'EPROTOCOL', 'ECONNREFUSED', 'ECONNRESET', 'EOAUTH2'].includes(err.code ?? '') || !err.responseCode;
}

/** The cause in a few words, never the credentials. */
export function describeSmtpError(e: unknown, smtp: SmtpConfig): string {
  const err = e as { code?: string; responseCode?: number; message?: string };
  const where = `${smtp.host}:${smtp.port}`;
  if (err.code === 'EAUTH') return `SMTP ${where} refused the login of ${smtp.user ?? '(no user)'}${smtp.auth ? ' (XOAUTH2)' : ''}: ${err.message ?? ''}`.trim();
  if (!smtp.auth && smtp.user && !smtp.password) return `SMTP ${where}: no password (${smtp.passwordEnv ? `environment variable ${smtp.passwordEnv} is not set` : 'set smtp.passwordEnv'})`;
  if (err.code === 'ECONNECTION' || err.code === 'ETIMEDOUT' || err.code === 'ESOCKET') return `SMTP ${where} unreachable: ${err.message ?? err.code}`;
  return `SMTP ${where}: ${err.message ?? String(e)}`;
}
